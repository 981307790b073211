/**
 * Summary counts and the certification level of a run.
 *
 * beta-ready = every applicable MUST passes; hardened = every applicable MUST and SHOULD passes;
 * god-tier = hardened, and every FUTURE check (seed 000 §9) ran and passed: at least one, none of
 * them `not_applicable` (a hook the kit could not prove, e.g. without Go for `sdk.tls.pq-hybrid`,
 * awards nothing). `error` counts as not passing; otherwise `not_applicable` is left out.
 *
 * @module
 */
import { type Certification, CERTIFICATIONS, type CheckResult, type Level, type Outcome } from "./types.ts";

/** The capabilities a target must declare for each level (a profile's `levels`). */
export interface LevelRequirements {
  /** required for `beta-ready` (and so for `hardened`) */
  "beta-ready": readonly string[];
  /** required for `hardened`, besides those of `beta-ready` */
  hardened: readonly string[];
  /** required for `god-tier`, besides those of `hardened` (absent: the profile has no `god-tier` capabilities) */
  "god-tier"?: readonly string[];
}

/** Each level's required capabilities and the ones the target does not declare. */
export interface LevelCoverage {
  /** `beta-ready`: what it requires, and what is missing */
  "beta-ready": { requires: string[]; missing: string[] };
  /** `hardened`: what it requires (including beta-ready's), and what is missing */
  hardened: { requires: string[]; missing: string[] };
  /** `god-tier`: what it requires (including hardened's), and what is missing */
  "god-tier": { requires: string[]; missing: string[] };
}

/** Counts per outcome plus the certification level. */
export interface Summary {
  /** checks that passed */
  pass: number;
  /** checks that failed */
  fail: number;
  /** checks that did not apply */
  not_applicable: number;
  /** checks the kit or driver could not judge */
  error: number;
  /** the level reached */
  certification: Certification;
  /** present when the profile names required capabilities */
  levels?: LevelCoverage;
}

/**
 * Which required capabilities a target lacks, per level.
 *
 * @param declared the target's declared capabilities
 * @param required the profile's requirements
 * @returns each level's requirements and what is missing
 * @example
 * ```ts
 * import { levelCoverage } from "./certification.ts";
 * const c = levelCoverage(["http"], { "beta-ready": ["http", "retry"], hardened: ["sse"], "god-tier": ["tls_pq"] });
 * if (c["beta-ready"].missing.join() !== "retry" || c.hardened.missing.join() !== "retry,sse") throw new Error();
 * if (c["god-tier"].missing.join() !== "retry,sse,tls_pq") throw new Error();
 * ```
 */
export function levelCoverage(declared: readonly string[], required: LevelRequirements): LevelCoverage {
  const have = new Set(declared);
  const beta = [...required["beta-ready"]];
  const hard = [...new Set([...beta, ...required.hardened])];
  const god = [...new Set([...hard, ...(required["god-tier"] ?? [])])];
  return {
    "beta-ready": { requires: beta, missing: beta.filter((c) => !have.has(c)) },
    hardened: { requires: hard, missing: hard.filter((c) => !have.has(c)) },
    "god-tier": { requires: god, missing: god.filter((c) => !have.has(c)) },
  };
}

/**
 * Cap a level by the capabilities the target declares: never award a level whose required
 * capabilities are missing (its checks would all be `not_applicable`, proving nothing).
 *
 * @param level the level the results reach
 * @param coverage the capability coverage
 * @returns the level actually awarded
 * @example
 * ```ts
 * import { capLevel, levelCoverage } from "./certification.ts";
 * const c = levelCoverage(["http", "tls"], { "beta-ready": ["http", "tls", "retry"], hardened: [] });
 * if (capLevel("hardened", c) !== "none") throw new Error();
 * const g = levelCoverage(["http"], { "beta-ready": ["http"], hardened: [], "god-tier": ["tls_pq"] });
 * if (capLevel("god-tier", g) !== "hardened") throw new Error();
 * ```
 */
export function capLevel(level: Certification, coverage: CoverageOfReport): Certification {
  if (level === "none") return "none";
  // step down from the level reached to the highest one whose capabilities are all declared
  // (a report written before god-tier existed has no entry for it: hardened's requirements stand)
  const missing = (l: Exclude<Certification, "none">) =>
    (coverage[l] ?? coverage.hardened).missing.length > 0;
  let i = CERTIFICATIONS.indexOf(level);
  while (i >= 0 && missing(CERTIFICATIONS[i] ?? "beta-ready")) i--;
  return i >= 0 ? CERTIFICATIONS[i] ?? "none" : "none";
}

/** What {@link capLevel} reads of a coverage: each level's missing capabilities (god-tier's may be absent). */
export interface CoverageOfReport {
  /** `beta-ready`'s missing capabilities */
  "beta-ready": { readonly missing: readonly string[] };
  /** `hardened`'s missing capabilities */
  hardened: { readonly missing: readonly string[] };
  /** `god-tier`'s, when known */
  "god-tier"?: { readonly missing: readonly string[] } | undefined;
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
 * @returns "god-tier", "hardened", "beta-ready" or "none"
 * @example
 * ```ts
 * import { certificationOf } from "./certification.ts";
 * const level = certificationOf([
 *   { level: "MUST", outcome: "pass" },
 *   { level: "SHOULD", outcome: "fail" },
 * ]);
 * if (level !== "beta-ready") throw new Error(level);
 * const unproven = certificationOf([
 *   { level: "MUST", outcome: "pass" },
 *   { level: "FUTURE", outcome: "not_applicable" },
 * ]);
 * if (unproven !== "hardened") throw new Error(unproven);
 * ```
 */
export function certificationOf(results: readonly LevelOutcome[]): Certification {
  const applicable = results.filter((r) => r.outcome !== "not_applicable");
  const mustOk = applicable.filter((r) => r.level === "MUST").every((r) => r.outcome === "pass");
  if (!mustOk) return "none";
  const shouldOk = applicable.filter((r) => r.level === "SHOULD").every((r) => r.outcome === "pass");
  if (!shouldOk) return "beta-ready";
  // god-tier is never vacuous: every FUTURE check ran (none not_applicable) and passed, and there was one
  const future = results.filter((r) => r.level === "FUTURE");
  return future.length > 0 && future.every((r) => r.outcome === "pass") ? "god-tier" : "hardened";
}

/**
 * Count outcomes and compute the certification level (capped by the required capabilities, when
 * given).
 *
 * @param results the results of a run
 * @param capabilities the target's declared capabilities and the profile's requirements
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
export function summarize(
  results: readonly CheckResult[],
  capabilities?: { declared: readonly string[]; required: LevelRequirements },
): Summary {
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
  if (capabilities) {
    s.levels = levelCoverage(capabilities.declared, capabilities.required);
    s.certification = capLevel(s.certification, s.levels);
  }
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
