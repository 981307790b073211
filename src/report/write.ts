/**
 * Write one run's four report files: report.json, junit.xml, summary.md, report.html.
 *
 * @module
 */
import { type Report, ReportSchema } from "../schema/report.ts";
import { findRawCanary } from "../engine/mask.ts";
import { renderJson } from "./json.ts";
import { renderJunit } from "./junit.ts";
import { renderMarkdown } from "./markdown.ts";
import { renderHtml } from "./html.ts";

/** The files `writeReports` writes, by name. */
export const REPORT_FILES = ["report.json", "junit.xml", "summary.md", "report.html"] as const;

/**
 * Render the four report files (validated; refuses to render a raw canary).
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
 * if (Object.keys(files).length !== 4) throw new Error();
 * ```
 */
export function renderReports(report: Report, canaries: readonly string[] = []): Record<string, string> {
  const valid = ReportSchema.parse(report);
  const files: Record<string, string> = {
    "report.json": renderJson(valid),
    "junit.xml": renderJunit(valid),
    "summary.md": renderMarkdown(valid),
    "report.html": renderHtml(valid),
  };
  for (const [name, text] of Object.entries(files)) {
    if (findRawCanary(text, canaries) !== undefined) {
      throw new Error(`refusing to write ${name}: it contains a canary (the report was not masked)`);
    }
  }
  return files;
}

/**
 * Write the four report files into a directory (created if missing).
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
