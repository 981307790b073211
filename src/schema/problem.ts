/**
 * Problem envelopes: the canonical error envelope of seed 000 §3.1
 * (`{code, kind, message, correlation_id, details}`), RFC 9457
 * `application/problem+json` bodies, and the one total parser the kit and the
 * reference client use to turn any error body into a typed result.
 *
 * Decisions (the `fixtures/problem/` group encodes every one of them):
 *
 * - Unknown extra members of a canonical envelope are **dropped**, never an error.
 * - A missing or wrong-typed required member makes the body `invalid_envelope`
 *   (unless the body reads as an RFC 9457 problem, see {@link parseProblem}).
 * - Strings of any size are accepted; capping the body size is the caller's job.
 * - A `__proto__` member is never turned into a prototype: it is dropped from `details`
 *   (zod's record parsing does the same for canonical envelopes).
 * - Nothing here ever quotes the raw body: parse errors carry a code only.
 *
 * @module
 */
import { z } from "zod";
import type { SdkError } from "./protocol.ts";
import type { Same } from "./_same.ts";
import { canonicalShape } from "./_problem_shape.ts";

const problem = z.object({
  code: z.string(),
  kind: z.string(),
  message: z.string(),
  correlation_id: z.string(),
  details: z.record(z.string(), z.unknown()),
});
/** The canonical Problem envelope (seed 000 §3.1). Unknown members are stripped when parsing. */
export const ProblemSchema: z.ZodObject<{
  code: z.ZodString;
  kind: z.ZodString;
  message: z.ZodString;
  correlation_id: z.ZodString;
  details: z.ZodRecord<z.ZodString, z.ZodUnknown>;
}> = problem;
const _problem: Same<typeof problem, typeof ProblemSchema> = true;
/** The canonical Problem envelope. */
export type Problem = z.infer<typeof ProblemSchema>;

const rfc9457 = z.looseObject({
  type: z.string().optional(),
  title: z.string().optional(),
  status: z.number().int().optional(),
  detail: z.string().optional(),
  instance: z.string().optional(),
});
/**
 * An RFC 9457 problem document. Every member is optional and extension members
 * are kept. Members of the wrong type are ignored, as RFC 9457 §3.1 requires, by
 * {@link fromRfc9457} (this schema only describes the well-typed shape).
 */
export const Rfc9457Schema: z.ZodObject<{
  type: z.ZodOptional<z.ZodString>;
  title: z.ZodOptional<z.ZodString>;
  status: z.ZodOptional<z.ZodNumber>;
  detail: z.ZodOptional<z.ZodString>;
  instance: z.ZodOptional<z.ZodString>;
}, z.core.$loose> = rfc9457;
const _rfc9457: Same<typeof rfc9457, typeof Rfc9457Schema> = true;
/** An RFC 9457 problem document. */
export type Rfc9457 = z.infer<typeof Rfc9457Schema>;

/** Why a body is not a Problem: a closed set of codes, never the body itself. */
export type ProblemParseErrorCode =
  | "empty_body"
  | "not_json"
  | "truncated_json"
  | "not_object"
  | "invalid_envelope";

/** Every {@link ProblemParseErrorCode}. */
export const PROBLEM_PARSE_ERROR_CODES: readonly ProblemParseErrorCode[] = [
  "empty_body",
  "not_json",
  "truncated_json",
  "not_object",
  "invalid_envelope",
];

/** The result of {@link parseProblem}. */
export type ProblemParse =
  | { ok: true; problem: Problem; source: "canonical" | "rfc9457" }
  | { ok: false; error: { code: ProblemParseErrorCode } };

const RFC_STANDARD_MEMBERS = new Set(["type", "title", "status", "detail", "instance"]);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function safeDecode(s: string): string {
  if (!s.includes("%")) return s; // nothing to decode (decodeURIComponent would return s)
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The last segment of a problem type URI (after the last `/` or `:`), query and fragment removed. */
function typeCode(type: string): string {
  let end = type.length;
  const q = type.indexOf("?");
  const h = type.indexOf("#");
  if (q >= 0) end = q;
  if (h >= 0 && h < end) end = h;
  while (end > 0 && type.charCodeAt(end - 1) === 0x2f) end--; // trailing slashes
  const t = end === type.length ? type : type.slice(0, end);
  const idx = Math.max(t.lastIndexOf("/"), t.lastIndexOf(":"));
  return safeDecode(t.slice(idx + 1));
}

function str(p: Record<string, unknown>, k: string): string | undefined {
  const v = p[k];
  return typeof v === "string" ? v : undefined;
}

function httpCode(status: number | undefined): string {
  return status === undefined ? "http_error" : `http_${status}`;
}

/**
 * Map an RFC 9457 problem document to the canonical envelope.
 *
 * Mapping (members of the wrong type are ignored, RFC 9457 §3.1):
 * - `code` ← the last segment (after the last `/` or `:`, query and fragment removed,
 *   percent-decoded) of `type`; when `type` is absent, empty, `about:blank` or yields an
 *   empty segment: `"http_<status>"`, where status is the `status` argument (the HTTP
 *   status, authoritative per RFC 9457 §3.1.2), else the `status` member, else `"http_error"`.
 * - `kind` ← `title`, else the same value as that fallback `code` (`"http_<status>"`).
 * - `message` ← `detail`, else `title`, else `""`.
 * - `correlation_id` ← the extension member `correlation_id` if it is a string, else `instance`, else `""`.
 * - `details` ← every other extension member (all members except `type`, `title`,
 *   `status`, `detail`, `instance`, `correlation_id`, and `__proto__`), values as given.
 *
 * @param p the parsed JSON object (any object; non-standard or ill-typed members handled as above)
 * @param status the HTTP status of the response, if known
 * @returns the canonical envelope
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const p = fromRfc9457({ type: "https://example.com/probs/out-of-credit", title: "Forbidden", status: 403,
 *   detail: "Your balance is 30", instance: "/account/12345", balance: 30 }, 403);
 * assert.deepEqual(p, { code: "out-of-credit", kind: "Forbidden", message: "Your balance is 30",
 *   correlation_id: "/account/12345", details: { balance: 30 } });
 * ```
 */
export function fromRfc9457(p: Record<string, unknown>, status?: number): Problem {
  const member = p["status"];
  const st = status ?? (typeof member === "number" && Number.isInteger(member) ? member : undefined);
  const type = str(p, "type");
  const fromType = type === undefined || type === "" || type === "about:blank" ? "" : typeCode(type);
  const code = fromType === "" ? httpCode(st) : fromType;
  const title = str(p, "title");
  const detail = str(p, "detail");
  // Own enumerable keys in Object.entries order; "__proto__" is dropped like zod drops it, so the
  // plain assignment below never sets a prototype.
  const details: Record<string, unknown> = {};
  for (const k of Object.keys(p)) {
    if (!RFC_STANDARD_MEMBERS.has(k) && k !== "correlation_id" && k !== "__proto__") details[k] = p[k];
  }
  return {
    code,
    kind: title ?? httpCode(st),
    message: detail ?? title ?? "",
    correlation_id: str(p, "correlation_id") ?? str(p, "instance") ?? "",
    details,
  };
}

/**
 * Map a canonical envelope to an RFC 9457 problem document, the inverse of {@link fromRfc9457}:
 * `type` = `"urn:problem:" + encodeURIComponent(code)`, `title` = `kind`, `status` = `status`,
 * `detail` = `message`, `instance` is omitted, extension `correlation_id` = `correlation_id`,
 * and every `details` member becomes an extension member (a `details` key that collides with a
 * standard member or `correlation_id` is lost). `fromRfc9457(toRfc9457(p, s), s)` equals `p`
 * whenever no such collision occurs.
 *
 * @param p the canonical envelope
 * @param status the HTTP status to carry in `status`
 * @returns the RFC 9457 document
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const p = { code: "not_found", kind: "NotFound", message: "no such app", correlation_id: "r-1", details: {} };
 * assert.deepEqual(fromRfc9457(toRfc9457(p, 404), 404), p);
 * ```
 */
export function toRfc9457(p: Problem, status: number): Rfc9457 {
  const out: Record<string, unknown> = Object.fromEntries(
    Object.entries(p.details).filter(([k]) => !RFC_STANDARD_MEMBERS.has(k) && k !== "correlation_id"),
  );
  return {
    ...out,
    type: `urn:problem:${encodeURIComponent(p.code)}`,
    title: p.kind,
    status,
    detail: p.message,
    correlation_id: p.correlation_id,
  };
}

/** True when the body, which failed `JSON.parse`, looks like the start of a JSON value that was cut short. */
function looksTruncated(text: string): boolean {
  const first = text[0];
  if (first !== "{" && first !== "[" && first !== '"') return false;
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      depth--;
      if (depth < 0) return false;
    }
  }
  return inString || depth > 0;
}

function mediaType(contentType: string | null): string {
  if (contentType === null) return "";
  if (contentType === "application/problem+json" || contentType === "application/json") return contentType;
  return (contentType.split(";")[0] ?? "").trim().toLowerCase();
}

/**
 * Parse an HTTP error response into a Problem. Never throws, whatever the input.
 *
 * Order of decisions:
 * 1. A body that is empty or only whitespace (after an optional BOM) → `empty_body`.
 * 2. Not JSON → `truncated_json` when it starts like a JSON object/array/string and ends with an
 *    unclosed string or bracket, else `not_json` (HTML pages, text, garbage). The content type
 *    does not stop a JSON body from being read.
 * 3. JSON but not an object (array, string, number, `null`…) → `not_object`.
 * 4. A valid canonical envelope → `source: "canonical"` (unknown members dropped).
 * 5. Else, when the media type is `application/problem+json`, or the object has a string
 *    `type` or `title` member and no `code` member → `source: "rfc9457"` via {@link fromRfc9457}.
 * 6. Else → `invalid_envelope`.
 *
 * @param input the response status, `content-type` header (or null) and body text
 * @returns the Problem, or a parse error code (never the body)
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const r = parseProblem({ status: 502, contentType: "text/html", body: "<html>Bad gateway</html>" });
 * assert.deepEqual(r, { ok: false, error: { code: "not_json" } });
 * ```
 */
export function parseProblem(
  input: { status: number; contentType: string | null; body: string },
): ProblemParse {
  try {
    return parseProblemUnsafe(input);
  } catch {
    // JSON.parse on pathological input (e.g. stack exhaustion) is the only plausible thrower.
    return { ok: false, error: { code: "not_json" } };
  }
}

function parseProblemUnsafe(
  input: { status: number; contentType: string | null; body: string },
): ProblemParse {
  const body = typeof input.body === "string" ? input.body : "";
  const text = (body.charCodeAt(0) === 0xfeff ? body.slice(1) : body).trim();
  if (text === "") return { ok: false, error: { code: "empty_body" } };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: { code: looksTruncated(text) ? "truncated_json" : "not_json" } };
  }
  if (!isPlainObject(json)) return { ok: false, error: { code: "not_object" } };
  // fast path: the shape decides when it is sure; zod decides otherwise (see _problem_shape.ts)
  const shape = canonicalShape(json);
  if (shape !== undefined && shape !== "unsure") return { ok: true, problem: shape, source: "canonical" };
  if (shape === "unsure") {
    const canonical = ProblemSchema.safeParse(json);
    if (canonical.success) return { ok: true, problem: canonical.data, source: "canonical" };
  }
  const isProblemJson = mediaType(input.contentType) === "application/problem+json";
  const rfcShaped = (typeof json["type"] === "string" || typeof json["title"] === "string") &&
    !("code" in json);
  if (isProblemJson || rfcShaped) {
    const status = Number.isInteger(input.status) ? input.status : undefined;
    return { ok: true, problem: fromRfc9457(json, status), source: "rfc9457" };
  }
  // the rare error path: zod has the last word (a disagreement would be the fast path's bug)
  const canonical = ProblemSchema.safeParse(json);
  if (canonical.success) return { ok: true, problem: canonical.data, source: "canonical" };
  return { ok: false, error: { code: "invalid_envelope" } };
}

/** The fixed, body-free message of a `transport` error for each parse error code. */
export const PROBLEM_PARSE_MESSAGES: Readonly<Record<ProblemParseErrorCode, string>> = {
  empty_body: "error response had an empty body (empty_body)",
  not_json: "error response body is not JSON (not_json)",
  truncated_json: "error response body is truncated JSON (truncated_json)",
  not_object: "error response body is not a JSON object (not_object)",
  invalid_envelope: "error response body is not a valid Problem envelope (invalid_envelope)",
};

/**
 * Map a {@link ProblemParse} to the driver protocol's `SdkError`: a Problem becomes
 * `{type: "problem", status, code, kind, message, correlation_id, details}`; a parse error becomes
 * `{type: "transport", status, message}` with a fixed message naming the error code (never the body).
 *
 * @param p the parse result
 * @param status the HTTP status of the response
 * @returns the SdkError
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const e = problemToSdkError({ ok: false, error: { code: "truncated_json" } }, 500);
 * assert.equal(e.type, "transport");
 * assert.match(e.message ?? "", /truncated_json/);
 * ```
 */
export function problemToSdkError(p: ProblemParse, status: number): SdkError {
  if (p.ok) {
    const { code, kind, message, correlation_id, details } = p.problem;
    return { type: "problem", status, code, kind, message, correlation_id, details };
  }
  return { type: "transport", status, message: PROBLEM_PARSE_MESSAGES[p.error.code] };
}
