/**
 * Shared plumbing of the `sdk.retry.*` checks: the always-503 script, a request raced against an
 * attempt ceiling, and the waits between a scenario's attempts.
 *
 * @module
 */
import { type Verdict, verdict } from "../../src/engine/types.ts";
import type { CallResult } from "../../src/driver/types.ts";
import type { Scenario } from "../../src/schema/scenario.ts";
import { gather, request, type Setup, sleep } from "./_helpers.ts";
import type { Seen } from "./_judge.ts";

export const ALWAYS_503: Scenario = {
  responses: [{ status: 503, body: { kind: "json", value: problem("unavailable") } }],
};

/** A Problem body for the retry scripts. */
export function problem(code: string): Record<string, unknown> {
  return { code, kind: "server", message: `${code}`, correlation_id: "corr-retry", details: {} };
}

/** Outcome of a request raced against an attempt ceiling. */
export type Bounded =
  | { kind: "done"; r: CallResult<"request">; attempts: number }
  | { kind: "over"; attempts: number; ms: number };

/**
 * Call `request` and watch the scenario: as soon as it sees more than `maxAttempts`
 * requests the SDK has already broken the bound, so stop waiting.
 */
export async function boundedRequest(
  s: Setup,
  params: { method: string; path: string } & Record<string, unknown>,
  maxAttempts: number,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<Bounded> {
  const started = performance.now();
  let settled = false;
  const call = request(s, params, timeoutMs).then((r) => {
    settled = true;
    return r;
  });
  const watch = (async (): Promise<Bounded | undefined> => {
    while (!settled && !signal.aborted) {
      const n = s.scenario.requests().length;
      if (n > maxAttempts) return { kind: "over", attempts: n, ms: Math.round(performance.now() - started) };
      await sleep(25, signal);
    }
    return undefined;
  })();
  const first = await Promise.race([call.then((r) => ({ kind: "done" as const, r })), watch]);
  if (first && first.kind === "over") return first;
  const r = await call;
  return { kind: "done", r, attempts: s.scenario.requests().length };
}

export function overVerdict(b: Bounded & { kind: "over" }, s: Setup, rule: string): Verdict {
  return verdict.fail(`${rule}; saw ${b.attempts} attempts after ${b.ms} ms`, gather(s));
}

/** Gaps in ms between consecutive attempts of a scenario. */
export function gaps(s: Seen): number[] {
  const t = s.scenario.requests().map((r) => r.t);
  return t.slice(1).map((v, i) => Math.round(v - (t[i] ?? v)));
}
