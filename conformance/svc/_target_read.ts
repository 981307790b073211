/**
 * What loading a target reads from outside, each bounded: the files it names (regular files of at
 * most 1 MiB, read in time), its JWKS (the target's origin only, no redirects, ≤ 1 MiB, in time),
 * the resolution of its host; and the errors, each naming the field. Used by `target.ts`.
 *
 * @module
 */
import { z } from "zod";
import { exportSPKI, importJWK, importPKCS8, importSPKI, type JWK } from "jose";
import { deadline } from "../../src/util/deadline.ts";
import { errorMessage } from "../../src/util/error_message.ts";
import { readBounded, ReadBoundedError } from "../../src/util/read_bounded.ts";

/** The most bytes the kit reads from the target file, a key or CA file, or a JWKS response. */
export const MAX_FILE_BYTES = 1024 * 1024;

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

/**
 * The `host:port` a URL's origin is allowed as (`--allow-net` syntax), or undefined when its host
 * is not a name the kit can allow: letters, digits, `-`, `_` in dot-separated labels (no empty
 * label, no trailing dot), an IPv4 address or a bracketed IPv6 address.
 *
 * @param u an http(s) URL
 * @returns e.g. "staging.example.com:443", or undefined
 * @example
 * ```ts
 * import { netHost } from "./_target_read.ts";
 * if (netHost(new URL("https://staging.example.com/api")) !== "staging.example.com:443") throw new Error();
 * if (netHost(new URL("http://a*b/")) !== undefined) throw new Error();
 * ```
 */
export function netHost(u: URL): string | undefined {
  const h = u.hostname;
  const port = u.port === "" ? (u.protocol === "https:" ? "443" : "80") : u.port;
  if (/^\[[0-9a-f:.]+\]$/.test(h)) return `${h}:${port}`;
  if (h.length === 0 || h.length > 253) return undefined;
  if (!h.split(".").every((l) => LABEL.test(l))) return undefined;
  return `${h}:${port}`;
}

/** Why a target could not be loaded: the field and what is wrong with it. */
export class TargetError extends Error {
  /** the dotted field path, e.g. "credentials.token_env" ("" for the whole file) */
  readonly field: string;
  /**
   * @param field the dotted field path
   * @param message what is wrong
   */
  constructor(field: string, message: string) {
    super(field === "" ? message : `field "${field}": ${message}`);
    this.name = "TargetError";
    this.field = field;
  }
}

/** "(line 2, column 5): invalid value" from a smol-toml error (which carries line and column). */
export function tomlErrorText(e: unknown): string {
  const first = (e instanceof Error ? e.message.split("\n")[0] ?? "" : String(e))
    .replace(/^Invalid TOML document:\s*/, "");
  const at = e !== null && typeof e === "object" ? e as { line?: unknown; column?: unknown } : {};
  return typeof at.line === "number" && typeof at.column === "number"
    ? `(line ${at.line}, column ${at.column}): ${first}`
    : `: ${first}`;
}

/**
 * Check a parsed target file against its schema; the first problem becomes a {@link TargetError}
 * naming its dotted field ("required" when the field is absent, "unknown field" for a stray key).
 *
 * @param raw the parsed file
 * @param schema the file's zod schema
 * @returns the validated file
 * @example
 * ```ts
 * import { z } from "zod";
 * import { TargetError, validateTargetFile } from "./_target_read.ts";
 * const S = z.strictObject({ base_url: z.string() });
 * if (validateTargetFile({ base_url: "x" }, S).base_url !== "x") throw new Error();
 * try {
 *   validateTargetFile({}, S);
 *   throw new Error("accepted");
 * } catch (e) {
 *   if (!(e instanceof TargetError) || e.message !== 'field "base_url": required') throw e;
 * }
 * ```
 */
export function validateTargetFile<T>(raw: unknown, schema: z.ZodType<T>): T {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const path = (issue?.path ?? []).map(String);
  if (issue?.code === "unrecognized_keys") {
    throw new TargetError(
      [...path, issue.keys[0] ?? ""].join("."),
      "unknown field (check its spelling and table)",
    );
  }
  let at: unknown = raw;
  for (const k of path) {
    at = at !== null && typeof at === "object" ? (at as Record<string, unknown>)[k] : undefined;
  }
  const missing = issue?.code === "invalid_type" && at === undefined;
  throw new TargetError(path.join("."), missing ? "required" : issue?.message ?? "invalid");
}

/** Read a file the target names, bounded (regular files only, ≤ 1 MiB, ≤ 10 s). */
export async function readNamedFile(field: string, path: string, timeoutMs: number): Promise<string> {
  try {
    return await readBounded(path, { field, maxBytes: MAX_FILE_BYTES, timeoutMs });
  } catch (e) {
    if (e instanceof ReadBoundedError) throw new TargetError(field, e.detail);
    throw new TargetError(field, `cannot read ${path}: ${errorMessage(e)}`);
  }
}

/** Import the issuer's private key (JWK or PKCS#8 PEM). */
export async function importPrivate(field: string, text: string, alg: string): Promise<CryptoKey> {
  try {
    if (text.trimStart().startsWith("{")) {
      const k = await importJWK(JSON.parse(text) as JWK, alg);
      if (k instanceof Uint8Array) throw new Error("a symmetric JWK is not an issuer key");
      return k;
    }
    return await importPKCS8(text, alg);
  } catch (e) {
    if (e instanceof TargetError) throw e;
    throw new TargetError(
      field,
      `not a ${alg} private key (JWK or PKCS#8 PEM): ${errorMessage(e)}`,
    );
  }
}

/** A public key (JWK, JWKS or SPKI PEM) as SPKI PEM. */
export async function publicPem(field: string, text: string, alg: string): Promise<string> {
  try {
    if (text.trimStart().startsWith("{")) {
      const parsed: unknown = JSON.parse(text);
      const jwk = z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).safeParse(parsed);
      const one = jwk.success ? jwk.data.keys[0] : parsed;
      const k = await importJWK(z.record(z.string(), z.unknown()).parse(one) as JWK, alg, {
        extractable: true,
      });
      if (k instanceof Uint8Array) throw new Error("a symmetric JWK is not a public key");
      return await exportSPKI(k);
    }
    await importSPKI(text, alg);
    return text;
  } catch (e) {
    throw new TargetError(
      field,
      `not a public key (JWK, JWKS or SPKI PEM): ${errorMessage(e)}`,
    );
  }
}

const JwksSchema = z.object({ keys: z.array(z.record(z.string(), z.unknown())).min(1) });

/** What {@link fetchBoundedText} needs: whose field an error names, and its bounds. */
export interface BoundedFetch {
  /** the target field (or flag) an error names */
  field: string;
  /** the whole fetch, body included, within this many ms */
  timeoutMs: number;
  /** the most bytes of body read */
  maxBytes: number;
  /** a CA the target's TLS server certificate chains to, if not a public one */
  caCertPem: string | undefined;
  /** why a redirect is refused, after "redirects are refused" (e.g. "the JWKS must be served at this URL") */
  servedHere: string;
}

/**
 * GET a JSON document from this URL only (a redirect is refused), at most `maxBytes`, within the time
 * limit; every failure is a {@link TargetError} naming `field`.
 *
 * @param u the document's URL
 * @param o the field and bounds
 * @returns the body's text
 * @example
 * ```ts
 * import { fetchBoundedText, TargetError } from "./_target_read.ts";
 * const o = { field: "x", timeoutMs: 500, maxBytes: 1024, caCertPem: undefined, servedHere: "here" };
 * await fetchBoundedText(new URL("http://127.0.0.1:9/"), o).then(() => { throw new Error("fetched") }, (e) => {
 *   if (!(e instanceof TargetError)) throw e;
 * });
 * ```
 */
export async function fetchBoundedText(u: URL, o: BoundedFetch): Promise<string> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), o.timeoutMs);
  const client = o.caCertPem === undefined ? undefined : Deno.createHttpClient({ caCerts: [o.caCertPem] });
  const t0 = performance.now();
  try {
    const init: RequestInit & { client?: Deno.HttpClient } = {
      signal: ctl.signal,
      redirect: "manual",
      headers: { accept: "application/json" },
    };
    if (client !== undefined) init.client = client;
    const res = await fetch(u, init);
    const refuse = async (why: string): Promise<never> => {
      await res.body?.cancel().catch(() => {});
      throw new TargetError(o.field, `${u.href} ${why}`);
    };
    if (res.status >= 300 && res.status < 400) {
      await refuse(
        `answered ${res.status} to ${
          JSON.stringify(res.headers.get("location") ?? "")
        }: redirects are refused, not followed (${o.servedHere})`,
      );
    }
    if (res.status !== 200) await refuse(`answered HTTP ${res.status}, not 200`);
    const declared = Number(res.headers.get("content-length") ?? "0");
    if (declared > o.maxBytes) {
      await refuse(`declares ${declared} bytes, larger than the limit of ${o.maxBytes} bytes`);
    }
    if (res.body === null) return await refuse("answered with no body");
    return await readBounded(res.body, {
      field: o.field,
      maxBytes: o.maxBytes,
      timeoutMs: Math.max(1, o.timeoutMs - (performance.now() - t0)),
    });
  } catch (e) {
    if (e instanceof TargetError) throw e;
    if (ctl.signal.aborted || (e instanceof ReadBoundedError && / took longer than /.test(e.detail))) {
      throw new TargetError(o.field, `${u.href}: no complete answer within ${o.timeoutMs} ms`);
    }
    if (e instanceof ReadBoundedError) throw new TargetError(o.field, `${u.href}: ${e.detail}`);
    throw new TargetError(o.field, `could not fetch ${u.href}: ${errorMessage(e)}`);
  } finally {
    clearTimeout(timer);
    client?.close();
  }
}

/** GET the JWKS: this URL only (a redirect is refused), ≤ 1 MiB, within the time limit. */
export async function fetchJwksPem(
  u: URL,
  o: { kid: string | undefined; alg: string; timeoutMs: number; caCertPem: string | undefined },
): Promise<string> {
  const field = "credentials.jwks_url";
  const text = await fetchBoundedText(u, {
    field,
    timeoutMs: o.timeoutMs,
    maxBytes: MAX_FILE_BYTES,
    caCertPem: o.caCertPem,
    servedHere: "the JWKS must be served at this URL, on the target's origin",
  });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new TargetError(field, `${u.href} answered with invalid JSON: ${errorMessage(e)}`);
  }
  const jwks = JwksSchema.safeParse(body);
  if (!jwks.success) throw new TargetError(field, `${u.href} is not a JWKS (no non-empty "keys" array)`);
  const key = jwks.data.keys.find((k) => o.kid === undefined || k["kid"] === o.kid) ?? jwks.data.keys[0];
  return await publicPem(field, JSON.stringify(key), o.alg);
}

const IP_LITERAL = /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:.]+\])$/i;

/** A base URL whose host name does not resolve is a target error (not 30 failed probes). */
export async function checkResolves(baseUrl: URL, timeoutMs: number): Promise<void> {
  if (IP_LITERAL.test(baseUrl.hostname)) return;
  const port = Number(baseUrl.port || (baseUrl.protocol === "https:" ? 443 : 80));
  const attempt = Deno.connect({ hostname: baseUrl.hostname, port });
  try {
    const r = await deadline(attempt, Math.min(timeoutMs, 5000));
    if (r.ok) r.value.close();
    else void attempt.then((c) => c.close(), () => {});
  } catch (e) {
    if (/failed to lookup address|name resolution|not known/i.test(errorMessage(e))) {
      throw new TargetError("base_url", `host ${baseUrl.hostname} does not resolve: ${errorMessage(e)}`);
    }
    // refused, unreachable, …: the checks see it and say so
  }
}
