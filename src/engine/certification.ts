/**
 * Summary counts and the certification level of a run.
 *
 * beta-ready = every applicable MUST passes; hardened = every applicable MUST and SHOULD passes.
 * `error` counts as not passing; `not_applicable` is left out.
 *
 * @module
 */
import type { Certification, CheckResult, Level, Outcome } from "./types.ts";

/** Counts per outcome plus the certification level. */
export interface Summary {
  pass: number;
  fail: number;
  not_applicable: number;
  error: number;
  certification: Certification;
}

/** The minimal shape of a result that the summary needs. */
export interface LevelOutcome {
  level: Level;
  outcome: Outcome;
}

/**
 * The certification level reached by a set of results.
 *
 * @param results each result's level and outcome
 * @returns "hardened", "beta-ready" or "none"
 * @example
 * ```ts
 * import { certificationOf } from "./certification.ts";
 * const level = certificationOf([
 *   { level: "MUST", outcome: "pass" },
 *   { level: "SHOULD", outcome: "fail" },
 * ]);
 * if (level !== "beta-ready") throw new Error(level);
 * ```
 */
export function certificationOf(results: readonly LevelOutcome[]): Certification {
  const applicable = results.filter((r) => r.outcome !== "not_applicable");
  const mustOk = applicable.filter((r) => r.level === "MUST").every((r) => r.outcome === "pass");
  if (!mustOk) return "none";
  const shouldOk = applicable.filter((r) => r.level === "SHOULD").every((r) => r.outcome === "pass");
  return shouldOk ? "hardened" : "beta-ready";
}

/**
 * Count outcomes and compute the certification level.
 *
 * @param results the results of a run
 * @returns the summary
 * @example
 * ```ts
 * import { summarize } from "./certification.ts";
 * const s = summarize([
 *   { id: "sdk.a.b", title: "t", level: "MUST", source: "000", durationMs: 1,
 *     verdict: { outcome: "pass", evidence: {} } },
 * ]);
 * if (s.pass !== 1 || s.certification !== "hardened") throw new Error("unexpected");
 * ```
 */
export function summarize(results: readonly CheckResult[]): Summary {
  const s: Summary = { pass: 0, fail: 0, not_applicable: 0, error: 0, certification: "none" };
  for (const r of results) {
    const o = r.verdict.outcome;
    switch (o) {
      case "pass":
        s.pass++;
        break;
      case "fail":
        s.fail++;
        break;
      case "not_applicable":
        s.not_applicable++;
        break;
      case "error":
        s.error++;
        break;
      default: {
        const _x: never = o;
        throw new Error(`unknown outcome ${String(_x)}`);
      }
    }
  }
  s.certification = certificationOf(results.map((r) => ({ level: r.level, outcome: r.verdict.outcome })));
  return s;
}

/**
 * The area of a check id: its second segment ("sdk.retry.bounded" → "retry").
 *
 * @param id a check id
 * @returns the area, or the id itself when it has no second segment
 * @example
 * ```ts
 * import { areaOf } from "./certification.ts";
 * if (areaOf("sdk.retry.bounded") !== "retry") throw new Error("area");
 * ```
 */
export function areaOf(id: string): string {
  return id.split(".")[1] ?? id;
}
