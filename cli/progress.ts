/**
 * Progress and the end-of-run scorecard for the terminal: one updating line on a TTY, quiet
 * line-oriented output otherwise (CI). Nothing a target supplies reaches the terminal raw: every
 * line is escaped (`src/report/escape.ts`), so no control sequence, bidi override or extra line
 * from a driver or server can rewrite what the kit prints.
 *
 * @module
 */
import type { CheckResult } from "../src/engine/types.ts";
import type { Report } from "../src/schema/report.ts";
import { levelLine, scorecard } from "../src/report/scorecard.ts";
import { escConsole, escConsoleLines } from "../src/report/escape.ts";

/** Where human-readable output goes. */
export interface Out {
  line(text: string): void;
  /** an updating status line (TTY only; a no-op elsewhere) */
  status(text: string): void;
  /** end the status line */
  endStatus(): void;
}

/**
 * An output on stdout or stderr; progress updates only when it is a terminal. Every line is
 * escaped: control and invisible characters are shown (`\x1b`, `\u202e`); a `line` keeps its
 * newlines (the kit's own multi-line tables), a `status` line keeps none.
 *
 * @param toStderr write to stderr (e.g. when stdout carries `--json`)
 * @returns the output
 */
export function terminalOut(toStderr: boolean): Out {
  const stream = toStderr ? Deno.stderr : Deno.stdout;
  const tty = stream.isTerminal();
  const enc = new TextEncoder();
  let open = false;
  const write = (s: string) => void stream.writeSync(enc.encode(s));
  return {
    line(text) {
      if (open) write("\r\x1b[2K");
      write(escConsoleLines(text) + "\n");
      open = false;
    },
    status(text) {
      if (!tty) return;
      const cols = Deno.consoleSize?.().columns ?? 100;
      write("\r\x1b[2K" + escConsole(text).slice(0, Math.max(20, cols - 1)));
      open = true;
    },
    endStatus() {
      if (open) write("\r\x1b[2K");
      open = false;
    },
  };
}

/**
 * A progress callback for the runner: a status line per check on a TTY, and in any case one line
 * for every check that does not pass (masked by `mask`, then escaped: one line each).
 *
 * @param out the output
 * @param label e.g. the SDK's name
 * @param mask masks canaries in reasons
 * @returns the callback
 */
export function progress(
  out: Out,
  label: string,
  mask: (s: string) => string,
): (r: CheckResult, done: number, total: number) => void {
  return (r, done, total) => {
    const v = r.verdict;
    if (v.outcome === "fail" || v.outcome === "error") {
      out.line(
        `${v.outcome.toUpperCase().padEnd(5)} ${escConsole(r.id)} (${r.durationMs} ms): ${
          escConsole(mask(v.reason))
        }`,
      );
    }
    out.status(`${escConsole(label)} [${done}/${total}] ${escConsole(r.id)} ${v.outcome}`);
  };
}

/**
 * The end-of-run scorecard: per area pass/fail counts, certification level, duration, the
 * slowest five checks. Every text from the report is escaped (one line each).
 *
 * @param report the (masked) report
 * @returns lines of text
 * @example
 * ```ts
 * import { scorecardText } from "./progress.ts";
 * const lines = scorecardText({
 *   schema: "https://ron-kit.dev/report/v1", kit: { name: "k", version: "0.1.0" }, profile: "sdk",
 *   target: { name: "x", version: "1", language: "ts", capabilities: [] },
 *   results: [{ id: "sdk.a.b", title: "t", level: "MUST", source: "000", outcome: "pass", duration_ms: 5 }],
 *   summary: { pass: 1, fail: 0, not_applicable: 0, error: 0, certification: "hardened" },
 *   run: { seed: 1, started_at: "1970-01-01T00:00:00.000Z", duration_ms: 5, command: "deno task certify" },
 * });
 * if (!lines.some((l) => l.includes("hardened"))) throw new Error(lines.join("\n"));
 * ```
 */
export function scorecardText(report: Report): string[] {
  const s = report.summary;
  const lines: string[] = [];
  const areas = scorecard(report).map((a) => ({ ...a, area: escConsole(a.area) }));
  const w = Math.max(6, ...areas.map((a) => a.area.length));
  const t = report.target;
  lines.push(
    `${escConsole(t.name)} ${escConsole(t.version)} (${escConsole(t.language)}) — ${report.profile}`,
  );
  lines.push(`  ${"area".padEnd(w)}  pass  fail  error  n/a`);
  for (const a of areas) {
    lines.push(
      `  ${a.area.padEnd(w)}  ${String(a.pass).padStart(4)}  ${String(a.fail).padStart(4)}  ${
        String(a.error).padStart(5)
      }  ${String(a.not_applicable).padStart(3)}`,
    );
  }
  lines.push(
    `  total: ${s.pass} pass, ${s.fail} fail, ${s.error} error, ${s.not_applicable} not applicable` +
      ` in ${(report.run.duration_ms / 1000).toFixed(1)} s (seed ${report.run.seed})`,
  );
  lines.push(`  certification: ${s.certification}${report.run.only ? " (partial run: --only)" : ""}`);
  lines.push(`  capabilities declared: ${t.capabilities.map(escConsole).join(", ") || "none"}`);
  const level = levelLine(s);
  if (level !== undefined) lines.push(`  ${escConsole(level)}`);
  const slow = [...report.results].sort((a, b) => b.duration_ms - a.duration_ms).slice(0, 5);
  if (slow.length > 0) {
    lines.push(
      `  slowest: ${
        slow.map((r) => `${escConsole(r.id)} ${(r.duration_ms / 1000).toFixed(1)} s`).join(", ")
      }`,
    );
  }
  for (const e of s.expected_failures ?? []) lines.push(`  expected failure: ${escConsole(e)}`);
  for (const p of s.expectation_problems ?? []) lines.push(`  ${escConsole(p)}`);
  return lines;
}
