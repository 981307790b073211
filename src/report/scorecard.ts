/**
 * Per-area scorecard of a report (area = the second id segment), shared by every renderer and the CLI.
 *
 * @module
 */
import type { Report } from "../schema/report.ts";
import { areaOf } from "../engine/certification.ts";

/** Counts of one area. */
export interface AreaScore {
  area: string;
  pass: number;
  fail: number;
  not_applicable: number;
  error: number;
}

/**
 * Count outcomes per area, areas sorted by name.
 *
 * @param report the report
 * @returns one row per area
 * @example
 * ```ts
 * import { scorecard } from "./scorecard.ts";
 * const rows = scorecard({ results: [{ id: "sdk.tls.verify", outcome: "pass" }] });
 * if (rows[0]?.area !== "tls" || rows[0].pass !== 1) throw new Error();
 * ```
 */
export function scorecard(
  report: { results: readonly { id: string; outcome: Report["results"][number]["outcome"] }[] },
): AreaScore[] {
  const m = new Map<string, AreaScore>();
  for (const r of report.results) {
    const area = areaOf(r.id);
    const s = m.get(area) ?? { area, pass: 0, fail: 0, not_applicable: 0, error: 0 };
    s[r.outcome]++;
    m.set(area, s);
  }
  return [...m.values()].sort((a, b) => a.area.localeCompare(b.area));
}

/**
 * One line on what the level covers: the capabilities each level requires that the target does
 * not declare (or that every one is declared). Unescaped: each renderer escapes it.
 *
 * @param summary the report's summary
 * @returns the line, or undefined when the profile requires no capability
 * @example
 * ```ts
 * import { levelLine } from "./scorecard.ts";
 * const line = levelLine({
 *   pass: 1, fail: 0, error: 0, not_applicable: 9, certification: "none",
 *   levels: { "beta-ready": { requires: ["http", "retry"], missing: ["retry"] },
 *     hardened: { requires: ["http", "retry"], missing: ["retry"] } },
 * });
 * if (line !== "capabilities missing for beta-ready: retry (no level without them)") throw new Error(line);
 * const god = levelLine({
 *   pass: 9, fail: 0, error: 0, not_applicable: 1, certification: "hardened",
 *   levels: { "beta-ready": { requires: ["http"], missing: [] }, hardened: { requires: ["http"], missing: [] },
 *     "god-tier": { requires: ["http", "tls_pq"], missing: ["tls_pq"] } },
 * });
 * if (god !== "capabilities missing for god-tier: tls_pq (hardened at most)") throw new Error(god);
 * ```
 */
export function levelLine(summary: Report["summary"]): string | undefined {
  const l = summary.levels;
  if (!l) return undefined;
  if (l["beta-ready"].missing.length > 0) {
    return `capabilities missing for beta-ready: ${
      l["beta-ready"].missing.join(", ")
    } (no level without them)`;
  }
  if (l.hardened.missing.length > 0) {
    return `capabilities missing for hardened: ${l.hardened.missing.join(", ")} (beta-ready at most)`;
  }
  const god = l["god-tier"];
  if (god && god.missing.length > 0) {
    return `capabilities missing for god-tier: ${god.missing.join(", ")} (hardened at most)`;
  }
  const all = god ?? l.hardened;
  return all.requires.length > 0
    ? `every capability the levels require is declared (${all.requires.join(", ")})`
    : undefined;
}
