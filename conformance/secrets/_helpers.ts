/**
 * Shared plumbing of the `secrets.*` checks: configure an SDK instance against a scenario of the
 * mock OpenBao, call `get_secret` with explicit bounds, describe what came back, and gather the
 * mock's records as evidence. Internal to the profile.
 *
 * @module
 */
import type { CallResult, DriverSession } from "../../src/driver/types.ts";
import { describeCall } from "../../src/driver/describe.ts";
import { type Evidence, type RecordedRequest, type Verdict, verdict } from "../../src/engine/types.ts";
import type { BaoRequest, BaoScenario, BaoScript, PdpAnswer } from "../../src/mock/bao/types.ts";
import { type SecretCase, secretCase } from "../../src/mock/bao/scenario.ts";
import type { Op, SecretsConfig, SecretsContext } from "../../src/schema/protocol.ts";
import type { SecretsCheckContext } from "./_context.ts";
import { watch } from "./_judge.ts";

/** The bound of a driver call that is not itself under test, in ms. */
export const CALL_MS = 8_000;
/** The tenant every instance is configured with (unless a check says otherwise). */
export const TENANT = "dev";
/** The audience every instance is configured with; the default call context carries it. */
export const AUDIENCE = "crud.secrets";
/** The call context of a call that is not about the PEP: the right audience, no JTI, no binding. */
export const PLAIN_CTX: SecretsContext = { subject: "svc-kit", aud: [AUDIENCE] };

/** A PDP that allows every call with a grant that outlives the check and has uses to spare. */
export const ALLOW_MANY: PdpAnswer[] = [{ decision: "allow", grant: { ttl_ms: 300_000, max_uses: 1_000 } }];

/**
 * A scripted case about one secret (`secretCase`), with {@linkcode ALLOW_MANY} as its PDP unless the
 * case says otherwise.
 *
 * @param c the case
 * @returns the script
 */
export function kvCase(c: SecretCase): BaoScript {
  return secretCase({ pdp: ALLOW_MANY, ...c });
}

/** One configured SDK instance on a scenario. */
export interface Instance {
  readonly session: DriverSession;
  /** the instance handle `configure` returned */
  readonly client: string;
  readonly sc: BaoScenario;
  /** the vault token it was given (a canary) */
  readonly token: string;
}

/** Options of {@linkcode setup}. */
export interface SetupOptions {
  /** members merged over the default `secrets` block */
  secrets?: Partial<SecretsConfig>;
  /** other `configure` members (`max_retries`, …) */
  extra?: Record<string, unknown>;
  /** give the SDK the PDP (`pdp_addr`) @default the target declares `secrets_grants` */
  pep?: boolean;
  /** configure on this driver instead of a fresh one */
  session?: DriverSession;
  /** configure on this scenario (and its token) instead of a new one from `script` */
  scenario?: BaoScenario;
}

/** What {@linkcode setup} returns: the instance, or the `error` verdict of a configure that broke. */
export type SetupResult = { ok: true; inst: Instance } | { ok: false; verdict: Verdict };

/**
 * Reserve a scenario (the script gets a fresh canary token unless it has one), start a driver (or
 * reuse one) and configure one instance: HTTPS with the mock's CA, debug logs on, the default tenant,
 * mount `secret`, audience and a random salt; the PDP when the target has grants. The instance is
 * registered for the check's judge before `configure` answers.
 *
 * @param ctx the check's context
 * @param script the scenario's script (ignored with `opts.scenario`)
 * @param opts see {@linkcode SetupOptions}
 * @returns the instance, or the verdict to return
 */
export async function setup(
  ctx: SecretsCheckContext,
  script: BaoScript,
  opts: SetupOptions = {},
): Promise<SetupResult> {
  const sc = opts.scenario ?? await ctx.scenario({ token: ctx.newCanary(), pdp: ALLOW_MANY, ...script });
  const session = opts.session ?? await ctx.startDriver();
  const pep = opts.pep ?? ctx.capabilities.has("secrets_grants");
  const secrets: SecretsConfig = {
    vault_addr: sc.httpsBase,
    token: sc.token,
    tenant: TENANT,
    allowed_mounts: ["secret"],
    salt: `salt-${crypto.randomUUID()}`,
    audience: AUDIENCE,
    ...(pep ? { pdp_addr: sc.httpsBase, pdp_timeout_ms: 2_000 } : {}),
    ...opts.secrets,
  };
  const inst: Instance = { session, client: "", sc, token: secrets.token };
  watch(ctx, inst);
  const params = {
    secrets,
    ca_cert_pem: ctx.caCertPem,
    ...(session.caFile !== undefined ? { ca_cert_file: session.caFile } : {}),
    debug: true,
    timeouts: { total_ms: 6_000 },
    ...opts.extra,
  };
  const r = await session.call("configure", params, CALL_MS);
  if (r.kind !== "ok") return { ok: false, verdict: callFault("configure", r, [inst]) };
  return { ok: true, inst: { ...inst, client: r.result.client } };
}

/**
 * Call `get_secret` on an instance.
 *
 * @param inst the instance
 * @param uri the secret URI, as a caller gives it
 * @param ctx the call context @default {@linkcode PLAIN_CTX}
 * @returns the call's result
 */
export function get(
  inst: Instance,
  uri: string,
  ctx: SecretsContext = PLAIN_CTX,
): Promise<CallResult<"get_secret">> {
  return inst.session.call("get_secret", { client: inst.client, uri, ctx }, CALL_MS);
}

/**
 * One line for a `get_secret` result: the version read, or what the call produced.
 *
 * @param r the call's result
 * @returns e.g. "a value (version 2)" or `SDK error secret code=version_deleted`
 */
export function described(r: CallResult<"get_secret">): string {
  return r.kind === "ok" ? `a value (version ${r.result.version})` : describeCall(r);
}

/**
 * What a call answered, for evidence: the result, or the SDK's error.
 *
 * @param r the call's result
 * @returns the result or error, or undefined for a driver fault
 */
export function replyOf(r: CallResult<Op>): unknown {
  return r.kind === "ok" ? r.result : r.kind === "sdk_error" ? r.error : undefined;
}

/**
 * The `code` of a typed secrets error (`type: "secret"`), else null.
 *
 * @param r the call's result
 * @returns the code
 */
export function secretCode(r: CallResult<"get_secret">): string | null {
  return r.kind === "sdk_error" && r.error.type === "secret" ? r.error.code ?? null : null;
}

/**
 * Whether the driver could not answer the call (no reply, a protocol fault, or `unsupported`): the
 * rule could not be judged on this call.
 *
 * @param r a call's result
 * @returns true for a driver fault
 */
export function broken(r: CallResult<Op>): boolean {
  return r.kind === "no_reply" || r.kind === "driver_fault" ||
    (r.kind === "sdk_error" && r.error.type === "unsupported");
}

/**
 * A call the check needed that did not work, as an `error` verdict with the evidence so far.
 *
 * @param op the op that was called (or what the call was for)
 * @param r the call's result
 * @param insts the instances whose records to show
 * @returns the error verdict
 */
export function callFault(op: string, r: CallResult<Op>, insts: readonly Instance[]): Verdict {
  return verdict.error(`cannot judge: ${op}: ${describeCall(r)}`, {
    ...evidence(insts),
    ...(r.kind === "sdk_error" ? { reply: r.error } : {}),
  });
}

function recorded(q: BaoRequest): RecordedRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of q.headers) headers[k] = k in headers ? `${headers[k]}, ${v}` : v;
  return {
    t: q.t,
    method: q.method,
    path: q.rawPath,
    query: q.rawQuery,
    headers,
    bodySize: q.bodySize,
    body: q.body,
    connection: q.connection,
    listener: q.listener,
  };
}

/**
 * Evidence from the instances' scenarios (requests as sent, each route and status, PDP calls) and
 * their drivers' output tails.
 *
 * @param insts the instances
 * @param extra more evidence (its notes come first)
 * @returns the evidence
 */
export function evidence(insts: readonly Instance[], extra: Evidence = {}): Evidence {
  const scenarios = [...new Set(insts.map((i) => i.sc))];
  const sessions = [...new Set(insts.map((i) => i.session))];
  const reqs = scenarios.flatMap((sc) => sc.requests());
  const notes = [
    ...(extra.notes ?? []),
    ...reqs.slice(0, 40).map((q) => `#${q.seq} ${q.listener} ${q.route} → ${q.status}: ${q.requestLine}`),
    ...scenarios.flatMap((sc) => sc.pdpCalls()).slice(0, 20).map((c) =>
      `pdp call ${c.n}: ${c.answer}${c.request ? ` (tenant ${c.request.tenant}, ${c.request.uri})` : ""}`
    ),
  ];
  return {
    ...extra,
    requests: reqs.slice(0, 40).map(recorded),
    output: sessions.flatMap((s) => s.output()).slice(-30),
    notes,
  };
}

/**
 * Sleep that ends early when the check's time limit is reached.
 *
 * @param ms milliseconds
 * @param signal the check's abort signal
 * @returns after `ms`, or on abort
 */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
