/**
 * report.html, the evidence page: one self-contained file (inline style and one inline script
 * allowed by hash in its Content-Security-Policy, no external resource, no network). It shows the
 * level with a capability coverage bar beside it, the scorecard per area, then every check, failures
 * first, with its title, level, source and rationale, the timeline of its timed traffic (attempts,
 * waits, the rule's bound, the moment the call ended), its evidence (the leak excerpt highlighted)
 * and its re-run command with a copy button. Everything is escaped and bounded; the report is
 * masked before it gets here.
 *
 * @module
 */
import type { Report } from "../schema/report.ts";
import { registeredChecks } from "../engine/registry.ts";
import { escHtml } from "./escape.ts";
import { levelLine, scorecard } from "./scorecard.ts";
import { checkHtml, pageOrder } from "./_html_check.ts";
import { coverageHtml } from "./_html_coverage.ts";
import { esc } from "./_html_evidence.ts";
import { PAGE_CSP, PAGE_SCRIPT, PAGE_STYLE } from "./_html_page.ts";

/** The most checks the page lists (a profile has far fewer). */
const MAX_CHECKS = 2_000;

function headHtml(report: Report, requires: ReadonlyMap<string, readonly string[]>): string {
  const s = report.summary;
  const t = report.target;
  const line = levelLine(s);
  const problems = s.expectation_problems ?? [];
  return `<div class="head"><div>` +
    `<p>Certification level <span class="badge ${esc(s.certification, 32)}">${
      esc(s.certification, 32)
    }</span></p>` +
    `<p>${esc(t.language, 200)} · capabilities: ${esc(t.capabilities.join(", ") || "none", 2000)} · kit ${
      esc(report.kit.version, 64)
    } · seed ${Number(report.run.seed)} · started ${esc(report.run.started_at, 64)} · ${
      (Number(report.run.duration_ms) / 1000).toFixed(1)
    } s</p>` +
    `<p><b>${s.fail}</b> fail · <b>${s.error}</b> error · <b>${s.pass}</b> pass · <b>${s.not_applicable}</b> not applicable</p>` +
    (line !== undefined ? `<p>${esc(line)}</p>` : "") +
    (report.run.only ? `<p>Partial run: only <code>${esc(report.run.only.join(", "))}</code></p>` : "") +
    (report.run.shard
      ? `<p>Shard ${Number(report.run.shard.index)}/${
        Number(report.run.shard.count)
      }: no level is awarded</p>`
      : "") +
    (problems.length > 0
      ? `<h3>Expected-failures file</h3><ul>${
        problems.slice(0, 100).map((p) => `<li>${esc(p)}</li>`).join("")
      }</ul>`
      : "") +
    `</div><div>${coverageHtml(report, requires)}</div></div>`;
}

/**
 * Render a report as the self-contained evidence page.
 *
 * @param report a (masked) report
 * @returns the HTML text
 * @example
 * ```ts
 * import { renderHtml } from "./html.ts";
 * const html = renderHtml({
 *   schema: "https://ron-kit.dev/report/v1", kit: { name: "k", version: "0.1.0" }, profile: "sdk",
 *   target: { name: "<script>", version: "1", language: "ts", capabilities: [] },
 *   results: [], summary: { pass: 0, fail: 0, not_applicable: 0, error: 0, certification: "hardened" },
 *   run: { seed: 1, started_at: "1970-01-01T00:00:00.000Z", duration_ms: 5, command: "deno task certify" },
 * });
 * if (html.includes("<script>alert") || !html.includes("&lt;script&gt;")) throw new Error("unescaped");
 * ```
 */
export function renderHtml(report: Report): string {
  const meta = registeredChecks();
  const rationale = new Map(meta.map((c) => [c.id, c.rationale]));
  const requires = new Map(meta.map((c) => [c.id, c.requires]));
  const t = report.target;
  const title = `${t.name} ${t.version} — ${report.profile} certification`;
  const cards = scorecard(report).map((a) =>
    `<tr><td>${esc(a.area, 128)}</td><td class="pass">${a.pass}</td><td class="fail">${a.fail}</td>` +
    `<td class="error">${a.error}</td><td class="not_applicable">${a.not_applicable}</td></tr>`
  ).join("\n");
  const ordered = pageOrder(report.results);
  const shown = ordered.slice(0, MAX_CHECKS);
  const checks = shown.map((r) => checkHtml(report, r, rationale.get(r.id))).join("\n");
  const cut = ordered.length > shown.length ? `<p>… ${ordered.length - shown.length} more checks</p>` : "";
  return [
    `<!doctype html><html lang="en"><head><meta charset="utf-8">`,
    `<meta http-equiv="Content-Security-Policy" content="${escHtml(PAGE_CSP)}">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${esc(title, 512)}</title><style>${PAGE_STYLE}</style></head><body>`,
    `<h1>${esc(title, 512)}</h1>`,
    headHtml(report, requires),
    `<h2>Scorecard</h2><table><tr><th>area</th><th>pass</th><th>fail</th><th>error</th><th>n/a</th></tr>\n${cards}</table>`,
    `<h2>Checks</h2><p>Failures first, then errors, then passes and checks that did not apply.</p>`,
    checks,
    cut,
    `<script>${PAGE_SCRIPT}</script>`,
    `</body></html>`,
    ``,
  ].join("\n");
}
