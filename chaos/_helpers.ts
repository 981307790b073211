/**
 * Shared plumbing of the chaos checks: a scenario on the mock server, a Toxiproxy proxy in front
 * of its HTTPS port, toxics, a driver with one configured SDK instance whose base URL goes through
 * the proxy, and the evidence every chaos verdict carries. Internal to `chaos/`.
 *
 * @module
 */
import type { ChaosProxy, SdkContext, Toxic } from "../src/engine/sdk_context.ts";
import { type Evidence, type Verdict, verdict } from "../src/engine/types.ts";
import type { CallResult, DriverSession } from "../src/driver/types.ts";
import type { ScenarioHandle } from "../src/mock/types.ts";
import type { ConfigureParams } from "../src/schema/protocol.ts";
import type { Scenario } from "../src/schema/scenario.ts";
import { describeCall, describeError } from "../src/driver/describe.ts";
import { errorMessage } from "../src/util/error_message.ts";
import { describeToxic } from "./toxiproxy.ts";

/** Bound on driver calls that are not under test (configure, close). */
export const SETUP_CALL_MS = 10_000;

/** The kit's extensions of a proxy, used when present (see `toxiproxy.ts`, KitChaosProxy). */
interface ProxyExtras {
  connections?: () => number | undefined;
  remove?: () => Promise<void>;
  describe?: () => string;
  name?: string;
}

/** A proxy with the optional kit extensions. */
export type AnyProxy = ChaosProxy & ProxyExtras;

/** Everything a chaos check works with. */
export interface ChaosRun {
  readonly ctx: SdkContext;
  readonly proxy: AnyProxy;
  readonly scenario: ScenarioHandle;
  readonly session: DriverSession;
  /** base URL through the proxy: `https://127.0.0.1:<proxyPort>/s/<scenario id>` */
  readonly base: string;
  /** the toxics added, in order */
  readonly toxics: Toxic[];
  /** configure params without the token (for evidence) */
  readonly configured: Omit<ConfigureParams, "token" | "ca_cert_pem">;
  /** the first configured SDK instance */
  readonly client: string;
  /** proxy connections before the check's first request */
  readonly connectionsAtStart: number | undefined;
}

/** What a chaos check sets up. */
export interface ChaosSetup {
  script: Scenario;
  toxics: Toxic[];
  timeouts: { connect_ms: number; read_ms: number; total_ms: number };
  max_retries?: number;
  max_response_bytes?: number;
}

/**
 * Configure one more SDK instance on the run's base URL (same settings, fresh canary).
 *
 * @param run the chaos run
 * @returns the client handle, or the verdict to return when configure broke
 */
export async function configureClient(
  run: Pick<ChaosRun, "ctx" | "session" | "base" | "configured" | "scenario">,
): Promise<{ ok: true; client: string } | { ok: false; verdict: Verdict }> {
  const params: ConfigureParams = {
    ...run.configured,
    base_url: run.base,
    token: run.ctx.newCanary(),
    ca_cert_pem: run.ctx.mock.caCertPem,
    ...(run.session.caFile !== undefined ? { ca_cert_file: run.session.caFile } : {}),
  };
  const r = await run.session.call("configure", params, SETUP_CALL_MS);
  if (r.kind === "ok") return { ok: true, client: r.result.client };
  return {
    ok: false,
    verdict: verdict.error(`configure did not succeed: ${describeCall(r)}`, {
      notes: [`configure ${JSON.stringify(run.configured)}`],
      output: run.session.output().slice(-20),
    }),
  };
}

/**
 * Run `body` with a scenario, a proxy with toxics in front of the mock's HTTPS port, a driver and a
 * configured SDK instance; clean up (scenario, proxy, driver) whatever happens.
 * No chaos env → `not_applicable`; the kit failing to set up → `error`.
 *
 * @param ctx the check context
 * @param setup what to set up
 * @param body the check's judgement
 * @returns the verdict
 */
export async function withChaos(
  ctx: SdkContext,
  setup: ChaosSetup,
  body: (run: ChaosRun) => Promise<Verdict>,
): Promise<Verdict> {
  const chaos = ctx.chaos;
  if (!chaos) {
    return verdict.notApplicable("no Toxiproxy in this run (the chaos suite starts one: deno task chaos)");
  }
  const scenario = ctx.mock.scenario(setup.script);
  let proxy: AnyProxy | undefined;
  let session: DriverSession | undefined;
  try {
    try {
      proxy = await chaos.createProxy(ctx.mock.ports.https);
      for (const t of setup.toxics) await proxy.addToxic(t);
    } catch (e) {
      return verdict.error(`Toxiproxy setup failed: ${errorMessage(e)}`);
    }
    const url = new URL(scenario.httpsBase);
    url.port = String(proxy.listenPort);
    const base = url.toString().replace(/\/$/, "");
    session = await ctx.startDriver();
    const configured: ChaosRun["configured"] = {
      base_url: base,
      timeouts: { ...setup.timeouts },
      ...(setup.max_retries === undefined ? {} : { max_retries: setup.max_retries }),
      ...(setup.max_response_bytes === undefined ? {} : { max_response_bytes: setup.max_response_bytes }),
      debug: true,
    };
    const partial = { ctx, session, base, configured, scenario };
    const c = await configureClient(partial);
    if (!c.ok) return c.verdict;
    return await body({
      ...partial,
      proxy,
      toxics: setup.toxics,
      client: c.client,
      connectionsAtStart: proxy.connections?.(),
    });
  } catch (e) {
    const stack = e instanceof Error && e.stack ? { notes: [`stack: ${e.stack}`] } : {};
    return verdict.error(`chaos check crashed: ${errorMessage(e)}`, stack);
  } finally {
    scenario.release();
    await proxy?.remove?.().catch(() => {});
    await session?.close().catch(() => {});
  }
}

/**
 * Call `request` (GET, idempotent) and time it.
 *
 * @param run the chaos run
 * @param boundMs how long to wait for the reply
 * @param client the SDK instance (default: the run's first)
 * @returns the call result
 */
export function get(run: ChaosRun, boundMs: number, client = run.client): Promise<CallResult<"request">> {
  return run.session.call(
    "request",
    { client, method: "GET", path: "/v1/chaos", idempotent: true },
    boundMs,
  );
}

/**
 * Proxy connections (= the SDK's connection attempts) since the run started, once the server's
 * log has caught up (it is read asynchronously), or `undefined` when they cannot be observed.
 *
 * @param run the chaos run
 * @param since the count to subtract (default: the count at the run's start)
 * @returns the attempts, or undefined
 */
export async function attempts(run: ChaosRun, since = run.connectionsAtStart): Promise<number | undefined> {
  await new Promise((r) => setTimeout(r, 150));
  const now = run.proxy.connections?.();
  return now === undefined || since === undefined ? undefined : now - since;
}

/**
 * The evidence every chaos verdict carries: toxics, configured timeouts, attempts seen by the
 * proxy and by the mock server, the time taken, the reply and the SDK's output tail.
 *
 * @param run the chaos run
 * @param facts the request's result, its duration and the attempts
 * @param notes more facts
 * @returns evidence
 */
export function evidence(
  run: ChaosRun,
  facts: { result?: CallResult<"request">; ms?: number; attempts?: number | undefined },
  notes: string[] = [],
): Evidence {
  const requests = run.scenario.requests();
  const lines = [
    `toxics: ${run.toxics.map(describeToxic).join("; ") || "none"}`,
    run.proxy.describe?.() ?? `proxy on 127.0.0.1:${run.proxy.listenPort}`,
    `configured timeouts ${JSON.stringify(run.configured.timeouts)}` +
    (run.configured.max_retries === undefined ? "" : `, max_retries=${run.configured.max_retries}`),
    facts.attempts === undefined
      ? "connection attempts at the proxy: not observable"
      : `connection attempts at the proxy: ${facts.attempts}`,
    `requests the mock server saw: ${requests.length}`,
  ];
  if (facts.ms !== undefined) lines.push(`time taken: ${Math.round(facts.ms)} ms`);
  if (facts.result) lines.push(`result: ${describeCall(facts.result)}`);
  const ev: Evidence = {
    notes: [...lines, ...notes],
    requests: requests.slice(0, 20),
    output: run.session.output().slice(-20),
  };
  if (facts.ms !== undefined) ev.timings = { request_ms: Math.round(facts.ms) };
  if (facts.result?.kind === "ok") ev.reply = summarizeReply(facts.result.result);
  if (facts.result?.kind === "sdk_error") ev.reply = facts.result.error;
  return ev;
}

/** A reply summary that does not copy a megabyte body into the report. */
function summarizeReply(r: { status: number; json?: unknown }): unknown {
  const text = JSON.stringify(r.json);
  return text !== undefined && text.length > 2000
    ? { status: r.status, json: `<${text.length} characters of JSON>` }
    : r;
}

/**
 * The verdict for a call that is not an SDK answer: a driver fault is always `error`; a missing
 * reply is a `fail` where giving up in time is the rule, else `error`.
 *
 * @param run the chaos run
 * @param r the call result (`no_reply` or `driver_fault`)
 * @param ms time taken
 * @param att attempts
 * @param timeIsTheRule whether a missing reply breaks the rule under test
 * @param rule the rule, for the failure message
 * @returns the verdict
 */
export function noAnswer(
  run: ChaosRun,
  r: Extract<CallResult<"request">, { kind: "no_reply" | "driver_fault" }>,
  ms: number,
  att: number | undefined,
  timeIsTheRule: boolean,
  rule: string,
): Verdict {
  const ev = evidence(run, { result: r, ms, attempts: att });
  if (r.kind === "driver_fault") return verdict.error(`driver fault during request: ${r.detail}`, ev);
  return timeIsTheRule
    ? verdict.fail(`${rule}; no reply within ${Math.round(ms)} ms`, ev)
    : verdict.error(`driver did not answer request within ${Math.round(ms)} ms`, ev);
}

/**
 * Guard against judging nothing: a typed answer (success or error) is evidence only if the SDK
 * actually connected through the proxy. With no proxy connection (and, where connections are not
 * observable, no request at the mock server) the check cannot judge: an `error`, never a pass.
 *
 * @param run the chaos run
 * @param att proxy connections seen during the request (undefined: not observable)
 * @param ev the evidence so far
 * @returns an error verdict, or undefined when the SDK was seen on the wire
 */
export function unconnected(run: ChaosRun, att: number | undefined, ev: Evidence): Verdict | undefined {
  const seen = att ?? run.scenario.requests().length;
  if (seen > 0) return undefined;
  return verdict.error(
    "cannot judge: the SDK answered, but neither the proxy nor the mock server saw a connection from it",
    ev,
  );
}

/** One timed GET through the proxy, with what the proxy and mock saw. */
export interface TimedGet {
  r: CallResult<"request">;
  /** ms until the driver answered (or gave up waiting) */
  ms: number;
  /** proxy connections during the request (undefined: not observable) */
  att: number | undefined;
  ev: Evidence;
}

/**
 * GET through the run's proxy, timed, then read the attempts and build the evidence.
 *
 * @param run the chaos run
 * @param waitMs how long to wait for the driver's answer
 * @param notes the check's facts (bounds, body) for the evidence
 * @returns the call result, its time, the attempts and the evidence
 */
export async function timedGet(run: ChaosRun, waitMs: number, notes: string[]): Promise<TimedGet> {
  const t0 = performance.now();
  const r = await get(run, waitMs);
  const ms = performance.now() - t0;
  const att = await attempts(run);
  return { r, ms, att, ev: evidence(run, { result: r, ms, attempts: att }, notes) };
}

/** The small JSON body the mock answers with where the body itself is not under test. */
export const OK_BODY = { kind: "json", value: { ok: true } } as const;

/**
 * Judge a request that must end in a typed error of `want` within `boundMs`.
 *
 * @param run the chaos run
 * @param boundMs the bound (configured value plus margin)
 * @param want the SdkError type the rule asks for
 * @param rule the rule, for failure messages
 * @param maxAttempts attempts allowed (1 + max_retries), when the check bounds them
 * @param observable whether the SDK's connections reach the proxy's log (false: a refused port)
 * @returns the verdict
 */
export async function mustFailWithin(
  run: ChaosRun,
  boundMs: number,
  want: "timeout" | "network",
  rule: string,
  maxAttempts?: number,
  observable = true,
): Promise<Verdict> {
  const { r, ms, att, ev } = await timedGet(run, boundMs + 2000, [
    `bound: a ${want} error within ${boundMs} ms` +
    (maxAttempts === undefined ? "" : `, at most ${maxAttempts} attempts`),
  ]);
  if (observable && (r.kind === "ok" || r.kind === "sdk_error")) {
    const u = unconnected(run, att, ev);
    if (u) return u;
  }
  if (maxAttempts !== undefined && att !== undefined && att > maxAttempts) {
    return verdict.fail(
      `${rule}: ${att} connection attempts, at most ${maxAttempts} allowed (1 + max_retries)`,
      ev,
    );
  }
  switch (r.kind) {
    case "ok":
      return verdict.fail(
        `${rule}: the request succeeded (status ${r.result.status}) after ${Math.round(ms)} ms`,
        ev,
      );
    case "sdk_error":
      if (r.error.type !== want) {
        return verdict.fail(`${rule}: expected a ${want} error, got ${describeError(r.error)}`, ev);
      }
      if (ms > boundMs) {
        return verdict.fail(
          `${rule}: the ${want} error came after ${Math.round(ms)} ms, bound ${boundMs} ms`,
          ev,
        );
      }
      return verdict.pass(ev);
    case "no_reply":
    case "driver_fault":
      return noAnswer(run, r, ms, att, true, rule);
    default: {
      const never: never = r;
      return verdict.error(`unknown call result ${String(never)}`, ev);
    }
  }
}
