/**
 * The reference client's driver: the worked example of the driver (testee) protocol
 * (DESIGN.md § "The driver (testee) protocol").
 *
 * JSON Lines over stdio. Every request line is handled concurrently (pipelined) and answered by
 * `id`, in whatever order the ops finish; one serialized writer keeps each stdout line whole.
 * Params are validated with zod (the protocol schemas where they exist). Client errors are mapped
 * to the protocol's `SdkError`; an unexpected exception becomes `{type: "other", message: <its
 * name>}` (never its text, which could quote request data).
 *
 * Run: `deno run --allow-net=127.0.0.1,127.0.0.2,localhost --allow-env --allow-read --allow-write
 * conformance/drivers/reference/driver.ts [--mutant NAME]` (or `RON_KIT_MUTANT=NAME`). A mutant is
 * a one-fault variant: client faults (`src/client/_faults.ts`) go to the client through `withFault()`;
 * the driver injects {@link DRIVER_FAULTS} itself.
 *
 * @module
 */
import { z } from "zod";
import {
  type AuditContext,
  RonClient,
  type RonClientOptions,
  RonError,
  RonProblem,
  RonTransportError,
} from "../../../src/client/mod.ts";
import { behaviourOf, type ClientFault, isClientFault, withFault } from "../../../src/client/_faults.ts";
import {
  ConfigureParamsSchema,
  type Op,
  OP_RESULTS,
  PROTOCOL_VERSION,
  RequestParamsSchema,
  type SdkError,
} from "../../../src/schema/protocol.ts";
import { parseProblem, problemToSdkError } from "../../../src/schema/problem.ts";
import { canonicalJson, decodeDto, encodeDto } from "../../../src/schema/dto.ts";
import { parseSecretUri } from "../../../src/schema/secret_uri.ts";
import { validateManifest } from "../../../src/schema/manifest.ts";
import { DRIVER_CAPABILITIES } from "../../../src/engine/types.ts";
import { errorMessage } from "../../../src/util/error_message.ts";

/** Faults the driver injects itself (wire-format and schema faults, not client behaviour). */
export const DRIVER_FAULTS = ["dto-rename", "u64-as-number", "manifest-lenient"] as const;

/** A fault the driver injects itself. */
export type DriverFault = typeof DRIVER_FAULTS[number];

/** A fault the driver can run with: a client fault or a driver fault. */
export type Mutant = ClientFault | DriverFault;

function isDriverFault(v: string): v is DriverFault {
  return (DRIVER_FAULTS as readonly string[]).includes(v);
}

/**
 * Read the mutant from `--mutant NAME` / `--mutant=NAME`, else from `RON_KIT_MUTANT`.
 *
 * @param args the command-line arguments
 * @param env the value of `RON_KIT_MUTANT`, if set
 * @returns the mutant, `undefined` for the reference, or an error text for an unknown name
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(selectMutant(["--mutant", "dto-rename"], undefined), { ok: true, mutant: "dto-rename" });
 * assert.deepEqual(selectMutant([], undefined), { ok: true, mutant: undefined });
 * assert.equal(selectMutant(["--mutant=nope"], undefined).ok, false);
 * ```
 */
export function selectMutant(
  args: readonly string[],
  env: string | undefined,
): { ok: true; mutant: Mutant | undefined } | { ok: false; error: string } {
  let name: string | undefined = env === "" ? undefined : env;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? "";
    if (a === "--mutant") name = args[++i];
    else if (a.startsWith("--mutant=")) name = a.slice("--mutant=".length);
  }
  if (name === undefined) return { ok: true, mutant: undefined };
  if (isClientFault(name) || isDriverFault(name)) return { ok: true, mutant: name };
  return { ok: false, error: `unknown mutant: ${name}` };
}

/** An op failed with a protocol error. */
class OpError extends Error {
  readonly sdkError: SdkError;
  constructor(sdkError: SdkError) {
    super(sdkError.message ?? sdkError.type);
    this.name = "OpError";
    this.sdkError = sdkError;
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

/**
 * Map anything an op threw to the protocol's `SdkError`. Client errors keep their typed fields;
 * anything else is `{type: "other", message: <error name>}` (a crash, as the checks see it).
 * `rendered` is the error exactly as the SDK renders it to a user (`String(e)`), so the kit's canary
 * scan sees whatever an application would log.
 *
 * @param e what was thrown
 * @returns the SdkError
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(toSdkError(new TypeError("boom")), { type: "other", message: "TypeError", rendered: "TypeError: boom" });
 * ```
 */
export function toSdkError(e: unknown): SdkError {
  if (e instanceof OpError) return e.sdkError;
  if (e instanceof RonProblem) {
    const out: SdkError = {
      type: "problem",
      code: e.code,
      kind: e.kind,
      message: e.problemMessage,
      details: e.details,
      rendered: String(e),
    };
    if (e.status !== undefined) out.status = e.status;
    if (e.correlationId !== undefined) out.correlation_id = e.correlationId;
    return out;
  }
  if (e instanceof RonError) {
    const out: SdkError = { type: e.type, message: e.message, rendered: String(e) };
    if (e.status !== undefined) out.status = e.status;
    if (e.correlationId !== undefined) out.correlation_id = e.correlationId;
    if (e instanceof RonTransportError) out.code = e.code;
    return out;
  }
  return { type: "other", message: e instanceof Error ? e.name : "unknown", rendered: String(e) };
}

function invalidParams(op: string, error: z.ZodError): OpError {
  const paths = [...new Set(error.issues.map((i) => i.path.map(String).join(".") || "(root)"))];
  return new OpError({ type: "config", message: `invalid params for ${op}: ${paths.join(", ")}` });
}

function parse<T>(op: string, schema: z.ZodType<T>, params: unknown): T {
  const r = schema.safeParse(params);
  if (!r.success) throw invalidParams(op, r.error);
  return r.data;
}

const ClientParamsSchema = z.object({ client: z.string() });
const SubscribeParamsSchema = z.object({
  client: z.string(),
  path: z.string(),
  max_events: z.number().int().positive().optional(),
  max_duration_ms: z.number().int().positive().optional(),
});
const RotateParamsSchema = z.object({ client: z.string(), token: z.string() });
const ParseProblemParamsSchema = z.object({
  status: z.number().int(),
  content_type: z.string().nullable().optional(),
  body: z.string(),
});
const DtoParamsSchema = z.object({ type: z.string(), json: z.unknown() });
const SecretUriParamsSchema = z.object({
  pointer: z.string(),
  tenant_id: z.string(),
  allowed_mounts: z.array(z.string()),
});
const ManifestParamsSchema = z.object({ toml: z.string() });
const HelloParamsSchema = z.object({ protocol: z.number().int().optional() });

const U64_KEYS = new Set(["uptime_s", "seq", "bytes"]);

/** `u64-as-number`: every u64 string becomes a JS number (precision lost past 2^53). */
function u64AsNumber(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(u64AsNumber);
  if (typeof v !== "object" || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    out[k] = U64_KEYS.has(k) && typeof x === "string" && /^\d+$/.test(x) ? Number(x) : u64AsNumber(x);
  }
  return out;
}

/** `dto-rename`: one top-level member gets a camelCase (or capitalised) name. */
function renameOneField(v: unknown): unknown {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return v;
  const keys = Object.keys(v);
  const victim = keys.find((k) => k.includes("_")) ?? keys[0];
  if (victim === undefined) return v;
  const camel = victim.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
  const renamed = camel !== victim ? camel : victim.charAt(0).toUpperCase() + victim.slice(1);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k === victim ? renamed : k] = x;
  return out;
}

/** One SDK instance the driver holds, with the mutable token its provider reads. */
interface Instance {
  client: RonClient;
  /** set when configured with `token_provider: true` */
  tokenBox: { value: string } | undefined;
}

/**
 * The driver's state and op handlers (one per process), independent of stdio.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const d = new ReferenceDriver(undefined);
 * const hello = await d.run("hello", { protocol: 1 });
 * assert.equal(hello.protocol, 1);
 * await assert.rejects(d.run("no_such_op", {}));
 * assert.deepEqual(toSdkError(await d.run("nope", {}).catch((e) => e)), { type: "unsupported" });
 * ```
 */
export class ReferenceDriver {
  readonly #mutant: Mutant | undefined;
  readonly #instances = new Map<string, Instance>();
  #next = 0;

  /** @param mutant the fault to run with, or undefined for the reference */
  constructor(mutant: Mutant | undefined) {
    this.#mutant = mutant;
  }

  #instance(params: unknown): Instance {
    const { client } = parse("op", ClientParamsSchema, params);
    const inst = this.#instances.get(client);
    if (!inst) throw new OpError({ type: "config", message: "unknown client handle" });
    return inst;
  }

  /** The wire form of a DTO value, with the driver faults applied. */
  #wire(value: unknown): unknown {
    let v = JSON.parse(canonicalJson(value));
    if (this.#mutant === "u64-as-number") v = u64AsNumber(v);
    if (this.#mutant === "dto-rename") v = renameOneField(v);
    return v;
  }

  #configure(params: unknown): Record<string, unknown> {
    const p = parse("configure", ConfigureParamsSchema, params);
    const handle = `c${++this.#next}`;
    const tokenBox = p.token_provider ? { value: p.token ?? "" } : undefined;
    const opts: RonClientOptions = { baseUrl: p.base_url };
    if (tokenBox) opts.tokenProvider = () => tokenBox.value;
    else if (p.token !== undefined) opts.token = p.token;
    if (p.allow_insecure_http !== undefined) opts.allowInsecureHttp = p.allow_insecure_http;
    if (p.ca_cert_pem !== undefined) opts.caCertPem = p.ca_cert_pem;
    else if (p.ca_cert_file !== undefined) opts.caCertPem = readCaFile(p.ca_cert_file);
    if (p.timeouts) {
      const t: NonNullable<RonClientOptions["timeouts"]> = {};
      if (p.timeouts.connect_ms !== undefined) t.connectMs = p.timeouts.connect_ms;
      if (p.timeouts.read_ms !== undefined) t.readMs = p.timeouts.read_ms;
      if (p.timeouts.total_ms !== undefined) t.totalMs = p.timeouts.total_ms;
      opts.timeouts = t;
    }
    if (p.max_retries !== undefined) opts.maxRetries = p.max_retries;
    if (p.max_response_bytes !== undefined) opts.maxResponseBytes = p.max_response_bytes;
    if (p.max_concurrency !== undefined) opts.maxConcurrency = p.max_concurrency;
    if (p.debug) opts.debug = true; // the client's most verbose logging, to stderr
    if (p.tls_pq_mode !== undefined) opts.tlsPqMode = p.tls_pq_mode;
    const m = this.#mutant;
    const client = new RonClient(withFault(opts, m !== undefined && isClientFault(m) ? m : undefined));
    this.#instances.set(handle, { client, tokenBox });
    return { client: handle };
  }

  async #request(params: unknown): Promise<Record<string, unknown>> {
    const p = parse("request", RequestParamsSchema, params);
    const { client } = this.#instance(p);
    const req: Parameters<RonClient["request"]>[0] = { method: p.method, path: p.path };
    if (p.query !== undefined) req.query = p.query;
    if (p.json !== undefined) req.json = p.json;
    if (p.idempotent !== undefined) req.idempotent = p.idempotent;
    if (p.idempotency_key !== undefined) req.idempotencyKey = p.idempotency_key;
    if (p.audit_context !== undefined) req.auditContext = auditContext(p.audit_context);
    const res = await client.request(req);
    const out: Record<string, unknown> = { status: res.status, headers: headerRecord(res.headers) };
    if (res.json !== undefined) out.json = res.json;
    return out;
  }

  async #subscribe(params: unknown): Promise<Record<string, unknown>> {
    const p = parse("subscribe", SubscribeParamsSchema, params);
    const { client } = this.#instance(p);
    const opts: Parameters<RonClient["subscribe"]>[1] = {};
    if (p.max_events !== undefined) opts.maxEvents = p.max_events;
    if (p.max_duration_ms !== undefined) opts.maxDurationMs = p.max_duration_ms;
    const r = await client.subscribe(p.path, opts);
    const out: Record<string, unknown> = { events: r.events.map((e) => ({ ...e })), end: r.end };
    if (r.error !== undefined) out.error = toSdkError(r.error);
    return out;
  }

  #dto(op: "decode_dto" | "encode_dto", params: unknown): Record<string, unknown> {
    const p = parse(op, DtoParamsSchema, params);
    const r = decodeDto(p.type, p.json);
    if (!r.ok) {
      const type = op === "decode_dto" ? "transport" : "config";
      throw new OpError({ type, code: r.error.code, message: r.error.message });
    }
    return { json: this.#wire(op === "decode_dto" ? r.value : encodeDto(p.type, r.value)) };
  }

  /**
   * Run one op.
   *
   * @param op the op name (any string; unknown ops answer `unsupported`)
   * @param params the whole request object
   * @returns the op's result
   * @throws anything; the caller maps it with {@link toSdkError}
   */
  async run(op: string, params: unknown): Promise<Record<string, unknown>> {
    if (!Object.hasOwn(OP_RESULTS, op)) throw new OpError({ type: "unsupported" });
    const known = op as Op;
    switch (known) {
      case "hello": {
        const p = parse("hello", HelloParamsSchema, params);
        if (p.protocol !== undefined && p.protocol !== PROTOCOL_VERSION) {
          throw new OpError({ type: "config", message: `protocol ${p.protocol} is not supported` });
        }
        return {
          protocol: PROTOCOL_VERSION,
          name: "ron-reference-client",
          version: "0.1.0",
          language: "typescript",
          capabilities: [...DRIVER_CAPABILITIES], // the reference implements every one
        };
      }
      case "configure":
        return this.#configure(params);
      case "request":
        return await this.#request(params);
      case "subscribe":
        return await this.#subscribe(params);
      case "rotate_token": {
        const p = parse("rotate_token", RotateParamsSchema, params);
        const inst = this.#instance(p);
        if (!inst.tokenBox) {
          throw new OpError({ type: "config", message: "client was not configured with a token provider" });
        }
        inst.tokenBox.value = p.token;
        return {};
      }
      case "parse_problem": {
        const p = parse("parse_problem", ParseProblemParamsSchema, params);
        // parsed as the client parses an error response: its generic-errors fault flattens this too
        if (isClientFault(this.#mutant) && !behaviourOf(this.#mutant).typedErrors) {
          const flat = new RonError(`request failed with HTTP ${p.status}`);
          flat.status = p.status;
          return { problem: toSdkError(flat) };
        }
        const parsed = parseProblem({ status: p.status, contentType: p.content_type ?? null, body: p.body });
        return { problem: problemToSdkError(parsed, p.status) };
      }
      case "decode_dto":
      case "encode_dto":
        return this.#dto(known, params);
      case "parse_secret_uri": {
        const p = parse("parse_secret_uri", SecretUriParamsSchema, params);
        const r = parseSecretUri(p.pointer, p.tenant_id, p.allowed_mounts);
        if (!r.ok) throw new OpError({ type: "config", code: r.error.code, message: r.error.message });
        return { canonical: r.canonical };
      }
      case "validate_manifest": {
        const p = parse("validate_manifest", ManifestParamsSchema, params);
        if (this.#mutant === "manifest-lenient") return { ok: true };
        const r = validateManifest(p.toml);
        if (r.ok) return { ok: true };
        throw new OpError({
          type: "config",
          code: "invalid_manifest",
          message: `manifest has ${r.violations.length} violation(s)`,
          details: { violations: r.violations },
        });
      }
      case "close": {
        const inst = this.#instance(params);
        inst.client.close();
        if (inst.tokenBox) inst.tokenBox.value = "";
        return {};
      }
      case "zeroize": {
        const inst = this.#instance(params);
        inst.client.zeroize();
        if (inst.tokenBox) inst.tokenBox.value = "";
        return {};
      }
      case "shutdown":
        return {};
      case "get_secret":
      case "audit_records": // the secrets profile's ops: conformance/drivers/secrets/driver.ts
        throw new OpError({ type: "unsupported" });
      default: {
        const never: never = known;
        throw new OpError({ type: "unsupported", message: `op ${String(never)}` });
      }
    }
  }

  /** Close every instance. */
  closeAll(): void {
    for (const i of this.#instances.values()) i.client.close();
  }
}

/** The protocol's `audit_context` (the `audit_context` DTO: actor_id, reason, tenant) → the client's. */
function auditContext(ac: Record<string, string>): AuditContext {
  const out: AuditContext = {};
  const actor = ac["actor_id"] ?? ac["actor"];
  if (actor !== undefined) out.actor = actor;
  if (ac["reason"] !== undefined) out.reason = ac["reason"];
  if (ac["tenant"] !== undefined) out.tenant = ac["tenant"];
  return out;
}

function headerRecord(h: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (h instanceof Headers) {
    h.forEach((v, k) => (out[k] = v));
  } else if (typeof h === "object" && h !== null) {
    for (const [k, v] of Object.entries(h)) if (typeof v === "string") out[k.toLowerCase()] = v;
  }
  return out;
}

/** Serialises writes so that every reply is one whole line. */
class LineWriter {
  #chain: Promise<void> = Promise.resolve();
  readonly #enc = new TextEncoder();
  readonly #out: { write(p: Uint8Array): Promise<number> };

  constructor(out: { write(p: Uint8Array): Promise<number> }) {
    this.#out = out;
  }

  send(msg: unknown): Promise<void> {
    let line: string;
    try {
      line = JSON.stringify(msg);
    } catch {
      line = JSON.stringify({ id: idOf(msg), ok: false, error: { type: "other", message: "unencodable" } });
    }
    const bytes = this.#enc.encode(line + "\n");
    this.#chain = this.#chain.then(async () => {
      let off = 0;
      while (off < bytes.length) off += await this.#out.write(bytes.subarray(off));
    }).catch(() => {});
    return this.#chain;
  }
}

function idOf(msg: unknown): unknown {
  return typeof msg === "object" && msg !== null && "id" in msg ? msg.id : null;
}

async function* readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buf = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      yield buf.slice(0, nl);
      buf = buf.slice(nl + 1);
    }
  }
  if (buf.trim() !== "") yield buf;
}

const MessageSchema = z.looseObject({ id: z.number().int(), op: z.string() });

async function settleWithin(pending: Set<Promise<void>>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    Promise.allSettled([...pending]),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
  ]);
  clearTimeout(timer);
}

/**
 * Serve the protocol on stdin/stdout until `shutdown` or end of input, then exit 0. `shutdown`
 * waits up to 500 ms for in-flight ops to answer; end of input waits up to 1 s.
 *
 * @param mutant the fault to run with, or undefined
 * @returns never: the process exits
 * @example
 * ```ts ignore
 * await serve(undefined); // what `deno run conformance/drivers/reference/driver.ts` does
 * ```
 */
export async function serve(mutant: Mutant | undefined): Promise<never> {
  const driver = new ReferenceDriver(mutant);
  const out = new LineWriter(Deno.stdout);
  const pending = new Set<Promise<void>>();
  for await (const line of readLines(Deno.stdin.readable)) {
    if (line.trim() === "") continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      console.error("driver: ignoring a line that is not JSON");
      continue;
    }
    const msg = MessageSchema.safeParse(raw);
    if (!msg.success) {
      console.error("driver: ignoring a message without an integer id and an op");
      continue;
    }
    const { id, op } = msg.data;
    if (op === "shutdown") {
      await settleWithin(pending, 500);
      await out.send({ id, ok: true, result: {} });
      Deno.exit(0);
    }
    const task = driver.run(op, msg.data).then(
      (result) => out.send({ id, ok: true, result }),
      (e: unknown) => out.send({ id, ok: false, error: toSdkError(e) }),
    ).finally(() => pending.delete(task));
    pending.add(task);
  }
  await settleWithin(pending, 1_000);
  driver.closeAll();
  Deno.exit(0);
}

if (import.meta.main) {
  const sel = selectMutant(Deno.args, Deno.env.get("RON_KIT_MUTANT"));
  if (!sel.ok) {
    console.error(`driver: ${sel.error}`);
    Deno.exit(2);
  }
  await serve(sel.mutant);
}
