/**
 * Canonical Secret URIs (seed 003): `provider[+engine]://mount/path…[#fragment][?query]`,
 * e.g. `openbao+kv2://secret/myapp/api#token?version=3`.
 *
 * Canonical form: `provider+engine://mount/seg/…[#fragment][?k=v&…]`
 * - scheme lower-cased; the engine made explicit (`openbao://…` → `openbao+kv2://…`);
 * - percent-escapes of unreserved characters decoded (`%41` → `A`, `%2e` → `.`);
 * - the fragment before the query (the input may give them in either order);
 * - query parameters sorted by name.
 *
 * Checks, in this order (the first failure is the error):
 * 1. `tenant_id` matches `[A-Za-z0-9._-]{1,128}` → else `bad_tenant`.
 * 2. at most 2048 characters → else `too_long`; only printable ASCII, no space → else `invalid_char`.
 * 3. scheme `provider[+engine]` before `://`, each `[A-Za-z][A-Za-z0-9-]*` → else `bad_scheme`;
 *    provider in {@link SECRET_PROVIDERS} → else `unknown_provider`; engine in
 *    {@link SECRET_ENGINES} (default `kv2`) → else `unknown_engine`.
 * 4. at most one `#` and one `?`: fragment `[A-Za-z0-9._-]+`, not `.`/`..` → else `bad_fragment`.
 * 5. path segments, left to right: empty (leading, doubled or trailing `/`) → `empty_segment`;
 *    `%2F` → `encoded_slash`; a malformed escape or an escape of anything but an unreserved
 *    character → `invalid_encoding`; other characters outside `[A-Za-z0-9._~*-]` →
 *    `invalid_char`; `.` or `..` (after decoding) → `dot_segment`; `*` anywhere but as the whole
 *    last segment → `wildcard` (a final `*` with a fragment or `version` is `wildcard` too).
 *    A mount with no path after it → `missing_path`.
 * 6. query: `name=value` pairs joined by `&`, name `[a-z][a-z0-9_]*`, value `[A-Za-z0-9._-]+` →
 *    else `bad_query`; a name twice → `duplicate_param`; `version` a positive integer without
 *    leading zero (at most 10 digits) → else `bad_version`.
 * 7. tenant mount guard: the mount is one of `allowed_mounts` exactly → else `mount_not_allowed`.
 *
 * @module
 */

/** Providers the kit knows. */
export const SECRET_PROVIDERS: readonly string[] = ["openbao", "hashicorp"];
/** Engines the kit knows; the first is the default. */
export const SECRET_ENGINES: readonly string[] = ["kv2"];

/** A closed set of secret-URI error codes. */
export type SecretUriErrorCode =
  | "bad_tenant"
  | "too_long"
  | "invalid_char"
  | "bad_scheme"
  | "unknown_provider"
  | "unknown_engine"
  | "bad_fragment"
  | "empty_segment"
  | "encoded_slash"
  | "invalid_encoding"
  | "dot_segment"
  | "wildcard"
  | "missing_path"
  | "bad_query"
  | "duplicate_param"
  | "bad_version"
  | "mount_not_allowed";

/** Every {@link SecretUriErrorCode}. */
export const SECRET_URI_ERROR_CODES: readonly SecretUriErrorCode[] = [
  "bad_tenant",
  "too_long",
  "invalid_char",
  "bad_scheme",
  "unknown_provider",
  "unknown_engine",
  "bad_fragment",
  "empty_segment",
  "encoded_slash",
  "invalid_encoding",
  "dot_segment",
  "wildcard",
  "missing_path",
  "bad_query",
  "duplicate_param",
  "bad_version",
  "mount_not_allowed",
];

/** A parsed, canonicalised secret URI. */
export interface SecretUri {
  provider: string;
  engine: string;
  mount: string;
  /** segments after the mount, decoded */
  path: string[];
  fragment: string | null;
  /** query parameters, sorted by name */
  params: [string, string][];
  /** the `version` parameter, if any */
  version: number | null;
}

/** Result of {@link parseSecretUri}. */
export type SecretUriParse =
  | { ok: true; uri: SecretUri; canonical: string }
  | { ok: false; error: { code: SecretUriErrorCode; message: string } };

const MESSAGES: Readonly<Record<SecretUriErrorCode, string>> = {
  bad_tenant: "tenant id is empty or has characters outside [A-Za-z0-9._-]",
  too_long: "secret URI is longer than 2048 characters",
  invalid_char: "secret URI has a character that is not allowed",
  bad_scheme: "secret URI scheme must be provider[+engine]://",
  unknown_provider: "secret URI names an unknown provider",
  unknown_engine: "secret URI names an unknown engine",
  bad_fragment: "secret URI fragment is empty, repeated or malformed",
  empty_segment: "secret URI path has an empty segment",
  encoded_slash: "secret URI path has an encoded slash (%2F)",
  invalid_encoding: "secret URI path has a malformed or disallowed percent-escape",
  dot_segment: "secret URI path has a '.' or '..' segment",
  wildcard: "secret URI has '*' other than as the whole last segment",
  missing_path: "secret URI has a mount but no secret path",
  bad_query: "secret URI query is malformed",
  duplicate_param: "secret URI query repeats a parameter",
  bad_version: "secret URI version must be a positive integer without leading zeros",
  mount_not_allowed: "secret URI mount is not allowed for this tenant",
};

class UriError extends Error {
  constructor(readonly code: SecretUriErrorCode) {
    super(code);
  }
}

const fail = (code: SecretUriErrorCode): never => {
  throw new UriError(code);
};

const UNRESERVED = /^[A-Za-z0-9._~-]$/;

function decodeSegment(seg: string): string {
  if (seg === "") fail("empty_segment");
  let out = "";
  for (let i = 0; i < seg.length; i++) {
    const c = seg.charAt(i);
    if (c === "%") {
      const hex = seg.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) fail("invalid_encoding");
      const ch = String.fromCharCode(parseInt(hex, 16));
      if (ch === "/") fail("encoded_slash");
      if (!UNRESERVED.test(ch)) fail("invalid_encoding");
      out += ch;
      i += 2;
    } else if (UNRESERVED.test(c) || c === "*") out += c;
    else fail("invalid_char");
  }
  return out;
}

/** Render a parsed secret URI in canonical form. */
export function toCanonicalSecretUri(u: SecretUri): string {
  const frag = u.fragment === null ? "" : `#${u.fragment}`;
  const query = u.params.length === 0 ? "" : `?${u.params.map(([k, v]) => `${k}=${v}`).join("&")}`;
  return `${u.provider}+${u.engine}://${[u.mount, ...u.path].join("/")}${frag}${query}`;
}

function parse(pointer: string, tenantId: string, allowedMounts: readonly string[]): SecretUri {
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(tenantId)) fail("bad_tenant");
  if (pointer.length > 2048) fail("too_long");
  if (!/^[\x21-\x7e]*$/.test(pointer)) fail("invalid_char");
  const sep = pointer.indexOf("://");
  if (sep < 0) fail("bad_scheme");
  const m = /^([A-Za-z][A-Za-z0-9-]*)(?:\+([A-Za-z][A-Za-z0-9-]*))?$/.exec(pointer.slice(0, sep));
  if (m === null) return fail("bad_scheme");
  const provider = (m[1] ?? "").toLowerCase();
  const engine = (m[2] ?? SECRET_ENGINES[0] ?? "kv2").toLowerCase();
  if (!SECRET_PROVIDERS.includes(provider)) fail("unknown_provider");
  if (!SECRET_ENGINES.includes(engine)) fail("unknown_engine");

  const rest = pointer.slice(sep + 3);
  const hashes = rest.split("#").length - 1;
  const questions = rest.split("?").length - 1;
  if (hashes > 1) fail("bad_fragment");
  if (questions > 1) fail("bad_query");
  const h = rest.indexOf("#");
  const q = rest.indexOf("?");
  let pathPart = rest;
  let fragment: string | null = null;
  let query: string | null = null;
  if (h >= 0 && (q < 0 || h < q)) {
    pathPart = rest.slice(0, h);
    fragment = q < 0 ? rest.slice(h + 1) : rest.slice(h + 1, q);
    if (q >= 0) query = rest.slice(q + 1);
  } else if (q >= 0) {
    pathPart = rest.slice(0, q);
    query = h < 0 ? rest.slice(q + 1) : rest.slice(q + 1, h);
    if (h >= 0) fragment = rest.slice(h + 1);
  }
  if (fragment !== null && (!/^[A-Za-z0-9._-]+$/.test(fragment) || fragment === "." || fragment === "..")) {
    fail("bad_fragment");
  }

  const raw = pathPart.split("/");
  const segs = raw.map(decodeSegment);
  segs.forEach((s, i) => {
    if (s === "." || s === "..") fail("dot_segment");
    if (s.includes("*") && (s !== "*" || i !== segs.length - 1 || i === 0)) fail("wildcard");
  });
  if (segs.length < 2) fail("missing_path");

  const params: [string, string][] = [];
  if (query !== null) {
    for (const pair of query.split("&")) {
      const pm = /^([a-z][a-z0-9_]*)=([A-Za-z0-9._-]+)$/.exec(pair);
      if (pm === null) return fail("bad_query");
      const k = pm[1] ?? "";
      if (params.some(([x]) => x === k)) fail("duplicate_param");
      params.push([k, pm[2] ?? ""]);
    }
  }
  params.sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
  const vs = params.find(([k]) => k === "version")?.[1];
  if (vs !== undefined && !/^[1-9][0-9]{0,9}$/.test(vs)) fail("bad_version");
  const version = vs === undefined ? null : Number(vs);
  if (segs[segs.length - 1] === "*" && (fragment !== null || version !== null)) fail("wildcard");

  const [mount = "", ...path] = segs;
  if (!allowedMounts.includes(mount)) fail("mount_not_allowed");
  return { provider, engine, mount, path, fragment, params, version };
}

/**
 * Parse, canonicalise and tenant-guard a secret URI (seed 003 `SecretURI.parse`). Never throws.
 *
 * @param pointer the secret URI as given
 * @param tenantId the caller's tenant
 * @param allowedMounts the mounts this tenant may read (exact match; `*` has no special meaning)
 * @returns the parsed URI and its canonical string, or the first error (see the module doc)
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const r = parseSecretUri("OpenBao://secret/app/api?version=3#token", "dev", ["secret"]);
 * assert.ok(r.ok);
 * assert.equal(r.canonical, "openbao+kv2://secret/app/api#token?version=3");
 * ```
 */
export function parseSecretUri(pointer: string, tenantId: string, allowedMounts: string[]): SecretUriParse {
  try {
    const uri = parse(pointer, tenantId, allowedMounts);
    return { ok: true, uri, canonical: toCanonicalSecretUri(uri) };
  } catch (e) {
    if (e instanceof UriError) return { ok: false, error: { code: e.code, message: MESSAGES[e.code] } };
    throw e;
  }
}
