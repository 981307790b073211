/**
 * Structured timing evidence of the `sdk.retry.*` and `sdk.timeouts.*` checks: the moments of the
 * call under test on the axis of the requests' `t` (ms since the scenario was created) and the
 * bound the rule sets, which report.html draws as a timeline. It only adds evidence: a verdict's
 * outcome and reason are never changed.
 *
 * @module
 */
import type { Timeline } from "../../src/schema/evidence.ts";
import type { Verdict } from "../../src/engine/types.ts";
import type { ScenarioHandle } from "../../src/mock/types.ts";

/** A clock on a scenario's axis. */
export interface ScenarioClock {
  /** ms since the scenario was created */
  now(): number;
}

/**
 * Start a clock just before `setup()` reserves the scenario (its first, synchronous step), so the
 * clock's zero is the scenario's own to well under a millisecond (the mock server is in-process).
 *
 * @returns the clock
 * @example
 * ```ts
 * import { scenarioClock } from "./_timeline.ts";
 * const c = scenarioClock();
 * if (c.now() < 0) throw new Error();
 * ```
 */
export function scenarioClock(): ScenarioClock {
  const zero = performance.now();
  return { now: () => Math.round(performance.now() - zero) };
}

/**
 * The arrival times of a scenario's attempts (kept on a pass, where the requests are not).
 *
 * @param scenario the scenario
 * @returns the times in ms (at most 50)
 */
export function attemptsOf(scenario: ScenarioHandle): number[] {
  return scenario.requests().slice(0, 50).map((q) => Math.round(q.t));
}

/**
 * The verdict with a timeline in its evidence (outcome and reason unchanged; `not_applicable`,
 * which has no evidence, and an empty timeline leave it as it is).
 *
 * @param v the verdict
 * @param timeline the timeline
 * @returns the verdict with the timeline
 * @example
 * ```ts
 * import { withTimeline } from "./_timeline.ts";
 * const v = withTimeline({ outcome: "fail", reason: "r", evidence: {} }, { max_attempts: 3 });
 * if (v.outcome !== "fail" || v.evidence.timeline?.max_attempts !== 3) throw new Error();
 * ```
 */
export function withTimeline(v: Verdict, timeline: Timeline): Verdict {
  if (Object.keys(timeline).length === 0) return v;
  switch (v.outcome) {
    case "pass":
    case "fail":
      return { ...v, evidence: { ...v.evidence, timeline: { ...v.evidence.timeline, ...timeline } } };
    case "error":
      return { ...v, evidence: { ...v.evidence, timeline: { ...v.evidence?.timeline, ...timeline } } };
    case "not_applicable":
      return v;
    default: {
      const never: never = v;
      return never;
    }
  }
}
