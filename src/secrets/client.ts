/**
 * The reference secrets client (seed 003): resolves canonical secret URIs in-process with PEP
 * enforcement and a KVv2 provider.
 *
 * The PEP flow, in order (seed 003 "Behavior (PEP flow)"): (1) parse, canonicalise and tenant-guard the
 * URI before anything is sent; (2–5, with a PEP) audience, JTI anti-replay, the grant key
 * (subject, tenant, canonical URI, action), the negative cache, one PDP question per key at a time,
 * binding drift, atomic uses; (6) the KVv2 read with the pinned version checked and deleted /
 * destroyed typed; (7) response wrapping when asked, one unwrap; (8) an audit record with a salted
 * `resource_ref`. Every exchange is bounded in time and size; the token goes only in
 * `X-Vault-Token`, only to the vault's origin; nothing logged, raised or audited holds a value, a
 * token or a URI.
 *
 * @module
 */
import { AuditLog, resourceRef } from "./_audit.ts";
import { type SecretsBehaviour, secretsBehaviourOf, secretsFaultOf } from "./_faults.ts";
import { guardUri } from "./_guard.ts";
import { createHttpClient, type HttpRuntime } from "./_http.ts";
import { type KvRuntime, readKv } from "./_kv.ts";
import { authorize, type PepRuntime } from "./_pep.ts";
import { SecretsError } from "./errors.ts";
import { GrantCache } from "./grant_cache.ts";
import type { ExecutionContext, SecretRead, SecretsAuditRecord, SecretsClientOptions } from "./types.ts";

const PEP_CODES = new Set([
  "audience_mismatch",
  "replay",
  "denied",
  "binding_drift",
  "uses_exhausted",
  "pdp_unavailable",
]);

function baseUrl(addr: string, allowHttp: boolean, what: string): string {
  let u: URL;
  try {
    u = new URL(addr);
  } catch {
    throw new SecretsError("config", { detail: `${what} is not a URL` });
  }
  if (u.protocol === "http:" && !allowHttp) {
    throw new SecretsError("insecure", { detail: `${what} is http://` });
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") {
    throw new SecretsError("config", { detail: `${what} must be https://` });
  }
  return `${u.origin}${u.pathname.replace(/\/+$/, "")}`;
}

/**
 * The reference secrets client.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SecretsError } from "./errors.ts";
 * const c = new SecretsClient({
 *   vaultAddr: "https://127.0.0.1:1", token: "t", tenant: "dev", allowedMounts: ["secret"], salt: "s",
 * });
 * // refused by the URI guard before anything is sent
 * const e = await c.getSecret("openbao://secret/app/../admin").catch((e: unknown) => e);
 * assert.ok(e instanceof SecretsError && e.code === "dot_segment");
 * c.close();
 * ```
 */
export class SecretsClient {
  readonly #b: SecretsBehaviour;
  readonly #opts: SecretsClientOptions;
  readonly #http: HttpRuntime;
  readonly #kv: KvRuntime;
  readonly #pep: PepRuntime | undefined;
  readonly #audit = new AuditLog();
  #token: string;

  /**
   * @param options the vault, token, tenant, mounts, salt, PEP and limits
   * @throws SecretsError `insecure` for an `http://` address without `allowInsecureHttp`, `config`
   *   for an address that is not a URL or a CA that cannot be loaded
   */
  constructor(options: SecretsClientOptions) {
    this.#b = secretsBehaviourOf(secretsFaultOf(options));
    this.#opts = options;
    this.#token = options.token;
    const allowHttp = options.allowInsecureHttp === true;
    const vaultAddr = baseUrl(options.vaultAddr, allowHttp, "vaultAddr");
    const pdpAddr = options.pep === undefined
      ? undefined
      : baseUrl(options.pep.pdpAddr, allowHttp, "pdpAddr");
    const debug = options.debug === true;
    const sink = options.log ?? ((l: string) => console.error(l));
    const log = (line: string) => {
      if (debug) sink(line);
    };
    this.#http = {
      client: createHttpClient(options.caCertPem),
      maxBytes: options.maxResponseBytes ?? 1 << 20,
    };
    this.#kv = {
      http: this.#http,
      vaultAddr,
      token: () => this.#token,
      maxRetries: options.maxRetries ?? 1,
      timeoutMs: options.requestTimeoutMs ?? 10_000,
      behaviour: this.#b,
      log,
    };
    const pep = options.pep;
    this.#pep = pep === undefined || pdpAddr === undefined ? undefined : {
      cache: pep.grantCache ?? new GrantCache(),
      http: this.#http,
      pdpAddr,
      pdpTimeoutMs: pep.pdpTimeoutMs ?? 2_000,
      audience: pep.audience ?? "crud.secrets",
      tenant: options.tenant,
      negativeTtlMs: pep.negativeTtlMs ?? 5_000,
      negativeJitterMs: pep.negativeJitterMs ?? 500,
      antiReplayMs: pep.antiReplayMs ?? 300_000,
      behaviour: this.#b,
      log,
    };
    if (this.#b.tokenCacheFile) this.#cacheToken();
  }

  /** The `token-cache-file` mutant's fault: the token written to `$HOME/.secrets-sdk/token`. */
  #cacheToken(): void {
    try {
      const home = Deno.env.get("HOME");
      if (home === undefined) return;
      Deno.mkdirSync(`${home}/.secrets-sdk`, { recursive: true });
      Deno.writeTextFileSync(`${home}/.secrets-sdk/token`, this.#token);
    } catch {
      // a mutant's fault; nothing to report
    }
  }

  /**
   * Resolve a secret URI: guard, PEP, KV read, audit.
   *
   * @param pointer the secret URI, e.g. `openbao+kv2://secret/myapp/api#token?version=3`
   * @param ctx the caller's context (subject, aud, jti, binding, correlation id)
   * @returns the value (the fragment's value, or the whole data object), its version and `resource_ref`
   * @throws SecretsError with the code of the rule that stopped the call
   */
  async getSecret(pointer: string, ctx: ExecutionContext = {}): Promise<SecretRead> {
    if (this.#token === "") throw new SecretsError("config", { detail: "the client is closed" });
    const g = guardUri(pointer, this.#opts.tenant, this.#opts.allowedMounts, this.#b);
    if (!g.ok) throw new SecretsError(g.code, { detail: g.message });
    const uri = g.uri;
    if (uri.wildcard) throw new SecretsError("wildcard", { detail: "a wildcard URI cannot be read" });
    const ref = await resourceRef(this.#b, this.#opts.salt, uri.canonical, pointer);
    const record: SecretsAuditRecord = {
      at: new Date().toISOString(),
      event: "secret.get",
      tenant: this.#opts.tenant,
      subject: ctx.subject ?? null,
      resource_ref: ref,
      decision: "allow",
      code: null,
      version: null,
      grant_id: null,
      cache_hit: false,
      wrapped: false,
      correlation_id: ctx.correlationId ?? null,
    };
    if (this.#b.auditRawUri) record.uri = pointer;
    try {
      let wrap = this.#opts.wrapTtlS ?? null;
      if (this.#pep !== undefined) {
        const d = await authorize(this.#pep, uri, pointer, ctx);
        record.grant_id = d.grantId;
        record.cache_hit = d.cacheHit;
        wrap = d.wrapTtlS ?? wrap;
      }
      const kv = await readKv(this.#kv, uri, wrap);
      record.version = kv.version;
      record.wrapped = kv.wrapped;
      let value: unknown = kv.data;
      if (uri.fragment !== null && kv.data !== null) {
        if (!Object.hasOwn(kv.data, uri.fragment)) {
          throw new SecretsError("not_found", { detail: "the fragment's key is not in the data" });
        }
        value = kv.data[uri.fragment];
      }
      if (this.#b.auditValue) record.value = value;
      this.#audit.push(record);
      return { value, version: kv.version, resourceRef: ref };
    } catch (e) {
      const code = e instanceof SecretsError ? e.code : "provider";
      record.code = code;
      if (PEP_CODES.has(code)) record.decision = "deny";
      this.#audit.push(record);
      throw e;
    }
  }

  /**
   * The audit records of this client, oldest first (at most the newest 1000).
   *
   * @returns copies of the records
   */
  auditRecords(): SecretsAuditRecord[] {
    return this.#audit.list();
  }

  /** Drop the token and close the connections; later calls fail with `config` and send nothing. */
  close(): void {
    this.#token = "";
    try {
      this.#http.client.close();
    } catch {
      // already closed
    }
  }
}
