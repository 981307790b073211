/**
 * The capability coverage bar of report.html (internal), shown beside the certification level:
 * the share of the checks that ran which were judged (pass or fail), could not be judged (error)
 * or did not apply (a capability the target does not declare), overall and per capability the
 * checks require. Drawn as inline SVG rectangles (no style attributes: the page's CSP allows none).
 *
 * @module
 */
import type { Report } from "../schema/report.ts";
import { escHtml } from "./escape.ts";

type Result = Report["results"][number];

/** Counts of one coverage row. */
export interface Coverage {
  /** "all checks" or a capability */
  label: string;
  /** pass or fail */
  judged: number;
  /** could not be judged */
  error: number;
  /** did not apply */
  notApplicable: number;
}

function count(label: string, rs: readonly Result[]): Coverage {
  return {
    label,
    judged: rs.filter((r) => r.outcome === "pass" || r.outcome === "fail").length,
    error: rs.filter((r) => r.outcome === "error").length,
    notApplicable: rs.filter((r) => r.outcome === "not_applicable").length,
  };
}

/**
 * Coverage overall, then per capability (the capabilities the checks require, by name).
 *
 * @param results the report's results
 * @param requires each check id's required capabilities (from the registry; ids it lacks count overall only)
 * @returns the rows, overall first
 */
export function coverageRows(
  results: readonly Result[],
  requires: ReadonlyMap<string, readonly string[]>,
): Coverage[] {
  const byCap = new Map<string, Result[]>();
  for (const r of results) {
    for (const cap of requires.get(r.id) ?? []) byCap.set(cap, [...(byCap.get(cap) ?? []), r]);
  }
  const caps = [...byCap.keys()].sort().slice(0, 64);
  return [count("all checks", results), ...caps.map((c) => count(c, byCap.get(c) ?? []))];
}

const BAR_W = 220;
const BAR_H = 12;

function bar(c: Coverage): string {
  const total = c.judged + c.error + c.notApplicable;
  const w = (n: number) => total === 0 ? 0 : (n / total) * BAR_W;
  const segs: [number, string][] = [[w(c.judged), "cov-judged"], [w(c.error), "cov-error"], [
    w(c.notApplicable),
    "cov-na",
  ]];
  let x = 0;
  const rects = segs.map(([width, cls]) => {
    const r = `<rect x="${x.toFixed(1)}" y="0" width="${
      width.toFixed(1)
    }" height="${BAR_H}" class="${cls}"/>`;
    x += width;
    return r;
  }).join("");
  const desc = `${c.judged} judged, ${c.error} error, ${c.notApplicable} not applicable`;
  return `<svg class="cov-bar" viewBox="0 0 ${BAR_W} ${BAR_H}" width="${BAR_W}" height="${BAR_H}" role="img" ` +
    `xmlns="http://www.w3.org/2000/svg"><title>${escHtml(desc)}</title>` +
    `<rect x="0" y="0" width="${BAR_W}" height="${BAR_H}" class="cov-bg"/>${rects}</svg>`;
}

/**
 * The coverage block: one bar overall, then one per capability (undeclared ones marked).
 *
 * @param report the report
 * @param requires each check id's required capabilities
 * @returns HTML
 */
export function coverageHtml(report: Report, requires: ReadonlyMap<string, readonly string[]>): string {
  const declared = new Set(report.target.capabilities);
  const rows = coverageRows(report.results, requires).map((c, i) => {
    const total = c.judged + c.error + c.notApplicable;
    const pct = total === 0 ? 0 : Math.round((c.judged / total) * 100);
    const missing = i > 0 && !declared.has(c.label) ? ` <span class="cov-missing">not declared</span>` : "";
    return `<tr><th>${escHtml(c.label.slice(0, 64))}${missing}</th><td>${bar(c)}</td>` +
      `<td>${c.judged}/${total} judged (${pct}%)${c.error ? `, ${c.error} error` : ""}${
        c.notApplicable ? `, ${c.notApplicable} n/a` : ""
      }</td></tr>`;
  }).join("");
  return `<div class="coverage"><h3>Capability coverage</h3><table class="cov">${rows}</table>` +
    `<p class="legend"><span class="key cov-judged-key">judged</span> <span class="key cov-error-key">error</span> ` +
    `<span class="key cov-na-key">not applicable</span></p></div>`;
}
