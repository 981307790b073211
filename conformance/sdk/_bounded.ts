/**
 * `sdk.retry.bounded`'s run and judge (the check itself is in `retry.ts`): two instances against an
 * always-503 server, one with max_retries=2 (at most 3 attempts), one with the default (at most 4).
 *
 * @module
 */
import type { SdkContext } from "../../src/engine/sdk_context.ts";
import { type Verdict, verdict } from "../../src/engine/types.ts";
import type { Timeline } from "../../src/schema/evidence.ts";
import { callFault, gather, type Setup, setup, unobserved } from "./_helpers.ts";
import type { Seen } from "./_judge.ts";
import { ALWAYS_503, type Bounded, boundedRequest, overVerdict } from "./_retry.ts";
import { attemptsOf, scenarioClock, withTimeline } from "./_timeline.ts";

/** The budgets of sdk.retry.bounded's two instances: max_retries=2, and the default. */
const BUDGETS = [{ max: 3, label: "max_retries=2" }, { max: 4, label: "default max_retries" }] as const;

/**
 * The judge of sdk.retry.bounded: an instance seen making more attempts than its budget allows.
 *
 * @param seen the instances, in order
 * @returns the fail, or undefined
 */
export function overBudget(seen: readonly Seen[]): Verdict | undefined {
  for (const [i, s] of seen.entries()) {
    const b = BUDGETS[i];
    const n = s.scenario.requests().length;
    if (b && n > b.max) {
      return verdict.fail(`${b.label}: at most ${b.max} attempts; saw ${n} attempts`, {
        ...gather(s),
        timeline: { max_attempts: b.max },
      });
    }
  }
  return undefined;
}

/**
 * Run sdk.retry.bounded's two instances and judge them; the verdict carries the timeline of the
 * instance it is about (its attempts, its budget, when its call ended).
 *
 * @param ctx the check's context
 * @returns the verdict
 */
export async function boundedBody(ctx: SdkContext): Promise<Verdict> {
  const v = await boundedRun(ctx);
  return v.timeline ? withTimeline(v.verdict, v.timeline()) : v.verdict;
}

/** sdk.retry.bounded's run, and the timeline of the instance its verdict is about. */
async function boundedRun(ctx: SdkContext): Promise<{ verdict: Verdict; timeline?: () => Timeline }> {
  const clocks = [scenarioClock()];
  const a = await setup(ctx, ALWAYS_503, { configure: { max_retries: 2 } });
  if (!a.ok) return { verdict: a.verdict };
  clocks.push(scenarioClock());
  const b = await setup(ctx, ALWAYS_503, { session: a.setup.session });
  if (!b.ok) return { verdict: b.verdict };
  const called = clocks.map((c) => c.now());
  const ended: (number | undefined)[] = [];
  const [ra, rb] = await Promise.all(
    [a.setup, b.setup].map((s, i) =>
      boundedRequest(s, { method: "GET", path: "/always-503" }, BUDGETS[i]?.max ?? 0, 15_000, ctx.signal)
        .then((res) => {
          if (res.kind === "done" && res.r.kind !== "no_reply") ended[i] = clocks[i]?.now();
          return res;
        })
    ),
  );
  if (!ra || !rb) return { verdict: verdict.error("cannot judge: a request was not made") };
  const timeline = (i: 0 | 1) => (): Timeline => {
    const s = i === 0 ? a.setup : b.setup;
    const gaveUp = ended[i];
    return {
      called_ms: called[i],
      attempts_ms: attemptsOf(s.scenario),
      max_attempts: BUDGETS[i].max,
      ...(gaveUp !== undefined ? { gave_up_ms: gaveUp } : {}),
    };
  };
  const v = boundedJudge(ra, rb, a.setup, b.setup);
  return { verdict: v.verdict, timeline: timeline(v.instance) };
}

function boundedJudge(
  ra: Bounded,
  rb: Bounded,
  a: Setup,
  b: Setup,
): { verdict: Verdict; instance: 0 | 1 } {
  const found = boundedFault(ra, rb, a, b);
  if (found) return found;
  const over = overBudget([a, b]);
  if (over) return { verdict: over, instance: a.scenario.requests().length > 3 ? 0 : 1 };
  return {
    instance: 0,
    verdict: verdict.pass(gather(a, {
      notes: [`max_retries=2 → ${ra.attempts} attempts (≤ 3); default → ${rb.attempts} attempts (≤ 4)`],
    })),
  };
}

function boundedFault(
  ra: Bounded,
  rb: Bounded,
  a: Setup,
  b: Setup,
): { verdict: Verdict; instance: 0 | 1 } | undefined {
  for (const [i, res, s, { max, label }] of [[0, ra, a, BUDGETS[0]], [1, rb, b, BUDGETS[1]]] as const) {
    const v = boundedInstance(res, s, max, label);
    if (v) return { verdict: v, instance: i };
  }
  return undefined;
}

function boundedInstance(res: Bounded, s: Setup, max: number, label: string): Verdict | undefined {
  if (res.kind === "over") return overVerdict(res, s, `${label}: at most ${max} attempts`);
  if (res.r.kind === "no_reply") {
    // within budget so far, but still retrying: giving up in time is not this rule
    return verdict.error(
      `cannot judge: ${label}: no reply after ${
        Math.round(res.r.ms)
      } ms with ${res.attempts} attempt(s) (≤ ${max}) seen; the SDK may still be retrying`,
      gather(s),
    );
  }
  if (res.r.kind === "driver_fault") return callFault("request", res.r, s);
  const u = unobserved(s, 1, `the request (${label})`);
  if (u) return u;
  if (res.r.kind === "ok" && res.r.result.status !== 503) {
    return verdict.error(
      `the mock server always answers 503 but the SDK reported ${res.r.result.status}`,
      gather(s),
    );
  }
  return undefined;
}
