/**
 * The reporters for CI logs (`--reporter dot|line|json-stream`): each writes whole lines (dot
 * writes characters, and ends its line before any other line), and nothing a check or target
 * supplies reaches the log raw: `dot` and `line` escape it (`escConsole`), `json-stream` writes
 * JSON with every control, bidi and line-separator character as a `\uXXXX` escape
 * (`escJsonText`). Reasons are cut to {@link REASON_MAX} characters.
 *
 * @module
 */
import type { CheckResult, Outcome } from "../src/engine/types.ts";
import { escConsole, escConsoleLines, escJsonText } from "../src/report/escape.ts";
import type { Out, Reporter, RunHooks, RunSummary } from "./progress.ts";

/** The longest reason a progress line or event carries (the report has it whole). */
export const REASON_MAX = 300;

/**
 * A reason cut to `max` characters, saying how much was cut.
 *
 * @param s the reason
 * @param max the bound
 * @returns at most `max` characters of `s`, plus a note of what was cut
 * @example
 * ```ts
 * import { bounded } from "./_reporter_ci.ts";
 * if (bounded("abcdef", 3) !== "abc… (3 more characters)") throw new Error();
 * ```
 */
export function bounded(s: string, max: number = REASON_MAX): string {
  return s.length <= max ? s : `${s.slice(0, max)}… (${s.length - max} more characters)`;
}

function plainOut(write: (s: string) => void, before: () => void = () => {}): Out {
  return {
    line(text) {
      before();
      write(escConsoleLines(text) + "\n");
    },
    status() {},
    endStatus() {},
  };
}

const failLine = (r: CheckResult, mask: (s: string) => string): string | undefined => {
  const v = r.verdict;
  if (v.outcome !== "fail" && v.outcome !== "error") return undefined;
  return `${v.outcome.toUpperCase().padEnd(5)} ${escConsole(r.id)} (${r.durationMs} ms): ${
    escConsole(bounded(mask(v.reason)))
  }`;
};

const DOT: Record<Outcome, string> = { pass: ".", fail: "F", error: "E", not_applicable: "n" };
const DOTS_PER_LINE = 60;

/**
 * `--reporter dot`: one character per finished check (`.` pass, `F` fail, `E` error, `n` not
 * applicable), 60 a line followed by the count; after the run, one line per failure.
 *
 * @param write where the text goes (the human output stream)
 * @returns the reporter
 * @example
 * ```ts
 * import { dotReporter } from "./_reporter_ci.ts";
 * let text = "";
 * const rep = dotReporter((s) => void (text += s));
 * const run = rep.run("sdk", (s) => s);
 * run.onProgress({ id: "sdk.a.b", title: "t", level: "MUST", source: "000", durationMs: 1,
 *   verdict: { outcome: "pass", evidence: {} } }, 1, 1);
 * run.end();
 * if (text !== ". 1/1\n") throw new Error(JSON.stringify(text));
 * ```
 */
export function dotReporter(write: (s: string) => void): Reporter {
  let open = 0;
  const close = () => {
    if (open > 0) write("\n");
    open = 0;
  };
  return {
    out: plainOut(write, close),
    run(_label, mask) {
      const failures: string[] = [];
      let last = { done: 0, total: 0 };
      return {
        onStart() {},
        onProgress(r, done, total) {
          write(DOT[r.verdict.outcome]);
          open++;
          last = { done, total };
          const f = failLine(r, mask);
          if (f !== undefined) failures.push(f);
          if (open >= DOTS_PER_LINE) {
            write(` ${done}/${total}\n`);
            open = 0;
          }
        },
        end() {
          if (open > 0) write(` ${last.done}/${last.total}\n`);
          open = 0;
          for (const f of failures) write(`${f}\n`);
        },
      };
    },
    summary() {},
  };
}

/**
 * `--reporter line`: one line per finished check: its id, outcome and duration, and for a
 * failure or error its reason (masked, escaped, bounded).
 *
 * @param write where the text goes (the human output stream)
 * @returns the reporter
 * @example
 * ```ts
 * import { lineReporter } from "./_reporter_ci.ts";
 * let text = "";
 * const run = lineReporter((s) => void (text += s)).run("sdk", (s) => s);
 * run.onProgress({ id: "sdk.a.b", title: "t", level: "MUST", source: "000", durationMs: 7,
 *   verdict: { outcome: "pass", evidence: {} } }, 1, 1);
 * if (text !== "sdk.a.b pass 7 ms\n") throw new Error(JSON.stringify(text));
 * ```
 */
export function lineReporter(write: (s: string) => void): Reporter {
  return {
    out: plainOut(write),
    run(_label, mask): RunHooks {
      return {
        onStart() {},
        onProgress(r) {
          const v = r.verdict;
          const why = v.outcome === "fail" || v.outcome === "error"
            ? `: ${escConsole(bounded(mask(v.reason)))}`
            : "";
          write(`${escConsole(r.id)} ${v.outcome} ${r.durationMs} ms${why}\n`);
        },
        end() {},
      };
    },
    summary() {},
  };
}

/**
 * `--reporter json-stream`: JSON Lines events on `write` (stdout), one object a line:
 * `{"event":"started","target","id","t","limit_ms"}` as a check starts (`t`: ms since the run
 * began), `{"event":"finished","target","id","outcome","ms","reason"?}` as it ends (a check that
 * is not applicable finishes without starting), and `{"event":"summary","target","pass","fail",
 * "error","not_applicable","certification","ms"}` once a target's report is written. Human output
 * goes to `human` (stderr).
 *
 * @param write where events go
 * @param human where the kit's other lines go
 * @param now a clock in ms
 * @returns the reporter
 * @example
 * ```ts
 * import { jsonStreamReporter } from "./_reporter_ci.ts";
 * const events: string[] = [];
 * const run = jsonStreamReporter((s) => void events.push(s), () => {}).run("sdk", (s) => s);
 * run.onStart({ id: "sdk.a.b", title: "t", limitMs: 15000 });
 * if (JSON.parse(events[0] ?? "").limit_ms !== 15000) throw new Error(events.join(""));
 * ```
 */
export function jsonStreamReporter(
  write: (s: string) => void,
  human: (s: string) => void,
  now: () => number = () => performance.now(),
): Reporter {
  const t0 = now();
  const emit = (event: Record<string, unknown>) => write(escJsonText(JSON.stringify(event)) + "\n");
  return {
    out: plainOut(human),
    run(label, mask) {
      return {
        onStart(c) {
          emit({ event: "started", target: label, id: c.id, t: Math.round(now() - t0), limit_ms: c.limitMs });
        },
        onProgress(r) {
          const v = r.verdict;
          emit({
            event: "finished",
            target: label,
            id: r.id,
            outcome: v.outcome,
            ms: r.durationMs,
            ...(v.outcome === "pass" ? {} : { reason: bounded(mask(v.reason)) }),
          });
        },
        end() {},
      };
    },
    summary(s: RunSummary) {
      emit({ event: "summary", ...s });
    },
  };
}
