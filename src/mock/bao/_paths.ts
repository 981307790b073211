/**
 * Internal: how OpenBao 2.7.2 reads a request target, as measured (see `fidelity_test.ts`): Go's
 * `net/http` cleans the escaped path first (a 307 to the cleaned path, query kept), then the path is
 * percent-decoded (`myapp%2Fapi` is `myapp/api`), a decoded `.` or `..` segment is refused, and the
 * `version` query value is parsed like Go's `strconv.ParseInt(s, 0, 64)`.
 *
 * @module
 */

/**
 * Go's `path.Clean` on an absolute path, with net/http's rule that a trailing slash stays.
 *
 * @param p the escaped request path
 * @returns the cleaned path (equal to `p` when nothing needs cleaning)
 */
export function cleanPath(p: string): string {
  if (p === "") return "/";
  const abs = p.startsWith("/") ? p : `/${p}`;
  const out: string[] = [];
  for (const seg of abs.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") out.pop();
    else out.push(seg);
  }
  let np = `/${out.join("/")}`;
  if (abs.endsWith("/") && np !== "/") np += "/";
  return np;
}

/**
 * Percent-decode a path the way Go's `url.PathUnescape` does (`+` stays a plus).
 *
 * @param p the escaped path
 * @returns the decoded path, or undefined for a malformed escape
 */
export function unescapePath(p: string): string | undefined {
  if (/%(?![0-9a-fA-F]{2})/.test(p)) return undefined;
  try {
    return decodeURIComponent(p);
  } catch {
    // a byte sequence that is not UTF-8: keep it as Latin-1, as Go keeps raw bytes
    return p.replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  }
}

/**
 * Go's `url.ParseQuery`: `&`-separated pairs, `+` is a space; a pair with `;` or a bad escape is
 * dropped.
 *
 * @param raw the raw query without `?`
 * @returns each key's values, in order
 */
export function parseQuery(raw: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const pair of raw.split("&")) {
    if (pair === "" || pair.includes(";")) continue;
    const eq = pair.indexOf("=");
    const k = unescapeQuery(eq < 0 ? pair : pair.slice(0, eq));
    const v = unescapeQuery(eq < 0 ? "" : pair.slice(eq + 1));
    if (k === undefined || v === undefined) continue;
    out.set(k, [...(out.get(k) ?? []), v]);
  }
  return out;
}

function unescapeQuery(s: string): string | undefined {
  return unescapePath(s.replaceAll("+", " "));
}

const INT64_MAX = 9223372036854775807n;

/** The outcome of {@linkcode parseVersion}: the version (0: latest), or OpenBao's 400 message. */
export type VersionParse = { ok: true; version: number } | { ok: false; error: string };

const FIELD = `Field validation failed: error converting input for field "version": ''`;

/**
 * The `version` query parameter as OpenBao reads it: absent or empty is 0 (latest); one value is
 * `strconv.ParseInt(v, 0, 64)` (`010` is 8, `0x3` is 3, `1_0` is 10); zero or negative is
 * latest; two values are a 400.
 *
 * @param values the `version` values of the query
 * @returns the version (0: latest) or the 400's message
 */
export function parseVersion(values: readonly string[] | undefined): VersionParse {
  if (values === undefined || values.length === 0) return { ok: true, version: 0 };
  if (values.length > 1) {
    return { ok: false, error: `${FIELD} expected type 'int', got unconvertible type '[]string'` };
  }
  const s = values[0] ?? "";
  if (s === "") return { ok: true, version: 0 };
  const n = goParseInt(s);
  if (n === "syntax") {
    return { ok: false, error: `${FIELD} cannot parse value as 'int': strconv.ParseInt: invalid syntax` };
  }
  if (n === "range") {
    return { ok: false, error: `${FIELD} cannot parse value as 'int': strconv.ParseInt: value out of range` };
  }
  return {
    ok: true,
    version: n <= 0n ? 0 : n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n),
  };
}

function goParseInt(s: string): bigint | "syntax" | "range" {
  let body = s;
  let neg = false;
  if (body.startsWith("+") || body.startsWith("-")) {
    neg = body.startsWith("-");
    body = body.slice(1);
  }
  let base = 10;
  let digits = body;
  let prefixed = false;
  if (/^0[xX]/.test(body)) [base, digits, prefixed] = [16, body.slice(2), true];
  else if (/^0[bB]/.test(body)) [base, digits, prefixed] = [2, body.slice(2), true];
  else if (/^0[oO]/.test(body)) [base, digits, prefixed] = [8, body.slice(2), true];
  else if (/^0./.test(body)) [base, digits, prefixed] = [8, body.slice(1), true];
  // base 0 allows underscores between digits, or right after a base prefix
  if (digits.includes("_")) {
    if (!(prefixed ? /^_?[0-9a-zA-Z]+(_[0-9a-zA-Z]+)*$/ : /^[0-9a-zA-Z]+(_[0-9a-zA-Z]+)*$/).test(digits)) {
      return "syntax";
    }
    digits = digits.replaceAll("_", "");
  }
  if (digits === "") return "syntax";
  const valid = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ }[base];
  if (!valid?.test(digits)) return "syntax";
  let n = 0n;
  for (const ch of digits.toLowerCase()) {
    n = n * BigInt(base) + BigInt(parseInt(ch, 16));
    if (n > INT64_MAX + 1n) return "range";
  }
  if (neg ? n > INT64_MAX + 1n : n > INT64_MAX) return "range";
  return neg ? -n : n;
}

/**
 * Whether a decoded API path has a `.` or `..` segment (OpenBao: 400 "relative paths not
 * supported").
 *
 * @param decoded the percent-decoded path after `/v1/`
 * @returns true when it does
 */
export function hasDotSegment(decoded: string): boolean {
  return decoded.split("/").some((s) => s === "." || s === "..");
}

/**
 * Whether a logical path matches a pattern: exact, or a prefix when the pattern ends in `*`.
 *
 * @param pattern e.g. "secret/data/myapp/*"
 * @param path e.g. "secret/data/myapp/api"
 * @returns true on a match
 */
export function pathMatches(pattern: string, path: string): boolean {
  return pattern.endsWith("*") ? path.startsWith(pattern.slice(0, -1)) : path === pattern;
}
