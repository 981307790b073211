/**
 * The server target file (TOML): what `deno task certify:server --target FILE` probes, and how the
 * kit gets credentials. Parsed with smol-toml, validated with zod; every error names the field.
 * See `example_target.toml` beside this file and docs/DESIGN.md § "Certifying a server".
 *
 * @module
 */
import { parse as parseToml } from "smol-toml";
import { z } from "zod";
import { errorMessage } from "../../src/util/error_message.ts";
import { exportSPKI, importJWK, importPKCS8, importSPKI, type JWK } from "jose";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
const routePath = z.string().regex(/^\/[^\s?#]*$/, "must be a path starting with '/' (no query, no spaces)");
const jsonObject = z.record(z.string(), z.unknown());

/** One route with an example request. */
const RouteSchema = z.object({
  method: z.enum(METHODS).default("GET"),
  path: routePath,
  body: jsonObject.optional(),
}).strict();

/** The raw target file, as written by a vendor. */
export const TargetFileSchema = z.object({
  name: z.string().min(1).default("server"),
  version: z.string().min(1).default("unknown"),
  base_url: z.string().url().refine((u) => /^https?:\/\//.test(u), "must be http:// or https://"),
  health: routePath.default("/health"),
  lookup: z.string().regex(/^\/\S*\{id\}\S*$/, "must be a path containing {id}").optional(),
  body_limit: z.number().int().positive().max(64 * 1024 * 1024).default(65536),
  cors_allowed_origins: z.array(z.string().url()).default([]),
  ca_cert: z.string().min(1).optional(),
  protected: z.array(RouteSchema).min(1, "name at least one protected route"),
  write: RouteSchema.extend({ method: z.enum(["POST", "PUT", "PATCH"]).default("POST"), body: jsonObject }),
  rate_limit: RouteSchema.extend({
    limit: z.number().int().positive().max(1000),
    window_s: z.number().positive().max(3600).default(60),
  }),
  sse: z.object({ path: routePath }).strict().optional(),
  credentials: z.object({
    token_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name")
      .optional(),
    issuer_private_key: z.string().min(1).optional(),
    alg: z.enum(["RS256", "RS384", "RS512", "PS256", "ES256"]).default("RS256"),
    issuer: z.string().min(1).optional(),
    audience: z.string().min(1).optional(),
    kid: z.string().min(1).optional(),
    subject: z.string().min(1).default("conformance-kit"),
    public_key: z.string().min(1).optional(),
    jwks_url: z.string().url().optional(),
  }).strict().refine((c) => c.token_env !== undefined || c.issuer_private_key !== undefined, {
    message: "give token_env or issuer_private_key",
    path: ["token_env"],
  }),
}).strict();

/** The raw target file type. */
export type TargetFile = z.infer<typeof TargetFileSchema>;

/** One route with an example request. */
export interface RouteSpec {
  method: string;
  path: string;
  body?: Record<string, unknown>;
}

/** Credentials, resolved: keys imported, the env token read. Nothing here is ever printed. */
export interface Credentials {
  /** a valid bearer token (from `token_env`) */
  token?: string;
  /** the issuer's private key, to mint valid and forged JWTs */
  issuerKey?: CryptoKey;
  alg: string;
  issuer?: string;
  audience?: string;
  kid?: string;
  subject: string;
  /** the server's public key as SPKI PEM (for the HS256 algorithm-confusion probe) */
  publicKeyPem?: string;
}

/** A parsed, resolved target. */
export interface Target {
  name: string;
  version: string;
  baseUrl: URL;
  health: string;
  lookup?: string;
  bodyLimit: number;
  corsAllowedOrigins: string[];
  /** PEM of a CA to trust for an https target */
  caCertPem?: string;
  protected: RouteSpec[];
  write: RouteSpec & { body: Record<string, unknown> };
  rateLimit: RouteSpec & { limit: number; windowS: number };
  sse?: { path: string };
  credentials: Credentials;
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

/**
 * The capabilities a target has: `https_target` for an https base URL, `sse_route` when it names one.
 *
 * @param t the target
 * @returns the capability names
 * @example
 * ```ts
 * import { targetCapabilities } from "./target.ts";
 * const caps = targetCapabilities({ baseUrl: new URL("https://127.0.0.1:1"), sse: { path: "/e" } });
 * if (!caps.has("https_target") || !caps.has("sse_route")) throw new Error("caps");
 * ```
 */
export function targetCapabilities(t: Pick<Target, "baseUrl" | "sse">): Set<string> {
  const caps = new Set<string>(["http"]);
  if (t.baseUrl.protocol === "https:") caps.add("https_target");
  if (t.sse !== undefined) caps.add("sse_route");
  return caps;
}

/**
 * Parse and validate a target file's text (no file or env access).
 *
 * @param text the TOML text
 * @returns the validated raw target
 * @throws TargetError naming the first bad field
 * @example
 * ```ts
 * import { parseTargetFile, TargetError } from "./target.ts";
 * try {
 *   parseTargetFile('base_url = "nope"');
 *   throw new Error("accepted");
 * } catch (e) {
 *   if (!(e instanceof TargetError) || e.field !== "base_url") throw e;
 * }
 * ```
 */
export function parseTargetFile(text: string): TargetFile {
  let raw: unknown;
  try {
    raw = parseToml(text);
  } catch (e) {
    throw new TargetError("", `not valid TOML: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
  }
  const r = TargetFileSchema.safeParse(raw);
  if (!r.success) {
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
  return r.data;
}

async function readKeyFile(field: string, path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    throw new TargetError(field, `cannot read ${path}: ${errorMessage(e)}`);
  }
}

async function importPrivate(field: string, text: string, alg: string): Promise<CryptoKey> {
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

async function publicPem(field: string, text: string, alg: string): Promise<string> {
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

/** Options of {@linkcode resolveTarget}. */
export interface ResolveOptions {
  /** directory relative paths in the file are resolved against @default Deno.cwd() */
  baseDir?: string;
  /** environment lookup @default Deno.env.get */
  env?: (name: string) => string | undefined;
  /** time limit for fetching `jwks_url` @default 5000 */
  timeoutMs?: number;
}

function resolvePath(baseDir: string, p: string): string {
  return p.startsWith("/") ? p : `${baseDir.replace(/\/$/, "")}/${p}`;
}

/**
 * Resolve a validated target file: read the env token and key files, fetch the JWKS (same host only).
 *
 * @param file the validated raw target
 * @param opts where relative paths start, the environment
 * @returns the resolved target
 * @throws TargetError naming the field that could not be resolved
 */
export async function resolveTarget(file: TargetFile, opts: ResolveOptions = {}): Promise<Target> {
  const baseDir = opts.baseDir ?? Deno.cwd();
  const env = opts.env ?? ((n: string) => Deno.env.get(n));
  const c = file.credentials;
  const baseUrl = new URL(file.base_url);
  const creds: Credentials = { alg: c.alg, subject: c.subject };
  if (c.issuer !== undefined) creds.issuer = c.issuer;
  if (c.audience !== undefined) creds.audience = c.audience;
  if (c.kid !== undefined) creds.kid = c.kid;
  if (c.token_env !== undefined) {
    const tok = env(c.token_env);
    if (tok === undefined || tok.trim() === "") {
      throw new TargetError("credentials.token_env", `environment variable ${c.token_env} is not set`);
    }
    creds.token = tok.trim();
  }
  if (c.issuer_private_key !== undefined) {
    const text = await readKeyFile(
      "credentials.issuer_private_key",
      resolvePath(baseDir, c.issuer_private_key),
    );
    creds.issuerKey = await importPrivate("credentials.issuer_private_key", text, c.alg);
  }
  if (c.public_key !== undefined) {
    const text = await readKeyFile("credentials.public_key", resolvePath(baseDir, c.public_key));
    creds.publicKeyPem = await publicPem("credentials.public_key", text, c.alg);
  } else if (c.jwks_url !== undefined) {
    const u = new URL(c.jwks_url);
    if (u.host !== baseUrl.host) {
      throw new TargetError(
        "credentials.jwks_url",
        `must be on the target's host ${baseUrl.host}, got ${u.host}`,
      );
    }
    creds.publicKeyPem = await fetchJwksPem(u, c.kid, c.alg, opts.timeoutMs ?? 5000);
  }
  let caCertPem: string | undefined;
  if (file.ca_cert !== undefined) {
    caCertPem = await readKeyFile("ca_cert", resolvePath(baseDir, file.ca_cert));
  }
  const t: Target = {
    name: file.name,
    version: file.version,
    baseUrl,
    health: file.health,
    bodyLimit: file.body_limit,
    corsAllowedOrigins: file.cors_allowed_origins,
    protected: file.protected.map(route),
    write: { ...route(file.write), body: file.write.body },
    rateLimit: { ...route(file.rate_limit), limit: file.rate_limit.limit, windowS: file.rate_limit.window_s },
    credentials: creds,
  };
  if (file.lookup !== undefined) t.lookup = file.lookup;
  if (file.sse !== undefined) t.sse = { path: file.sse.path };
  if (caCertPem !== undefined) t.caCertPem = caCertPem;
  return t;
}

function route(r: { method: string; path: string; body?: Record<string, unknown> | undefined }): RouteSpec {
  return r.body === undefined
    ? { method: r.method, path: r.path }
    : { method: r.method, path: r.path, body: r.body };
}

async function fetchJwksPem(
  u: URL,
  kid: string | undefined,
  alg: string,
  timeoutMs: number,
): Promise<string> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  try {
    const res = await fetch(u, { signal: ctl.signal });
    const body: unknown = await res.json();
    const jwks = z.object({ keys: z.array(z.record(z.string(), z.unknown())).min(1) }).parse(body);
    const key = jwks.keys.find((k) => kid === undefined || k["kid"] === kid) ?? jwks.keys[0];
    return await publicPem("credentials.jwks_url", JSON.stringify(key), alg);
  } catch (e) {
    if (e instanceof TargetError) throw e;
    throw new TargetError(
      "credentials.jwks_url",
      `could not fetch a JWKS: ${errorMessage(e)}`,
    );
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Load a target file from disk: parse, validate and resolve it (paths relative to the file).
 *
 * @param path the TOML file
 * @param opts environment lookup override
 * @returns the resolved target
 * @throws TargetError naming the bad field
 */
export async function loadTarget(path: string, opts: Omit<ResolveOptions, "baseDir"> = {}): Promise<Target> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new TargetError("", `cannot read target file ${path}: ${errorMessage(e)}`);
  }
  const file = parseTargetFile(text);
  const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : ".";
  return await resolveTarget(file, { ...opts, baseDir: dir.startsWith("/") ? dir : `${Deno.cwd()}/${dir}` });
}
