/**
 * The reference secrets client's driver: the secrets profile's ops (docs/PROTOCOL.md, "The secrets
 * profile") over the reference client in `src/secrets/`, JSON Lines on stdio like
 * `conformance/drivers/reference/driver.ts`.
 *
 * Ops: `hello`, `configure` (with a `secrets` block), `get_secret`, `audit_records`,
 * `parse_secret_uri` (through the client's own URI guard), `close`, `shutdown`; any other op answers
 * `unsupported`. All clients of one process share one grant cache, so the grant key's tenant scope
 * is observable. The client's debug log goes to stderr.
 *
 * Run: `deno run --allow-net=127.0.0.1,127.0.0.2,localhost --allow-env --allow-read --allow-write
 * conformance/drivers/secrets/driver.ts [--mutant NAME]` (or `RON_KIT_MUTANT=NAME`); a mutant is a
 * fault of `src/secrets/_faults.ts`.
 *
 * @module
 */
import { z } from "zod";
import {
  GetSecretParamsSchema,
  PROTOCOL_VERSION,
  type SdkError,
  SECRETS_CAPABILITIES,
  SecretsConfigureParamsSchema,
} from "../../../src/schema/protocol.ts";
import {
  isSecretsFault,
  secretsBehaviourOf,
  type SecretsFault,
  withSecretsFault,
} from "../../../src/secrets/_faults.ts";
import { guardUri } from "../../../src/secrets/_guard.ts";
import {
  GrantCache,
  isTransportCode,
  secretDigest,
  SecretsClient,
  SecretsError,
} from "../../../src/secrets/mod.ts";
import type { ExecutionContext, SecretsClientOptions } from "../../../src/secrets/mod.ts";
import { errorMessage } from "../../../src/util/error_message.ts";
import { serveJsonLines } from "./_serve.ts";

/** An op failed with a protocol error. */
class OpError extends Error {
  readonly sdkError: SdkError;
  constructor(sdkError: SdkError) {
    super(sdkError.message ?? sdkError.type);
    this.name = "OpError";
    this.sdkError = sdkError;
  }
}

/**
 * Read the mutant from `--mutant NAME` / `--mutant=NAME`, else from `RON_KIT_MUTANT`.
 *
 * @param args the command-line arguments
 * @param env the value of `RON_KIT_MUTANT`, if set
 * @returns the fault, `undefined` for the reference, or an error for an unknown name
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(selectSecretsMutant(["--mutant", "no-jti-replay"], undefined), { ok: true, mutant: "no-jti-replay" });
 * assert.deepEqual(selectSecretsMutant([], ""), { ok: true, mutant: undefined });
 * assert.equal(selectSecretsMutant(["--mutant=nope"], undefined).ok, false);
 * ```
 */
export function selectSecretsMutant(
  args: readonly string[],
  env: string | undefined,
): { ok: true; mutant: SecretsFault | undefined } | { ok: false; error: string } {
  let name: string | undefined = env === "" ? undefined : env;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? "";
    if (a === "--mutant") name = args[++i];
    else if (a.startsWith("--mutant=")) name = a.slice("--mutant=".length);
  }
  if (name === undefined) return { ok: true, mutant: undefined };
  return isSecretsFault(name) ? { ok: true, mutant: name } : { ok: false, error: `unknown mutant: ${name}` };
}

/**
 * Map anything an op threw to the protocol's `SdkError`: a `SecretsError` keeps its code (transport
 * codes are `SdkError` types of their own, every other code is `type: "secret"`); anything else is
 * `{type: "other", message: <its name>}`. `rendered` is `String(e)`, unsanitised.
 *
 * @param e what was thrown
 * @returns the SdkError
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SecretsError } from "../../../src/secrets/mod.ts";
 * const e = toSecretsSdkError(new SecretsError("version_deleted", { status: 404 }));
 * assert.deepEqual([e.type, e.code, e.status], ["secret", "version_deleted", 404]);
 * assert.equal(toSecretsSdkError(new SecretsError("timeout")).type, "timeout");
 * assert.equal(toSecretsSdkError(new TypeError("x")).type, "other");
 * ```
 */
export function toSecretsSdkError(e: unknown): SdkError {
  if (e instanceof OpError) return e.sdkError;
  if (e instanceof SecretsError) {
    const out: SdkError = isTransportCode(e.code)
      ? { type: e.code, message: e.message, rendered: String(e) }
      : { type: "secret", code: e.code, message: e.message, rendered: String(e) };
    if (e.status !== undefined) out.status = e.status;
    return out;
  }
  return { type: "other", message: e instanceof Error ? e.name : "unknown", rendered: String(e) };
}

function parse<T>(op: string, schema: z.ZodType<T>, params: unknown): T {
  const r = schema.safeParse(params);
  if (r.success) return r.data;
  const paths = [...new Set(r.error.issues.map((i) => i.path.map(String).join(".") || "(root)"))];
  throw new OpError({ type: "config", message: `invalid params for ${op}: ${paths.join(", ")}` });
}

const ClientParamsSchema = z.object({ client: z.string() });
const HelloParamsSchema = z.object({ protocol: z.number().int().optional() });
const SecretUriParamsSchema = z.object({
  pointer: z.string(),
  tenant_id: z.string(),
  allowed_mounts: z.array(z.string()),
});

/**
 * The secrets driver's state and ops (one per process), independent of stdio.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const d = new SecretsDriver(undefined);
 * const hello = await d.run("hello", { protocol: 1 });
 * assert.ok((hello.capabilities as string[]).includes("secrets_grants"));
 * const e = await d.run("request", {}).catch((e: unknown) => toSecretsSdkError(e));
 * assert.deepEqual(e, { type: "unsupported" });
 * ```
 */
export class SecretsDriver {
  readonly #mutant: SecretsFault | undefined;
  readonly #clients = new Map<string, SecretsClient>();
  readonly #cache = new GrantCache();
  #next = 0;

  /** @param mutant the fault to run with, or undefined for the reference */
  constructor(mutant: SecretsFault | undefined) {
    this.#mutant = mutant;
  }

  #client(params: unknown): SecretsClient {
    const { client } = parse("op", ClientParamsSchema, params);
    const c = this.#clients.get(client);
    if (!c) throw new OpError({ type: "config", message: "unknown client handle" });
    return c;
  }

  #configure(params: unknown): Record<string, unknown> {
    const p = parse("configure", SecretsConfigureParamsSchema, params);
    const s = p.secrets;
    const opts: SecretsClientOptions = {
      vaultAddr: s.vault_addr,
      token: s.token,
      tenant: s.tenant,
      allowedMounts: s.allowed_mounts,
      salt: s.salt,
    };
    if (s.pdp_addr !== undefined) {
      opts.pep = { pdpAddr: s.pdp_addr, grantCache: this.#cache };
      if (s.audience !== undefined) opts.pep.audience = s.audience;
      if (s.pdp_timeout_ms !== undefined) opts.pep.pdpTimeoutMs = s.pdp_timeout_ms;
      if (s.negative_ttl_ms !== undefined) opts.pep.negativeTtlMs = s.negative_ttl_ms;
      if (s.negative_jitter_ms !== undefined) opts.pep.negativeJitterMs = s.negative_jitter_ms;
      if (s.anti_replay_ttl_ms !== undefined) opts.pep.antiReplayMs = s.anti_replay_ttl_ms;
    }
    if (s.wrap_ttl_s !== undefined) opts.wrapTtlS = s.wrap_ttl_s;
    if (p.ca_cert_pem !== undefined) opts.caCertPem = p.ca_cert_pem;
    else if (p.ca_cert_file !== undefined) opts.caCertPem = readCaFile(p.ca_cert_file);
    if (p.allow_insecure_http !== undefined) opts.allowInsecureHttp = p.allow_insecure_http;
    const t = p.timeouts;
    const total = t?.total_ms ?? (t?.read_ms === undefined ? undefined : t.read_ms + (t.connect_ms ?? 0));
    if (total !== undefined) opts.requestTimeoutMs = total;
    if (p.max_retries !== undefined) opts.maxRetries = p.max_retries;
    if (p.max_response_bytes !== undefined) opts.maxResponseBytes = p.max_response_bytes;
    if (p.debug) opts.debug = true; // the client's debug log, to stderr
    const client = new SecretsClient(withSecretsFault(opts, this.#mutant));
    const handle = `s${++this.#next}`;
    this.#clients.set(handle, client);
    return { client: handle };
  }

  async #getSecret(params: unknown): Promise<Record<string, unknown>> {
    const p = parse("get_secret", GetSecretParamsSchema, params);
    const client = this.#client(p);
    const c = p.ctx ?? {};
    const ctx: ExecutionContext = {};
    if (c.subject !== undefined) ctx.subject = c.subject;
    if (c.aud !== undefined) ctx.aud = c.aud;
    if (c.jti !== undefined) ctx.jti = c.jti;
    if (c.cnf_jkt !== undefined) ctx.cnfJkt = c.cnf_jkt;
    if (c.mtls_thumbprint !== undefined) ctx.mtlsThumbprint = c.mtls_thumbprint;
    if (c.correlation_id !== undefined) ctx.correlationId = c.correlation_id;
    const r = await client.getSecret(p.uri, ctx);
    const out: Record<string, unknown> = { version: r.version, digest: await secretDigest(r.value ?? null) };
    if (p.reveal === true) out.value = r.value;
    return out;
  }

  /**
   * Run one op.
   *
   * @param op the op name (unknown ops answer `unsupported`)
   * @param params the whole request object
   * @returns the op's result
   * @throws anything; the caller maps it with {@link toSecretsSdkError}
   */
  async run(op: string, params: unknown): Promise<Record<string, unknown>> {
    switch (op) {
      case "hello": {
        const p = parse("hello", HelloParamsSchema, params);
        if (p.protocol !== undefined && p.protocol !== PROTOCOL_VERSION) {
          throw new OpError({ type: "config", message: `protocol ${p.protocol} is not supported` });
        }
        return {
          protocol: PROTOCOL_VERSION,
          name: "ron-reference-secrets-client",
          version: "0.1.0",
          language: "typescript",
          capabilities: [...SECRETS_CAPABILITIES, "secret_uri"],
        };
      }
      case "configure":
        return this.#configure(params);
      case "get_secret":
        return await this.#getSecret(params);
      case "audit_records":
        return { records: this.#client(params).auditRecords() };
      case "parse_secret_uri": {
        const p = parse("parse_secret_uri", SecretUriParamsSchema, params);
        const r = guardUri(p.pointer, p.tenant_id, p.allowed_mounts, secretsBehaviourOf(this.#mutant));
        if (!r.ok) throw new OpError({ type: "config", code: r.code, message: r.message });
        return { canonical: r.uri.canonical };
      }
      case "close": {
        this.#client(params).close();
        return {};
      }
      case "shutdown":
        return {};
      default:
        throw new OpError({ type: "unsupported" });
    }
  }

  /** Close every client. */
  closeAll(): void {
    for (const c of this.#clients.values()) c.close();
  }

  /**
   * Map an op's failure to the protocol's error (the loop's side of {@link toSecretsSdkError}).
   *
   * @param e what the op threw
   * @returns the SdkError
   */
  toError(e: unknown): SdkError {
    return toSecretsSdkError(e);
  }
}

/** The CA named by `ca_cert_file`; an unreadable file is a config error. */
function readCaFile(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch (e) {
    throw new OpError({ type: "config", message: `ca_cert_file cannot be read: ${errorMessage(e)}` });
  }
}

if (import.meta.main) {
  const sel = selectSecretsMutant(Deno.args, Deno.env.get("RON_KIT_MUTANT"));
  if (!sel.ok) {
    console.error(`driver: ${sel.error}`);
    Deno.exit(2);
  }
  await serveJsonLines(new SecretsDriver(sel.mutant));
}
