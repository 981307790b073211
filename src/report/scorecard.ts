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
