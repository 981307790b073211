/**
 * Write one run's report files: report.json, junit.xml, summary.md, report.html, report.sarif, badge.svg.
 *
 * The last guard: no file is written that shows a canary in any form the kit detects. A report
 * whose own strings still show one was not masked (a kit fault): nothing is written. A file whose
 * rendering alone forms one (an escape joined the text around it into a detectable run) is
 * rendered again with every target-supplied text withheld.
 *
 * @module
 */
import { type Report, ReportSchema } from "../schema/report.ts";
import { findUnmasked, maskDeep } from "../engine/mask.ts";
import { renderJson } from "./json.ts";
import { renderJunit } from "./junit.ts";
import { renderMarkdown } from "./markdown.ts";
import { renderHtml } from "./html.ts";
import { renderSarif } from "./sarif.ts";
import { renderBadge } from "./badge.ts";

/** The files `writeReports` writes, by name. */
export const REPORT_FILES = [
  "report.json",
  "junit.xml",
  "summary.md",
  "report.html",
  "report.sarif",
  "badge.svg",
] as const;

const RENDER: Record<(typeof REPORT_FILES)[number], (r: Report) => string> = {
  "report.json": renderJson,
  "junit.xml": renderJunit,
  "summary.md": renderMarkdown,
  "report.html": renderHtml,
  "report.sarif": renderSarif,
  "badge.svg": renderBadge,
};

const WITHHELD = "[withheld: once rendered, this file showed a form of a canary; see the other report files]";

/** The report with every target-supplied text withheld (only the kit's own words remain). */
function withheld(report: Report): Report {
  const out: Report = {
    ...report,
    target: { name: "[withheld]", version: "", language: "", capabilities: [] },
    results: report.results.map(({ evidence: _e, reason: _r, ...r }) =>
      r.outcome === "pass" ? r : { ...r, reason: WITHHELD }
    ),
  };
  delete out.interop;
  return out;
}

/**
 * Render the report files (validated; refuses to render any detected form of a canary).
 *
 * @param report a masked report
 * @param canaries the run's canaries, as a last guard
 * @returns file name → contents
 * @example
 * ```ts
 * import { renderReports } from "./write.ts";
 * const files = renderReports({
 *   schema: "https://ron-kit.dev/report/v1", kit: { name: "k", version: "0.1.0" }, profile: "sdk",
 *   target: { name: "x", version: "1", language: "ts", capabilities: [] },
 *   results: [], summary: { pass: 0, fail: 0, not_applicable: 0, error: 0, certification: "hardened" },
 *   run: { seed: 1, started_at: "1970-01-01T00:00:00.000Z", duration_ms: 5, command: "deno task certify" },
 * }, []);
 * if (Object.keys(files).length !== 6) throw new Error();
 * ```
 */
export function renderReports(report: Report, canaries: readonly string[] = []): Record<string, string> {
  const valid = ReportSchema.parse(report);
  if (canaries.length > 0) {
    let form: string | undefined;
    maskDeep(valid, (s) => {
      form ??= findUnmasked(s, canaries)?.form;
      return s;
    });
    if (form !== undefined) {
      throw new Error(
        `refusing to write reports: one contains a canary (${form} form; the report was not masked)`,
      );
    }
  }
  const files: Record<string, string> = {};
  for (const name of REPORT_FILES) {
    let text = RENDER[name](valid);
    if (findUnmasked(text, canaries) !== undefined) {
      text = RENDER[name](withheld(valid));
      const left = findUnmasked(text, canaries);
      if (left !== undefined) {
        throw new Error(`refusing to write ${name}: it contains a canary (${left.form} form)`);
      }
    }
    files[name] = text;
  }
  return files;
}

/**
 * Write the report files into a directory (created if missing).
 *
 * @param dir the output directory
 * @param report a masked report
 * @param canaries the run's canaries, as a last guard
 * @returns the written paths
 */
export async function writeReports(
  dir: string,
  report: Report,
  canaries: readonly string[] = [],
): Promise<string[]> {
  const files = renderReports(report, canaries);
  await Deno.mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const [name, text] of Object.entries(files)) {
    const p = `${dir.replace(/\/+$/, "")}/${name}`;
    await Deno.writeTextFile(p, text);
    paths.push(p);
  }
  return paths;
}
