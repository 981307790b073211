/**
 * Shared plumbing for the `sdk.*` checks: start a driver, configure an SDK
 * instance against a reserved mock scenario, call ops with explicit bounds,
 * and assemble evidence. Internal to the conformance suite.
 *
 * @module
 */
import type { SdkContext } from "../../src/engine/sdk_context.ts";
import { type Evidence, type Verdict, verdict } from "../../src/engine/types.ts";
import type { CallResult, DriverSession } from "../../src/driver/types.ts";
import type { ScenarioHandle } from "../../src/mock/types.ts";
import type { Scenario } from "../../src/schema/scenario.ts";
import type { ConfigureParams, Op } from "../../src/schema/protocol.ts";
import { describeError } from "../../src/driver/describe.ts";
import { watch } from "./_judge.ts";

/** Default bound for a driver call that is not itself under test. */
export const CALL_MS = 8_000;

/**
 * Timeouts the checks configure unless a check is about timeouts. `connect_ms` leaves room for a cold
 * runtime's first TLS handshake on a loaded machine (java.net.http counts the handshake in its connect
 * timeout: a cold JVM took more than 2 s in the field report), so a check that does not judge timing
 * is not left unable to judge; `total_ms` stays under {@link CALL_MS}.
 */
export const QUICK_TIMEOUTS = { connect_ms: 5_000, read_ms: 3_000, total_ms: 6_000 } as const;

/** Which mock listener an SDK instance talks to. */
export type Listener = "https" | "http" | "untrusted" | "foreign";

/** A configured SDK instance on a reserved scenario. */
export interface Setup {
  readonly session: DriverSession;
  readonly client: string;
  readonly scenario: ScenarioHandle;
  readonly canary: string;
  readonly base: string;
}

/** Options of `setup`. */
export interface SetupOptions {
  /** params merged over the defaults (https base, the kit CA, a fresh canary, quick timeouts) */
  configure?: Partial<ConfigureParams>;
  /** which listener the base URL points at (default https) */
  listener?: Listener;
  /** the base URL on some other server (e.g. a per-case TLS listener), instead of `listener` */
  baseUrl?: (scenario: ScenarioHandle) => string;
  /** omit the default quick timeouts (for checks about timeouts) */
  noDefaultTimeouts?: boolean;
  /** reuse a running driver session instead of starting one */
  session?: DriverSession;
  /** extra driver environment */
  env?: Record<string, string>;
  /** export the run's CA in the standard environment variables @default true */
  exportCaEnv?: boolean;
}

/**
 * The result of `setup`: the instance, or the verdict to return (configure broke) with the
 * configure call's result (a check whose rule is about configure judges that itself).
 */
export type SetupResult =
  | { ok: true; setup: Setup }
  | { ok: false; verdict: Verdict; configure?: CallResult<"configure"> };

/**
 * Base URL of a scenario on a listener.
 *
 * @param scenario the reserved scenario
 * @param listener which listener
 * @returns the base URL
 */
export function baseOf(scenario: ScenarioHandle, listener: Listener): string {
  switch (listener) {
    case "https":
      return scenario.httpsBase;
    case "http":
      return scenario.httpBase;
    case "untrusted":
      return scenario.untrustedBase;
    case "foreign":
      return scenario.foreignBase;
    default: {
      const never: never = listener;
      throw new Error(`unknown listener ${String(never)}`);
    }
  }
}

/**
 * Reserve a scenario, start a driver (or reuse one) and configure one SDK instance.
 * A configure that fails or does not answer is an `error` verdict (a kit/driver fault).
 *
 * @param ctx the check context
 * @param script the scenario script
 * @param opts options
 * @returns the setup or the verdict to return
 */
export async function setup(
  ctx: SdkContext,
  script: Scenario,
  opts: SetupOptions = {},
): Promise<SetupResult> {
  const scenario = ctx.mock.scenario(script);
  const session = opts.session ??
    await ctx.startDriver({
      ...(opts.env ? { env: opts.env } : {}),
      ...(opts.exportCaEnv === false ? { exportCaEnv: false } : {}),
    });
  const base = opts.baseUrl?.(scenario) ?? baseOf(scenario, opts.listener ?? "https");
  const params: ConfigureParams = {
    base_url: base,
    token: ctx.newCanary(),
    ca_cert_pem: ctx.mock.caCertPem,
    ...(session.caFile !== undefined && opts.exportCaEnv !== false ? { ca_cert_file: session.caFile } : {}),
    debug: true,
    ...(opts.noDefaultTimeouts ? {} : { timeouts: { ...QUICK_TIMEOUTS } }),
    ...opts.configure,
  };
  const canary = params.token ?? ctx.newCanary();
  // registered before configure answers: the check's judge sees what this instance did even if
  // configure (or anything after it) never completes
  watch(ctx, { scenario, session, canary });
  const r = await session.call("configure", params, CALL_MS);
  if (r.kind !== "ok") {
    return { ok: false, verdict: callFault("configure", r, { scenario, session }), configure: r };
  }
  return { ok: true, setup: { session, client: r.result.client, scenario, canary, base } };
}

/**
 * Turn a call that did not succeed into an `error` verdict (the kit or driver broke),
 * with the evidence gathered so far.
 *
 * @param op the op that was called
 * @param r the call result
 * @param from where to gather evidence
 * @returns an error verdict
 */
export function callFault(
  op: Op,
  r: CallResult<Op>,
  from: { scenario?: ScenarioHandle; session?: DriverSession },
): Verdict {
  const ev = gather(from);
  switch (r.kind) {
    case "ok":
      return verdict.error(`${op} unexpectedly succeeded`, ev);
    case "sdk_error":
      return verdict.error(`${op} failed: ${describeError(r.error)}`, { ...ev, reply: r.error });
    case "no_reply":
      return verdict.error(`driver did not answer ${op} within ${Math.round(r.ms)} ms`, ev);
    case "driver_fault":
      return verdict.error(`driver fault during ${op}: ${r.detail}`, ev);
    default: {
      const never: never = r;
      return verdict.error(`unknown call result ${String(never)}`, ev);
    }
  }
}

/**
 * Evidence from a scenario's request log and a session's output tail.
 *
 * @param from the scenario and/or session
 * @param extra more evidence to merge
 * @returns evidence
 */
export function gather(
  from: { scenario?: ScenarioHandle | undefined; session?: DriverSession | undefined },
  extra: Evidence = {},
): Evidence {
  const ev: Evidence = { ...extra };
  if (from.scenario) ev.requests = from.scenario.requests().slice(0, 50);
  if (from.session) ev.output = from.session.output().slice(-30);
  return ev;
}

/**
 * Call `request` on an instance with a bound.
 *
 * @param s the setup
 * @param params request params (client is filled in)
 * @param timeoutMs bound for the reply
 * @returns the call result
 */
export function request(
  s: Setup,
  params: { method: string; path: string } & Record<string, unknown>,
  timeoutMs = CALL_MS,
): Promise<CallResult<"request">> {
  return s.session.call("request", { client: s.client, ...params }, timeoutMs);
}

/**
 * True if a capability-level "unsupported" error came back.
 *
 * @param r a call result
 * @returns whether the driver said the op is unsupported
 */
export function isUnsupported(r: CallResult<Op>): boolean {
  return r.kind === "sdk_error" && r.error.type === "unsupported";
}

/**
 * Requests the scenario saw, excluding none; helper for counting attempts.
 *
 * @param s the setup
 * @returns number of requests
 */
export function attempts(s: Setup): number {
  return s.scenario.requests().length;
}

/**
 * Sleep that respects the check's abort signal.
 *
 * @param ms milliseconds
 * @param signal abort signal
 * @returns a promise resolved after `ms` or on abort
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * Guard against judging nothing: the SDK reported results, but did the mock server see the
 * traffic the check asked for? Fewer than `min` requests (optionally only those whose path
 * contains `pathPart`) means the check cannot judge the SDK: an `error`, never a pass.
 *
 * @param s the setup (or any scenario + session)
 * @param min the least number of requests the check's calls must have produced
 * @param what what those requests were, for the reason
 * @param pathPart only count requests whose path contains this
 * @returns an error verdict, or undefined when enough traffic was seen
 */
export function unobserved(
  s: { scenario: ScenarioHandle; session?: DriverSession },
  min: number,
  what: string,
  pathPart?: string,
): Verdict | undefined {
  const n = s.scenario.requests().filter((r) => pathPart === undefined || r.path.includes(pathPart)).length;
  if (n >= min) return undefined;
  return verdict.error(
    `cannot judge: the SDK answered, but the mock server saw ${n} request(s) for ${what} (expected >= ${min})`,
    gather(s),
  );
}

/**
 * Judge a request whose rule is giving up in time: it must end with an SDK error of one of
 * `types`. No reply by the call's bound is a `fail` (giving up in time is the rule under test);
 * a success is a `fail`; a driver fault is an `error`.
 *
 * @param r the call result
 * @param s the setup
 * @param types the acceptable error types
 * @param rule the rule, with its bound, for reasons
 * @param notes facts for the evidence (configured values)
 * @returns the verdict
 */
export function judgeGiveUp(
  r: CallResult<"request">,
  s: Setup,
  types: readonly string[],
  rule: string,
  notes: string[],
): Verdict {
  if (r.kind === "ok" || r.kind === "sdk_error") {
    const u = unobserved(s, 1, "the request under test");
    if (u) return u;
  }
  switch (r.kind) {
    case "no_reply":
      return verdict.fail(
        `${rule}; no reply after ${Math.round(r.ms)} ms`,
        gather(s, { timings: { waited_ms: Math.round(r.ms) }, notes }),
      );
    case "ok":
      return verdict.fail(
        `${rule}; it returned status ${r.result.status} as a success after ${Math.round(r.ms)} ms`,
        gather(s, { timings: { elapsed_ms: Math.round(r.ms) }, notes }),
      );
    case "sdk_error":
      if (!types.includes(r.error.type)) {
        return verdict.fail(
          `${rule}; got ${describeError(r.error)} after ${Math.round(r.ms)} ms`,
          gather(s, { reply: r.error, timings: { elapsed_ms: Math.round(r.ms) }, notes }),
        );
      }
      return verdict.pass(gather(s, { reply: r.error, timings: { elapsed_ms: Math.round(r.ms) }, notes }));
    case "driver_fault":
      // A reply too long for one line (16 MiB) means the SDK held that much of the body, whether it
      // returned it as a success or quoted it in an error: the limit was not applied.
      if (r.oversized !== undefined) {
        return verdict.fail(
          `${rule}; ${r.detail}`,
          gather(s, { timings: { elapsed_ms: Math.round(r.ms), reply_bytes: r.oversized.bytes }, notes }),
        );
      }
      return callFault("request", r, s);
    default: {
      const never: never = r;
      return verdict.error(`unknown call result ${String(never)}`);
    }
  }
}
