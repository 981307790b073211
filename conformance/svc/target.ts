/**
 * The server target file (TOML): what `deno task certify:server --target FILE` probes, and how the
 * kit gets credentials. Read bounded (a regular file, ≤ 1 MiB, like every file it names), parsed
 * with smol-toml, validated with zod; every error names the field (a TOML error its line). The hosts
 * it names ({@linkcode targetNetHosts}) are the only ones a run against it may contact. See `example_target.toml` beside this file and docs/DESIGN.md § "Certifying a server".
 *
 * @module
 */
import { parse as parseToml } from "smol-toml";
import { z } from "zod";
import { errorMessage } from "../../src/util/error_message.ts";
import { readBounded, ReadBoundedError } from "../../src/util/read_bounded.ts";
import {
  checkResolves,
  fetchJwksPem,
  importPrivate,
  MAX_FILE_BYTES,
  netHost,
  publicPem,
  readNamedFile,
  TargetError,
  tomlErrorText,
  validateTargetFile,
} from "./_target_read.ts";
import { type ChaosBounds, chaosBounds, ChaosTableSchema } from "./_target_chaos.ts";
import { JWS_ALGORITHMS } from "./_jwt_algs.ts";
import { IsoFileSchema, type IsoTarget, resolveIso } from "./_iso_target.ts";

export { MAX_FILE_BYTES, netHost, TargetError };

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
const routePath = z.string().regex(/^\/[^\s?#]*$/, "must be a path starting with '/' (no query, no spaces)");
const jsonObject = z.record(z.string(), z.unknown());

/** An http(s) URL whose host the kit can allow (see {@linkcode netHost}). */
const httpUrl = z.string().url().refine((u) => /^https?:\/\//i.test(u), "must be http:// or https://")
  .refine((u) => URL.canParse(u) ? netHost(new URL(u)) !== undefined : true, {
    error: (iss) =>
      `host ${JSON.stringify(hostOf(iss.input))} cannot be allowed: not a valid host name or address`,
  });

function hostOf(u: unknown): string {
  try {
    return new URL(String(u)).hostname;
  } catch {
    return String(u);
  }
}

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
  base_url: httpUrl,
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
  chaos: ChaosTableSchema.optional(),
  iso: IsoFileSchema.optional(),
  credentials: z.object({
    token_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name")
      .optional(),
    issuer_private_key: z.string().min(1).optional(),
    alg: z.enum(["RS256", "RS384", "RS512", "PS256", "ES256"]).default("RS256"),
    /** every JWS algorithm the server accepts (default: just `alg`); see `_jwt_algs.ts` */
    algorithms: z.array(z.enum(JWS_ALGORITHMS)).min(1).max(JWS_ALGORITHMS.length).optional(),
    issuer: z.string().min(1).optional(),
    audience: z.string().min(1).optional(),
    kid: z.string().min(1).optional(),
    subject: z.string().min(1).default("conformance-kit"),
    public_key: z.string().min(1).optional(),
    jwks_url: httpUrl.optional(),
  }).strict().refine((c) => c.token_env !== undefined || c.issuer_private_key !== undefined, {
    message: "give token_env or issuer_private_key",
    path: ["token_env"],
  }).refine((c) => c.algorithms === undefined || c.algorithms.includes(c.alg), {
    message: "must include credentials.alg (the algorithm of the kit's valid tokens)",
    path: ["algorithms"],
  }),
}).strict().superRefine((f, ctx) => {
  const jwks = f.credentials?.jwks_url;
  if (jwks === undefined || !URL.canParse(jwks) || !URL.canParse(f.base_url)) return;
  const base = new URL(f.base_url).origin;
  if (new URL(jwks).origin !== base) {
    ctx.addIssue({
      code: "custom",
      path: ["credentials", "jwks_url"],
      message: `must be on the target's origin ${base}, got ${new URL(jwks).origin}`,
    });
  }
});

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
  /** every JWS algorithm the server accepts (absent: just `alg`) */
  algorithms?: string[];
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
  /** the write route; `schema`: its request schema when an OpenAPI document gave it (svc.prop.fuzz) */
  write: RouteSpec & { body: Record<string, unknown>; schema?: Record<string, unknown> };
  rateLimit: RouteSpec & { limit: number; windowS: number };
  sse?: { path: string };
  /** the `svc.chaos.*` bounds (`[chaos]`; the defaults when absent) */
  chaos?: ChaosBounds;
  /** what the svc.iso.* checks need (two identities, the resource routes) */
  iso?: IsoTarget;
  credentials: Credentials;
  /** checks (ids or id prefixes) this target cannot be judged by, and why (an OpenAPI document's gaps) */
  inapplicable?: Readonly<Record<string, string>>;
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
    throw new TargetError("", `not valid TOML ${tomlErrorText(e)}`);
  }
  return validateTargetFile(raw, TargetFileSchema);
}

/** Options of {@linkcode resolveTarget}. */
export interface ResolveOptions {
  /** directory relative paths in the file are resolved against @default Deno.cwd() */
  baseDir?: string;
  /** environment lookup @default Deno.env.get */
  env?: (name: string) => string | undefined;
  /** time limit for reading each named file, and for fetching `jwks_url` @default 10000 */
  timeoutMs?: number;
}

function resolvePath(baseDir: string, p: string): string {
  return p.startsWith("/") ? p : `${baseDir.replace(/\/$/, "")}/${p}`;
}

/**
 * Resolve a validated target file: read the env token and the key and CA files (bounded), fetch
 * the JWKS (the target's origin only, no redirects, bounded in size and time).
 *
 * @param file the validated raw target
 * @param opts where relative paths start, the environment, the time limit
 * @returns the resolved target
 * @throws TargetError naming the field that could not be resolved
 */
export async function resolveTarget(file: TargetFile, opts: ResolveOptions = {}): Promise<Target> {
  const baseDir = opts.baseDir ?? Deno.cwd();
  const env = opts.env ?? ((n: string) => Deno.env.get(n));
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const c = file.credentials;
  const baseUrl = new URL(file.base_url);
  const creds: Credentials = { alg: c.alg, subject: c.subject };
  if (c.issuer !== undefined) creds.issuer = c.issuer;
  if (c.audience !== undefined) creds.audience = c.audience;
  if (c.kid !== undefined) creds.kid = c.kid;
  if (c.algorithms !== undefined) creds.algorithms = [...new Set(c.algorithms)];
  if (c.token_env !== undefined) {
    const tok = env(c.token_env);
    if (tok === undefined || tok.trim() === "") {
      throw new TargetError("credentials.token_env", `environment variable ${c.token_env} is not set`);
    }
    creds.token = tok.trim();
  }
  if (c.issuer_private_key !== undefined) {
    const field = "credentials.issuer_private_key";
    const text = await readNamedFile(field, resolvePath(baseDir, c.issuer_private_key), timeoutMs);
    creds.issuerKey = await importPrivate(field, text, c.alg);
  }
  let caCertPem: string | undefined;
  if (file.ca_cert !== undefined) {
    caCertPem = await readNamedFile("ca_cert", resolvePath(baseDir, file.ca_cert), timeoutMs);
  }
  if (c.public_key !== undefined) {
    const field = "credentials.public_key";
    const text = await readNamedFile(field, resolvePath(baseDir, c.public_key), timeoutMs);
    creds.publicKeyPem = await publicPem(field, text, c.alg);
  } else if (c.jwks_url !== undefined) {
    const u = new URL(c.jwks_url);
    if (u.origin !== baseUrl.origin) {
      throw new TargetError("credentials.jwks_url", `must be on the target's origin ${baseUrl.origin}`);
    }
    creds.publicKeyPem = await fetchJwksPem(u, { kid: c.kid, alg: c.alg, timeoutMs, caCertPem });
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
  t.chaos = chaosBounds(file.chaos);
  if (file.iso !== undefined) t.iso = resolveIso(file.iso, file.write, env);
  if (caCertPem !== undefined) t.caCertPem = caCertPem;
  return t;
}

function route(r: { method: string; path: string; body?: Record<string, unknown> | undefined }): RouteSpec {
  return r.body === undefined
    ? { method: r.method, path: r.path }
    : { method: r.method, path: r.path, body: r.body };
}

/**
 * Read and validate a target file, bounded (a regular file of at most 1 MiB, read within the time
 * limit); nothing it names is read or fetched yet.
 *
 * @param path the TOML file
 * @param timeoutMs the time limit @default 10000
 * @returns the validated raw target
 * @throws TargetError naming the bad field (the whole file: "")
 */
export async function readTargetFile(path: string, timeoutMs = 10_000): Promise<TargetFile> {
  let text: string;
  try {
    text = await readBounded(path, { field: "--target", maxBytes: MAX_FILE_BYTES, timeoutMs });
  } catch (e) {
    throw new TargetError("", `target file: ${e instanceof ReadBoundedError ? e.detail : errorMessage(e)}`);
  }
  return parseTargetFile(text);
}

/**
 * The network hosts a run against this target contacts, in `--allow-net` form (`host:port`):
 * the base URL's origin (the JWKS URL must be on it).
 *
 * @param file the validated raw target
 * @returns the hosts, e.g. ["staging.example.com:443"]
 * @example
 * ```ts
 * import { parseTargetFile, targetNetHosts } from "./target.ts";
 * const f = parseTargetFile(`base_url = "https://staging.example.com"
 * [[protected]]
 * path = "/items"
 * [write]
 * path = "/items"
 * body = {}
 * [rate_limit]
 * path = "/o"
 * limit = 1
 * [credentials]
 * token_env = "T"`);
 * if (targetNetHosts(f).join() !== "staging.example.com:443") throw new Error();
 * ```
 */
export function targetNetHosts(file: TargetFile): string[] {
  const urls = [
    file.base_url,
    ...(file.credentials.jwks_url === undefined ? [] : [file.credentials.jwks_url]),
  ];
  const hosts = new Set<string>();
  for (const u of urls) {
    const h = netHost(new URL(u));
    if (h !== undefined) hosts.add(h);
  }
  return [...hosts];
}

/**
 * Load a target file from disk: read (bounded), parse, validate, check that the base URL's host
 * resolves, and resolve the credentials (paths relative to the file).
 *
 * @param path the TOML file
 * @param opts environment lookup override, time limit
 * @returns the resolved target
 * @throws TargetError naming the bad field
 */
export async function loadTarget(path: string, opts: Omit<ResolveOptions, "baseDir"> = {}): Promise<Target> {
  const file = await readTargetFile(path, opts.timeoutMs);
  await checkResolves(new URL(file.base_url), opts.timeoutMs ?? 10_000);
  const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : ".";
  return await resolveTarget(file, { ...opts, baseDir: dir.startsWith("/") ? dir : `${Deno.cwd()}/${dir}` });
}
