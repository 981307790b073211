/**
 * The KVv2 provider of the secrets client (seed 003 steps 6–7): one read of
 * `GET /v1/<mount>/data/<path>?version=N` with the token in `X-Vault-Token` only, the pinned version
 * checked on the answer, soft-deleted / destroyed / missing typed apart, optional response wrapping
 * with an exact `creation_path` check and exactly one unwrap, bounded retries of transient failures
 * (never of a 403), and no redirect followed. Internal.
 *
 * @module
 */
import type { SecretsBehaviour } from "./_faults.ts";
import type { GuardedUri } from "./_guard.ts";
import { exchange, type HttpAnswer, type HttpRequest, type HttpRuntime } from "./_http.ts";
import { SecretsError } from "./errors.ts";

/** What one KV read needs. */
export interface KvRuntime {
  readonly http: HttpRuntime;
  /** the vault's base URL, without a trailing `/` */
  readonly vaultAddr: string;
  /** the token, read at each request (empty once the client is closed) */
  token(): string;
  /** retries after the first attempt, for transient failures */
  readonly maxRetries: number;
  /** the time limit of one exchange, in ms */
  readonly timeoutMs: number;
  readonly behaviour: SecretsBehaviour;
  /** a debug log line (never a value or a token, unless a mutant's fault says so) */
  log(line: string): void;
}

/** A successful read: the data object and the version the server says it is. */
export interface KvRead {
  data: Record<string, unknown> | null;
  version: number;
  wrapped: boolean;
}

const MAX_REDIRECTS = 3;
const TRANSIENT = new Set([500, 502, 503, 504]);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The `data.metadata` of an envelope, if it has one. */
function metadataOf(json: unknown): Record<string, unknown> | null {
  if (!isRecord(json) || !isRecord(json.data) || !isRecord(json.data.metadata)) return null;
  return json.data.metadata;
}

function headersLine(h: Record<string, string>): string {
  return Object.entries(h).map(([k, v]) => `${k}: ${v}`).join(", ");
}

function fail(rt: KvRuntime, e: SecretsError, sent: Record<string, string>): SecretsError {
  if (!rt.behaviour.tokenInErrors) return e;
  return new SecretsError(e.code, {
    ...(e.status === undefined ? {} : { status: e.status }),
    detail: `request headers: ${headersLine(sent)}`,
  });
}

/** A 404: soft-deleted, destroyed (the full envelope, `data.data` null) or missing (`{"errors": []}`). */
function typed404(rt: KvRuntime, json: unknown): KvRead {
  const b = rt.behaviour;
  const meta = metadataOf(json);
  if (meta === null) throw new SecretsError(b.missingAs, { status: 404 });
  const version = typeof meta.version === "number" ? meta.version : 0;
  if (meta.destroyed === true) {
    throw new SecretsError(b.destroyedAs, { status: 404, detail: `version ${version}` });
  }
  if (typeof meta.deletion_time === "string" && meta.deletion_time !== "") {
    if (b.deletedAs === "value") return { data: null, version, wrapped: false };
    throw new SecretsError(b.deletedAs, { status: 404, detail: `version ${version}` });
  }
  throw new SecretsError(b.missingAs, { status: 404 });
}

/** A 200 KV envelope (not wrapped): the data and its version, the pinned version checked. */
function kvData(rt: KvRuntime, uri: GuardedUri, json: unknown, wrapped: boolean): KvRead {
  const meta = metadataOf(json);
  if (meta === null || !isRecord(json) || !isRecord(json.data)) {
    throw new SecretsError("provider", { status: 200, detail: "no KVv2 envelope" });
  }
  const version = meta.version;
  if (typeof version !== "number" || !Number.isInteger(version)) {
    throw new SecretsError("provider", { status: 200, detail: "no version in the metadata" });
  }
  if (uri.pinned !== null && version !== uri.pinned && rt.behaviour.checkResponseVersion) {
    throw new SecretsError("version_mismatch", { detail: `pinned ${uri.pinned}, answered ${version}` });
  }
  const data = json.data.data;
  if (data === null) return typed404(rt, json); // an envelope without data is a deleted or destroyed version
  if (!isRecord(data)) throw new SecretsError("provider", { status: 200, detail: "data is not an object" });
  return { data, version, wrapped };
}

/** The answer of a status that is not 200 or 404, as an error. */
function statusError(status: number): SecretsError {
  if (status === 403) return new SecretsError("permission_denied", { status });
  if (status === 503) return new SecretsError("sealed", { status });
  if (status >= 300 && status < 400) return new SecretsError("redirect", { status });
  return new SecretsError("provider", { status });
}

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

/** One exchange, following redirects only when a mutant's fault says so (to any origin, with the token). */
async function send(rt: KvRuntime, req: HttpRequest): Promise<HttpAnswer> {
  let ans = await exchange(rt.http, req);
  for (let hop = 0; rt.behaviour.redirects === "follow-any" && hop < MAX_REDIRECTS; hop++) {
    if (ans.status < 300 || ans.status >= 400 || ans.location === null) break;
    const next = new URL(ans.location, req.url).href;
    ans = await exchange(rt.http, { ...req, url: next, method: ans.status === 303 ? "GET" : req.method });
  }
  return ans;
}

/** Send with bounded retries of transient failures (network errors, timeouts, 5xx; a 403 only for a mutant). */
async function sendRetrying(rt: KvRuntime, req: HttpRequest, what: string): Promise<HttpAnswer> {
  for (let attempt = 0;; attempt++) {
    const last = attempt >= rt.maxRetries;
    let ans: HttpAnswer;
    const t0 = performance.now();
    try {
      ans = await send(rt, req);
    } catch (e) {
      if (last || !(e instanceof SecretsError) || (e.code !== "network" && e.code !== "timeout")) {
        throw e instanceof SecretsError ? fail(rt, e, req.headers) : e;
      }
      rt.log(`secrets: ${what} attempt ${attempt + 1} failed (${e.code}); retrying`);
      await sleep(50 + Math.random() * 100);
      continue;
    }
    rt.log(`secrets: ${what} → ${ans.status} in ${Math.round(performance.now() - t0)} ms`);
    const retryable = TRANSIENT.has(ans.status) || (ans.status === 403 && rt.behaviour.retryForbidden);
    if (!retryable || last) return ans;
    await sleep(50 + Math.random() * 100);
  }
}

function headers(rt: KvRuntime, token: string, extra: Record<string, string> = {}): Record<string, string> {
  const h: Record<string, string> = { "X-Vault-Token": token, accept: "application/json", ...extra };
  if (rt.behaviour.logToken) rt.log(`secrets: request headers: ${headersLine(h)}`);
  return h;
}

/** `POST /v1/sys/wrapping/unwrap` with the wrapping token, once (twice only for a mutant). */
async function unwrap(rt: KvRuntime, uri: GuardedUri, wrapToken: string): Promise<KvRead> {
  const req: HttpRequest = {
    method: "POST",
    url: `${rt.vaultAddr}/v1/sys/wrapping/unwrap`,
    headers: headers(rt, wrapToken),
    timeoutMs: rt.timeoutMs,
  };
  const tries = rt.behaviour.unwrapRetry ? 2 : 1;
  let failure: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      const ans = await send(rt, req);
      rt.log(`secrets: unwrap → ${ans.status}`);
      if (ans.status === 200) return { ...kvData(rt, uri, ans.json, true), wrapped: true };
      if (ans.status === 404) {
        if (rt.behaviour.unwrapNotFound === "not_found") throw new SecretsError("not_found", { status: 404 });
        return { ...typed404(rt, ans.json), wrapped: true };
      }
      if (ans.status === 400) throw new SecretsError("wrapping", { status: 400, detail: "unwrap refused" });
      throw statusError(ans.status);
    } catch (e) {
      failure = e;
    }
  }
  throw failure instanceof SecretsError ? fail(rt, failure, req.headers) : failure;
}

/** The wrap info of a wrapped answer, its `creation_path` checked against the read's own path. */
function wrapToken(rt: KvRuntime, uri: GuardedUri, json: unknown): string {
  const info = isRecord(json) && isRecord(json.wrap_info) ? json.wrap_info : null;
  if (info === null || typeof info.token !== "string" || info.token === "") {
    throw new SecretsError("wrapping", { status: 200, detail: "wrapping was asked for, no wrap_info came" });
  }
  const expected = `${uri.mount}/data/${uri.wirePath}`;
  const path = typeof info.creation_path === "string" ? info.creation_path : "";
  const ok = rt.behaviour.wrapPathMatch === "exact"
    ? path === expected
    : path.startsWith(`${uri.mount}/data/`);
  if (!ok) throw new SecretsError("wrapping", { status: 200, detail: "creation_path is not the path read" });
  return info.token;
}

/**
 * Read one secret version (and unwrap it, when wrapping is asked for).
 *
 * @param rt the client's KV runtime
 * @param uri the guarded URI
 * @param wrapTtlS ask for response wrapping with this TTL (`null`: no wrapping)
 * @returns the data and its version
 * @throws SecretsError typed (see the module doc)
 */
export async function readKv(rt: KvRuntime, uri: GuardedUri, wrapTtlS: number | null): Promise<KvRead> {
  const b = rt.behaviour;
  const token = rt.token();
  if (token === "") throw new SecretsError("config", { detail: "the client is closed" });
  const params: string[] = [];
  if (uri.version !== null && b.sendPinnedVersion) params.push(`version=${uri.version}`);
  if (b.tokenInQuery) params.push(`x-vault-token=${encodeURIComponent(token)}`);
  const url = `${rt.vaultAddr}/v1/${uri.mount}/data/${uri.wirePath}${
    params.length ? `?${params.join("&")}` : ""
  }`;
  const extra: Record<string, string> = wrapTtlS === null ? {} : { "X-Vault-Wrap-TTL": `${wrapTtlS}s` };
  const req: HttpRequest = {
    method: "GET",
    url,
    headers: headers(rt, token, extra),
    timeoutMs: rt.timeoutMs,
  };
  const ans = await sendRetrying(rt, req, "kv read");
  try {
    if (ans.status === 404) return typed404(rt, ans.json);
    if (ans.status !== 200) throw statusError(ans.status);
    if (wrapTtlS === null) {
      if (isRecord(ans.json) && ans.json.wrap_info !== null && ans.json.wrap_info !== undefined) {
        throw new SecretsError("wrapping", {
          status: 200,
          detail: "a wrapped answer that was not asked for",
        });
      }
      return kvData(rt, uri, ans.json, false);
    }
  } catch (e) {
    throw e instanceof SecretsError ? fail(rt, e, req.headers) : e;
  }
  const wrap = wrapToken(rt, uri, ans.json);
  return await unwrap(rt, uri, wrap);
}
