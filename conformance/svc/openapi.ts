/**
 * A server target from an OpenAPI 3.0/3.1 document (`deno task certify:server --openapi SPEC
 * --base-url URL`): the protected routes, health, lookup, write, rate-limit, SSE and isolation routes
 * a target file would hold are derived from the document (the rules: docs/openapi.md), the
 * credentials come from flags or a target file, and a target file (`--target FILE`, which may then
 * be partial) overrides any derived field. What neither gives leaves the checks that need it
 * `not_applicable`, the reason naming the missing spec element (`_openapi_gaps.ts`).
 *
 * The document is untrusted: read bounded (`_openapi_load.ts`: ≤ 5 MiB, depth and size capped, a
 * URL only on the target's origin), `$ref`s only local and cycle-safe (`_openapi_doc.ts`).
 *
 * @module
 */
import { parse as parseToml } from "smol-toml";
import { errorMessage } from "../../src/util/error_message.ts";
import { readBounded, ReadBoundedError } from "../../src/util/read_bounded.ts";
import {
  checkResolves,
  MAX_FILE_BYTES,
  netHost,
  readNamedFile,
  TargetError,
  tomlErrorText,
  validateTargetFile,
} from "./_target_read.ts";
import { type Credentials, resolveTarget, type Target, TargetFileSchema } from "./target.ts";
import { readSpec } from "./_openapi_load.ts";
import { type Json, parseDoc } from "./_openapi_doc.ts";
import { type Derived, deriveFields } from "./_openapi_derive.ts";
import { applyGaps, type GapElement } from "./_openapi_gaps.ts";

/** The credential flags (`--token-env`, `--issuer-key`, `--issuer`, `--audience`), as target-file keys. */
export interface CredentialFlags {
  token_env?: string;
  issuer_private_key?: string;
  issuer?: string;
  audience?: string;
}

/** Options of {@linkcode loadOpenApiTarget}. */
export interface OpenApiTargetOptions {
  /** the document: a file, or an http(s) URL on the target's origin */
  openapi: string;
  /** the server's base URL (a target file's `base_url` wins) */
  baseUrl?: string;
  /** a target file whose fields override the derived ones (it may be partial) */
  targetFile?: string;
  /** the credential flags (they override the target file's `[credentials]`) */
  credentials?: CredentialFlags;
  /** environment lookup @default Deno.env.get */
  env?: (name: string) => string | undefined;
  /** time limit of each read or fetch @default 10000 */
  timeoutMs?: number;
}

/** The target-file element each derivable key stands for. */
const ELEMENT_KEYS: Record<GapElement, string> = {
  protected: "protected",
  health: "health",
  write: "write",
  strict_write: "write",
  rate_limit: "rate_limit",
  iso: "iso",
};

async function readPartialFile(path: string, timeoutMs: number): Promise<Json> {
  let text: string;
  try {
    text = await readBounded(path, { field: "--target", maxBytes: MAX_FILE_BYTES, timeoutMs });
  } catch (e) {
    throw new TargetError("", `target file: ${e instanceof ReadBoundedError ? e.detail : errorMessage(e)}`);
  }
  try {
    return parseToml(text) as Json;
  } catch (e) {
    throw new TargetError("", `not valid TOML ${tomlErrorText(e)}`);
  }
}

/**
 * Merge the derived fields under the target file's (the file wins, key by key at the top level),
 * keep only the gaps neither fills, and refuse a target with no protected route.
 *
 * @param derived what the document gives
 * @param file the target file's fields (possibly empty)
 * @returns the raw target (placeholders where a gap is) and the gaps left
 */
function merge(derived: Derived, file: Json): { raw: Json; gaps: Partial<Record<GapElement, string>> } {
  const gaps: Partial<Record<GapElement, string>> = {};
  for (const [el, why] of Object.entries(derived.missing) as [GapElement, string][]) {
    if (!Object.hasOwn(file, ELEMENT_KEYS[el])) gaps[el] = why;
  }
  if (gaps.protected !== undefined) {
    throw new TargetError(
      "--openapi",
      `${gaps.protected}: nothing to certify (name [[protected]] routes in a --target file)`,
    );
  }
  const raw: Json = { ...derived.file, ...file };
  // placeholders only to pass validation: applyGaps turns each into a field that throws when read
  if (gaps.write !== undefined) raw["write"] = { method: "POST", path: "/", body: {} };
  if (gaps.rate_limit !== undefined) raw["rate_limit"] = { method: "GET", path: "/", limit: 1 };
  return { raw, gaps };
}

/**
 * Build a server target from an OpenAPI document: read it (bounded), derive the fields, merge a
 * target file over them, resolve the credentials, mark what is missing.
 *
 * @param o the document, base URL, target file, credential flags
 * @returns the resolved target (`inapplicable` lists the checks its gaps leave `not_applicable`)
 * @throws TargetError naming the flag or field that is wrong
 * @example
 * ```ts
 * import { loadOpenApiTarget } from "./openapi.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/spec.json`, JSON.stringify({
 *   openapi: "3.1.0", security: [{ bearer: [] }],
 *   paths: { "/health": { get: { security: [] } }, "/things": { get: {} } },
 * }));
 * const t = await loadOpenApiTarget({
 *   openapi: `${dir}/spec.json`, baseUrl: "http://127.0.0.1:9", credentials: { token_env: "T" },
 *   env: () => "a-token",
 * });
 * await Deno.remove(dir, { recursive: true });
 * if (t.protected[0]?.path !== "/things" || t.inapplicable?.["svc.ratelimit"] === undefined) throw new Error();
 * ```
 */
export async function loadOpenApiTarget(o: OpenApiTargetOptions): Promise<Target> {
  const timeoutMs = o.timeoutMs ?? 10_000;
  const file = o.targetFile === undefined ? {} : await readPartialFile(o.targetFile, timeoutMs);
  const dir = o.targetFile === undefined
    ? Deno.cwd()
    : o.targetFile.includes("/")
    ? o.targetFile.slice(0, o.targetFile.lastIndexOf("/"))
    : ".";
  const baseDir = dir.startsWith("/") ? dir : `${Deno.cwd()}/${dir}`;
  const base = typeof file["base_url"] === "string" ? file["base_url"] : o.baseUrl;
  if (base === undefined) {
    throw new TargetError("--base-url", "required with --openapi (or base_url in --target)");
  }
  if (!URL.canParse(base) || !/^https?:\/\//i.test(base)) {
    throw new TargetError("--base-url", `not an http(s) URL: ${base}`);
  }
  const baseUrl = new URL(base);
  const ca = typeof file["ca_cert"] === "string"
    ? await readNamedFile(
      "ca_cert",
      file["ca_cert"].startsWith("/") ? file["ca_cert"] : `${baseDir}/${file["ca_cert"]}`,
      timeoutMs,
    )
    : undefined;
  const source = /^https?:\/\//i.test(o.openapi) || o.openapi.startsWith("/")
    ? o.openapi
    : `${Deno.cwd()}/${o.openapi}`;
  const doc = parseDoc(await readSpec({ source, baseUrl, timeoutMs, ...(ca ? { caCertPem: ca } : {}) }));
  const derived = deriveFields(doc);
  const fileCreds = typeof file["credentials"] === "object" && file["credentials"] !== null
    ? file["credentials"] as Json
    : {};
  const { raw, gaps } = merge(derived, { ...file, base_url: base });
  raw["credentials"] = { ...fileCreds, ...o.credentials };
  await checkResolves(baseUrl, timeoutMs);
  const t = await resolveTarget(validateTargetFile(raw, TargetFileSchema), {
    baseDir,
    timeoutMs,
    ...(o.env ? { env: o.env } : {}),
  });
  if (derived.writeSchema !== undefined && !Object.hasOwn(file, "write")) {
    t.write.schema = derived.writeSchema;
  }
  return applyGaps(t, gaps);
}

/**
 * The bundled reference server's target as its own OpenAPI document describes it: the document is
 * fetched from the running server (bounded, its origin only), the credentials are the reference's
 * (in memory).
 *
 * @param ref the reference server's target (its base URL, CA and credentials are kept)
 * @param docPath where the server serves its document, e.g. "/openapi.json"
 * @returns the derived target
 * @throws TargetError when the document cannot be read or gives no protected route
 */
export async function referenceOpenApiTarget(ref: Target, docPath: string): Promise<Target> {
  const url = new URL(docPath.replace(/^\/*/, "/"), ref.baseUrl).href;
  const doc = parseDoc(
    await readSpec({
      source: url,
      baseUrl: ref.baseUrl,
      ...(ref.caCertPem ? { caCertPem: ref.caCertPem } : {}),
    }),
  );
  const derived = deriveFields(doc);
  const { raw, gaps } = merge(derived, { base_url: ref.baseUrl.href });
  // the reference's credentials are keys in memory: resolve with a stand-in token, then put them back
  raw["credentials"] = { token_env: "KIT_REFERENCE_TOKEN" };
  const t = await resolveTarget(validateTargetFile(raw, TargetFileSchema), { env: () => "unused" });
  const creds: Credentials = ref.credentials;
  t.credentials = creds;
  if (ref.caCertPem !== undefined) t.caCertPem = ref.caCertPem;
  if (derived.writeSchema !== undefined) t.write.schema = derived.writeSchema;
  return applyGaps(t, gaps);
}

/**
 * The network hosts an `--openapi` run contacts, in `--allow-net` form: the base URL's (the target
 * file's `base_url`, else `--base-url`) and a `jwks_url`'s (which must be on the same origin).
 *
 * @param o the target file (may be partial) and the `--base-url` flag
 * @returns the hosts, e.g. ["staging.example.com:443"]
 * @throws TargetError when there is no usable base URL
 * @example
 * ```ts
 * import { openApiNetHosts } from "./openapi.ts";
 * const hosts = await openApiNetHosts({ baseUrl: "https://api.example.com/v1" });
 * if (hosts.join() !== "api.example.com:443") throw new Error(hosts.join());
 * ```
 */
export async function openApiNetHosts(o: { targetFile?: string; baseUrl?: string }): Promise<string[]> {
  const file = o.targetFile === undefined ? {} : await readPartialFile(o.targetFile, 10_000);
  const base = typeof file["base_url"] === "string" ? file["base_url"] : o.baseUrl;
  if (base === undefined) {
    throw new TargetError("--base-url", "required with --openapi (or base_url in --target)");
  }
  const creds = file["credentials"];
  const jwks = creds !== null && typeof creds === "object" ? (creds as Json)["jwks_url"] : undefined;
  const hosts = new Set<string>();
  for (const u of [base, ...(typeof jwks === "string" ? [jwks] : [])]) {
    if (!URL.canParse(u)) {
      throw new TargetError(u === base ? "base_url" : "credentials.jwks_url", `not a URL: ${u}`);
    }
    const h = netHost(new URL(u));
    if (h === undefined) throw new TargetError("base_url", `host of ${u} cannot be allowed`);
    hosts.add(h);
  }
  return [...hosts];
}
