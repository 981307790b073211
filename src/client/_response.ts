/**
 * Response-mapping stage of the reference client: a read response becomes a {@linkcode RonResponse}
 * (status < 400) or a typed error (a Problem → `RonProblem`, an unparseable body →
 * `RonTransportError`), with secrets redacted and no raw body or header quoted.
 *
 * @module
 */
import { parseProblem } from "../schema/problem.ts";
import type { Behaviour } from "./_faults.ts";
import { headersRecord, type RawResponse } from "./_context.ts";
import { RonError, RonProblem, RonTransportError } from "./errors.ts";
import { redactDeep, redactText } from "./redact.ts";
import type { RonResponse } from "./types.ts";

const CANONICAL_PROBLEM_KEYS = ["code", "kind", "message", "correlation_id", "details"];

function looksTruncated(text: string): boolean {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (const ch of text) {
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === "\\") escaped = true;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "{" || ch === "[") depth++;
    else if (ch === "}" || ch === "]") depth--;
  }
  return inString || depth > 0;
}

/** One strict decoder for every response (a non-streaming `decode` keeps no state between calls). */
const UTF8_FATAL = new TextDecoder("utf-8", { fatal: true });

function decode(raw: RawResponse): string {
  try {
    return UTF8_FATAL.decode(raw.bytes);
  } catch {
    throw new RonTransportError("invalid_utf8", raw.status);
  }
}

/**
 * A non-error response: JSON parsed, other text kept as text.
 *
 * @param raw the read response (status < 400)
 * @param requestId the request's `X-Request-ID`
 * @param behaviour the fault settings
 * @returns the response
 * @throws RonTransportError for a body that is not UTF-8, or declared JSON that does not parse
 */
export function toResponse(raw: RawResponse, requestId: string, behaviour: Behaviour): RonResponse {
  const out: RonResponse = { status: raw.status, headers: headersRecord(raw.headers), requestId };
  if (raw.bytes.byteLength === 0) return out;
  let text: string;
  try {
    text = decode(raw);
  } catch (err) {
    if (raw.truncated) return out;
    throw err;
  }
  const ct = raw.headers.get("content-type");
  if (ct !== null && !/json/i.test(ct)) {
    out.text = text;
    return out;
  }
  try {
    out.json = JSON.parse(text);
  } catch {
    if (raw.truncated) return out;
    if (ct === null) {
      // no declared type: a non-JSON body is plain text, not a parse failure
      out.text = text;
      return out;
    }
    const extra = behaviour.rawBodyInErrors ? `: ${text}` : "";
    throw new RonTransportError(looksTruncated(text) ? "truncated_json" : "not_json", raw.status, extra);
  }
  return out;
}

/** The `crashOnUnknownProblemField` setting: a raw `TypeError` for a field outside the envelope. */
function crashOnUnknownField(text: string): void {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch { /* not JSON: handled by the caller */ }
  if (json !== null && typeof json === "object" && !Array.isArray(json)) {
    const unknown = Object.keys(json).filter((k) => !CANONICAL_PROBLEM_KEYS.includes(k));
    if (unknown.length > 0) throw new TypeError(`unexpected field in Problem: ${unknown[0]}`);
  }
}

/**
 * The typed error of an error response (status >= 400).
 *
 * @param raw the read response
 * @param requestId the request's `X-Request-ID` (the correlation id when the response has none)
 * @param behaviour the fault settings
 * @param secrets token values to redact from the Problem's fields
 * @returns a `RonProblem`, or a `RonTransportError` when the body is not a Problem
 * @throws RonTransportError for a body that is not UTF-8
 */
export function toError(
  raw: RawResponse,
  requestId: string,
  behaviour: Behaviour,
  secrets: readonly string[],
): RonError {
  const text = decode(raw);
  const contentType = raw.headers.get("content-type");
  const headerCorrelation = raw.headers.get("x-request-id") ?? requestId;
  if (behaviour.crashOnUnknownProblemField) crashOnUnknownField(text);
  if (!behaviour.typedErrors) {
    const e = new RonError(`request failed with HTTP ${raw.status}`);
    e.status = raw.status;
    return e;
  }
  const parsed = parseProblem({ status: raw.status, contentType, body: text });
  if (!parsed.ok) {
    const extra = behaviour.rawBodyInErrors ? `: ${text}` : "";
    const e = new RonTransportError(parsed.error.code, raw.status, extra);
    e.correlationId = headerCorrelation;
    return e;
  }
  const p = parsed.problem;
  const details = redactDeep(p.details, secrets);
  const problem = new RonProblem(raw.status, {
    code: redactText(p.code, secrets),
    kind: redactText(p.kind, secrets),
    message: redactText(p.message, secrets),
    correlation_id: redactText(p.correlation_id, secrets),
    details: details !== null && typeof details === "object" && !Array.isArray(details)
      ? details as Record<string, unknown>
      : {},
  });
  if (problem.correlationId === undefined) problem.correlationId = headerCorrelation;
  return problem;
}

/**
 * The `requestHeadersInErrors` setting: put the sent request headers into the error's message.
 *
 * @param error the error
 * @param sent the headers last put on the wire
 * @returns the error (a new one for a Problem, whose message is rebuilt)
 */
export function withSentHeaders(error: RonError, sent: Record<string, string>): RonError {
  const suffix = ` (request headers: ${JSON.stringify(sent)})`;
  if (!(error instanceof RonProblem)) {
    error.message += suffix;
    return error;
  }
  const leaky = new RonProblem(error.status ?? 0, {
    code: error.code,
    kind: error.kind,
    message: error.problemMessage + suffix,
    correlation_id: error.correlationId ?? "",
    details: error.details,
  });
  leaky.correlationId = error.correlationId;
  return leaky;
}
