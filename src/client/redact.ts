/**
 * Redaction of headers and bodies for the client's debug log and error texts.
 *
 * @module
 */

/** The text every redacted value is replaced with. */
export const REDACTED = "[REDACTED]";

/** Header names that are never logged (lower case). */
export const SENSITIVE_HEADERS: readonly string[] = [
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
];

/**
 * Cap-like values: kit canaries (`ronc_…`), `cap:`/`mac:` tokens, bearer credentials, and JSON
 * fields named like a credential (JWTs: {@linkcode redactJwts}). Every pattern is linear on any
 * input (no quantifier that can rescan what another consumed).
 */
const CAP_PATTERNS: readonly RegExp[] = [
  /\bron[a-z]{0,8}_[A-Za-z0-9]{8,}/g,
  /\b(?:cap|mac|macaroon):[A-Za-z0-9_\-.~+/=]{8,}/gi,
  /\b(Bearer|Basic)\s+[A-Za-z0-9_\-.~+/=]{8,}/gi,
  /("(?:token|access_token|refresh_token|authorization|password|secret|api_key|apikey|cap)"\s*:\s*")[^"]*(")/gi,
  /\b((?:access_token|token|api_key|apikey)=)[^&\s"]+/gi,
];

const JWT_CHAR = /[A-Za-z0-9_-]/;

/**
 * Replace JWT-shaped values (`eyJ…` + 4+ chars, `.`, 4+ chars, `.`, any) in linear time. The regex
 * `\beyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*` backtracks on inputs such as `eyJ-` repeated (every start
 * rescans to the end of the run): 3 s on 64 KiB. Here each dot-free run is measured once, and a
 * start that fails skips the rest of its run (any later start in it fails the same way).
 */
function redactJwts(text: string): string {
  if (!text.includes("eyJ")) return text;
  const runEnd = (from: number): number => {
    let j = from;
    while (j < text.length && JWT_CHAR.test(text[j] ?? "")) j++;
    return j;
  };
  let out = "";
  let last = 0;
  let i = text.indexOf("eyJ");
  while (i >= 0) {
    const atBoundary = i === 0 || !/\w/.test(text[i - 1] ?? "");
    const end1 = runEnd(i + 3);
    let next = end1;
    if (atBoundary && end1 - (i + 3) >= 4 && text[end1] === ".") {
      const end2 = runEnd(end1 + 1);
      if (end2 - (end1 + 1) >= 4 && text[end2] === ".") {
        const end3 = runEnd(end2 + 1);
        out += text.slice(last, i) + REDACTED;
        last = end3;
        next = end3;
      }
    }
    i = text.indexOf("eyJ", Math.max(next, i + 1));
  }
  return out + text.slice(last);
}

/**
 * Redact the values of sensitive headers.
 *
 * @param headers the headers (a `Headers` or a plain record)
 * @param extra more header names to redact (any case)
 * @returns a plain record, names lower-cased, sensitive values replaced by `[REDACTED]`
 * @example
 * ```ts
 * import { redactHeaders } from "./redact.ts";
 * const h = redactHeaders({ Authorization: "Bearer x", Accept: "a" });
 * if (h["authorization"] !== "[REDACTED]" || h["accept"] !== "a") throw new Error();
 * ```
 */
export function redactHeaders(
  headers: Headers | Record<string, string>,
  extra: readonly string[] = [],
): Record<string, string> {
  const names = new Set([...SENSITIVE_HEADERS, ...extra.map((n) => n.toLowerCase())]);
  const out: Record<string, string> = {};
  const entries = headers instanceof Headers ? headers.entries() : Object.entries(headers);
  for (const [name, value] of entries) {
    const lower = name.toLowerCase();
    out[lower] = names.has(lower) ? REDACTED : value;
  }
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function base64(text: string): string {
  let bin = "";
  for (const b of new TextEncoder().encode(text)) bin += String.fromCharCode(b);
  return btoa(bin);
}

/**
 * Redact known secrets (raw, URL-encoded and base64 forms) and cap-like patterns from a text.
 *
 * @param text the text (a body, a URL, a message)
 * @param secrets the current secret values to remove (empty strings are ignored)
 * @returns the text with every match replaced by `[REDACTED]`
 * @example
 * ```ts
 * import { redactText } from "./redact.ts";
 * const out = redactText('{"a":"my-secret-value","token":"x"}', ["my-secret-value"]);
 * if (out.includes("my-secret-value") || out.includes('"x"')) throw new Error(out);
 * ```
 */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    for (const form of new Set([secret, encodeURIComponent(secret), base64(secret)])) {
      if (out.includes(form)) out = out.replace(new RegExp(escapeRegExp(form), "g"), REDACTED);
    }
  }
  out = redactJwts(out);
  for (const pattern of CAP_PATTERNS) {
    out = out.replace(pattern, (match: string, ...groups: unknown[]) => {
      const [g1, g2] = groups;
      if (typeof g1 === "string" && typeof g2 === "string") return `${g1}${REDACTED}${g2}`;
      if (typeof g1 === "string" && /^(Bearer|Basic)$/i.test(g1)) return `${g1} ${REDACTED}`;
      if (typeof g1 === "string" && g1.endsWith("=")) return `${g1}${REDACTED}`;
      return match.length > 0 ? REDACTED : match;
    });
  }
  return out;
}

/**
 * Deeply redact the string values of a JSON-like value (for Problem `details`).
 *
 * @param value any JSON-like value
 * @param secrets current secret values
 * @returns a copy with every string passed through {@linkcode redactText}
 * @example
 * ```ts
 * import { redactDeep } from "./redact.ts";
 * const v = redactDeep({ a: ["xx-secret-xx"] }, ["xx-secret-xx"]) as { a: string[] };
 * if (v.a[0] !== "[REDACTED]") throw new Error();
 * ```
 */
export function redactDeep(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === "string") return redactText(value, secrets);
  if (depth > 64) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, secrets, depth + 1));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, secrets, depth + 1);
    return out;
  }
  return value;
}
