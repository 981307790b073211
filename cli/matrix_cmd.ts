/**
 * `matrix`: merge several report.json files into one checks × SDKs table (Markdown on stdout,
 * plus matrix.md and matrix.html in `--out`).
 *
 * @module
 */
import { parseReport, type Report } from "../src/schema/report.ts";
import { errorMessage } from "../src/util/error_message.ts";
import { buildMatrix, renderMatrixHtml, renderMatrixMarkdown } from "../src/report/matrix.ts";

/**
 * Run `matrix`.
 *
 * @param args report.json paths, and optionally `--out DIR` (default reports/)
 * @returns 0, or 2 on usage errors and unreadable or invalid reports
 */
export async function matrixMain(args: string[]): Promise<number> {
  let outDir = "reports";
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? "";
    if (a === "--out") {
      const v = args[++i];
      if (!v) {
        console.error("--out needs a directory");
        return 2;
      }
      outDir = v;
    } else if (a.startsWith("--out=")) outDir = a.slice(6);
    else if (a.startsWith("-")) {
      console.error(
        `unknown argument: ${a}\nusage: deno task matrix [--out DIR] report1.json report2.json …`,
      );
      return 2;
    } else files.push(a);
  }
  if (files.length === 0) {
    console.error("usage: deno task matrix [--out DIR] report1.json report2.json …");
    return 2;
  }
  const reports: Report[] = [];
  for (const f of files) {
    let value: unknown;
    try {
      value = JSON.parse(await Deno.readTextFile(f));
    } catch (e) {
      console.error(`${f}: ${errorMessage(e)}`);
      return 2;
    }
    const r = parseReport(value);
    if (!r.ok) {
      console.error(`${f}: not a report.json v1:\n${r.error}`);
      return 2;
    }
    reports.push(r.value);
  }
  const m = buildMatrix(reports);
  const md = renderMatrixMarkdown(m);
  await Deno.mkdir(outDir, { recursive: true });
  await Deno.writeTextFile(`${outDir}/matrix.md`, md);
  await Deno.writeTextFile(`${outDir}/matrix.html`, renderMatrixHtml(m));
  console.log(md);
  console.error(`wrote ${outDir}/matrix.md and ${outDir}/matrix.html`);
  return 0;
}
