/**
 * `matrix`: merge several report.json files into one checks × SDKs table (Markdown on stdout,
 * plus matrix.md and matrix.html in `--out`); with `--merge-shards OUT`, merge the shard reports
 * of one run (`--shard K/N`) into one report written to OUT (every report file, level recomputed).
 *
 * @module
 */
import { parseReport, type Report } from "../src/schema/report.ts";
import { errorMessage } from "../src/util/error_message.ts";
import { buildMatrix, renderMatrixHtml, renderMatrixMarkdown } from "../src/report/matrix.ts";
import { writeReports } from "../src/report/write.ts";
import { mergeShards } from "./merge_shards.ts";

const USAGE = "usage: deno task matrix [--out DIR] report1.json report2.json …\n" +
  "       deno task matrix --merge-shards OUT shard1.json … shardN.json";

/**
 * Run `matrix`.
 *
 * @param args report.json paths, and optionally `--out DIR` (default reports/) or `--merge-shards OUT`
 * @returns 0, or 2 on usage errors, unreadable or invalid reports and refused shards; with
 *   `--merge-shards`, 1 when the merged run fails (an unlisted applicable MUST fails)
 */
export async function matrixMain(args: string[]): Promise<number> {
  let outDir = "reports";
  let mergeOut: string | undefined;
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
    else if (a === "--merge-shards" || a.startsWith("--merge-shards=")) {
      const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : args[++i];
      if (!v) {
        console.error(`--merge-shards needs a directory\n${USAGE}`);
        return 2;
      }
      mergeOut = v;
    } else if (a.startsWith("-")) {
      console.error(`unknown argument: ${a}\n${USAGE}`);
      return 2;
    } else files.push(a);
  }
  if (files.length === 0) {
    console.error(USAGE);
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
  if (mergeOut !== undefined) {
    const merged = mergeShards(reports);
    if (!merged.ok) {
      console.error(`--merge-shards: refused: ${merged.error}`);
      return 2;
    }
    await writeReports(mergeOut, merged.value);
    const s = merged.value.summary;
    console.log(
      `merged ${reports.length} shards: ${merged.value.results.length} checks, ${s.pass} pass, ${s.fail} fail, ` +
        `${s.not_applicable} n/a, ${s.error} error; level ${s.certification}`,
    );
    console.error(`wrote ${mergeOut}/report.json`);
    // the run's exit code, as the unsharded run would have it: an applicable MUST fails (unlisted) → 1
    const mustFails = merged.value.results.some((r) =>
      r.level === "MUST" && (r.outcome === "fail" || r.outcome === "error") && !r.expected_failure
    );
    return s.exit_code ?? (mustFails ? 1 : 0);
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
