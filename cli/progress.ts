/**
 * Progress and the end-of-run scorecard for the terminal: on a TTY a live block, one line per
 * running check with its elapsed time and its bound (`_reporter_live.ts`); otherwise quiet
 * line-oriented output (one line per failure), or a CI reporter chosen by `--reporter dot|line|
 * json-stream` (`_reporter_ci.ts`). Nothing a target supplies reaches the terminal raw: every
 * line is escaped (`src/report/escape.ts`), so no control sequence, bidi override or extra line
 * from a driver or server can rewrite what the kit prints.
 *
 * @module
 */
import type { CheckResult } from "../src/engine/types.ts";
import type { CheckStart } from "../src/engine/runner.ts";
import type { ReporterKind } from "./flags.ts";
import { dotReporter, jsonStreamReporter, lineReporter } from "./_reporter_ci.ts";
import { liveBlock } from "./_reporter_live.ts";
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

/** The runner's hooks for one target's run. */
export interface RunHooks {
  /** a check started */
  onStart(c: CheckStart): void;
  /** a check finished */
  onProgress(r: CheckResult, done: number, total: number): void;
  /** the run of the target ended (before its scorecard) */
  end(): void;
}

/** A target's outcome, once its report is built. */
export interface RunSummary {
  target: string;
  pass: number;
  fail: number;
  error: number;
  not_applicable: number;
  certification: string;
  ms: number;
}

/** How a run shows its progress: where the kit's lines go, and the hooks of each target's run. */
export interface Reporter {
  /** the kit's own lines (banner, scorecard, errors) */
  out: Out;
  /** the hooks for one target's run; `mask` masks canaries in reasons */
  run(label: string, mask: (s: string) => string): RunHooks;
  /** a target's report is written */
  summary(s: RunSummary): void;
}

function writer(stream: { writeSync(p: Uint8Array): number }): (s: string) => void {
  const enc = new TextEncoder();
  return (s) => {
    const bytes = enc.encode(s);
    for (let off = 0; off < bytes.length;) off += stream.writeSync(bytes.subarray(off));
  };
}

function noColor(): boolean {
  try {
    return (Deno.env.get("NO_COLOR") ?? "") !== "";
  } catch {
    return true;
  }
}

/**
 * The reporter a task uses: `--reporter` when given (`json-stream` writes events on stdout and
 * every other line on stderr); otherwise live lines on a terminal, and today's quiet output
 * (one line per failure) elsewhere. Human output goes to stderr when stdout carries `--json`.
 *
 * @param kind the `--reporter` value, if any
 * @param json whether stdout carries `--json`
 * @returns the reporter
 * @example
 * ```ts
 * import { openReporter } from "./progress.ts";
 * const rep = openReporter(undefined, true);
 * rep.run("sdk", (s) => s).end();
 * ```
 */
export function openReporter(kind: ReporterKind | undefined, json: boolean): Reporter {
  const human = json || kind === "json-stream" ? Deno.stderr : Deno.stdout;
  switch (kind) {
    case "dot":
      return dotReporter(writer(human));
    case "line":
      return lineReporter(writer(human));
    case "json-stream":
      return jsonStreamReporter(writer(Deno.stdout), writer(human));
    case undefined:
      return human.isTerminal() ? liveReporter(writer(human)) : quietReporter(terminalOut(json));
    default: {
      const never: never = kind;
      throw new Error(`unknown reporter ${String(never)}`);
    }
  }
}

/** Today's output off a terminal: one escaped line per check that does not pass. */
function quietReporter(out: Out): Reporter {
  return {
    out,
    run: (label, mask) => {
      const cb = progress(out, label, mask);
      return { onStart() {}, onProgress: cb, end: () => out.endStatus() };
    },
    summary() {},
  };
}

function liveReporter(write: (s: string) => void): Reporter {
  const live = liveBlock({
    write,
    columns: () => {
      try {
        return Deno.consoleSize().columns || 100;
      } catch {
        return 100;
      }
    },
    now: () => performance.now(),
    color: !noColor(),
  });
  const out: Out = { line: (t) => live.line(t), status() {}, endStatus() {} };
  return {
    out,
    run(label, mask) {
      live.begin(label);
      const cb = progress(out, label, mask);
      return {
        onStart: (c) => live.start(c),
        onProgress: (r, done, total) => {
          live.finish(r, done, total);
          cb(r, done, total);
        },
        end: () => live.end(),
      };
    },
    summary() {},
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
