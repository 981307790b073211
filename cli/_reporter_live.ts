/**
 * The live progress of a run on a terminal: a block of lines, one per running check with its
 * elapsed time and its bound (the check's time limit), redrawn in place at most every
 * `intervalMs` (default 200 ms). Lines the kit prints (failures, notes) appear above the block.
 * Every text from a check or target is escaped (`escConsole`) and cut to the terminal's width, so
 * the block always has the number of rows it believes it has. Colour only without `NO_COLOR`.
 *
 * @module
 */
import type { CheckStart } from "../src/engine/runner.ts";
import type { CheckResult } from "../src/engine/types.ts";
import { escConsole, escConsoleLines } from "../src/report/escape.ts";

/** Where the live block writes, and what it needs to know of the terminal. */
export interface LiveSink {
  write(text: string): void;
  /** the terminal's width */
  columns(): number;
  /** a clock in ms */
  now(): number;
  /** colour (false when `NO_COLOR` is set) */
  color: boolean;
  /** redraw on a timer (tests redraw by hand) @default true */
  timer?: boolean;
  /** @default 200 */
  intervalMs?: number;
  /** most running checks shown at once @default 8 */
  maxRows?: number;
}

/** The live block: hooks for the runner, plus the lines the kit prints. */
export interface Live {
  /** a target's run begins */
  begin(label: string): void;
  /** print a line of the kit's own (above the block) */
  line(text: string): void;
  /** a check started */
  start(c: CheckStart): void;
  /** a check finished */
  finish(r: CheckResult, done: number, total: number): void;
  /** redraw the block now */
  redraw(): void;
  /** erase the block and stop redrawing */
  end(): void;
}

interface Running {
  start: CheckStart;
  at: number;
}

/** Terminal columns a text takes (wide characters counted as two: a safe over-estimate). */
function cut(text: string, cols: number): string {
  let w = 0;
  let out = "";
  for (const ch of text) {
    const cw = (ch.codePointAt(0) ?? 0) >= 0x1100 ? 2 : 1;
    if (w + cw > cols) break;
    w += cw;
    out += ch;
  }
  return out;
}

const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * A live block on a terminal.
 *
 * @param sink the terminal
 * @returns the block
 * @example
 * ```ts
 * import { liveBlock } from "./_reporter_live.ts";
 * let text = "";
 * const live = liveBlock({
 *   write: (s) => void (text += s), columns: () => 80, now: () => 0, color: false, timer: false,
 * });
 * live.begin("sdk");
 * live.start({ id: "sdk.a.b", title: "t", limitMs: 15000 });
 * live.redraw();
 * live.end();
 * if (!text.includes("sdk.a.b") || !text.includes("/ 15.0 s")) throw new Error(text);
 * ```
 */
export function liveBlock(sink: LiveSink): Live {
  let label = "";
  const running = new Map<string, Running>();
  let drawn = 0;
  let done = 0;
  let total = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  const paint = (code: string, s: string) => sink.color ? `\x1b[${code}m${s}\x1b[0m` : s;
  const erase = () => {
    if (drawn > 0) sink.write(`\x1b[${drawn}A\r\x1b[0J`);
    drawn = 0;
  };
  const rows = (): string[] => {
    const cols = Math.max(20, sink.columns() - 1);
    const now = sink.now();
    const max = sink.maxRows ?? 8;
    const list = [...running.values()].sort((a, b) => a.at - b.at || a.start.id.localeCompare(b.start.id));
    const head = `${escConsole(label)} [${done}/${total || "?"}] ${running.size} running`;
    const out = [paint("1", cut(head, cols))];
    for (const r of list.slice(0, max)) {
      const el = now - r.at;
      const bound = ` ${sec(el)} / ${sec(r.start.limitMs)}`;
      const name = cut(`  ${escConsole(r.start.id)} ${escConsole(r.start.title)}`, cols - bound.length);
      const code = el > r.start.limitMs ? "31" : el > r.start.limitMs * 0.75 ? "33" : "2";
      out.push(`${name}${paint(code, bound)}`);
    }
    if (list.length > max) out.push(`  … and ${list.length - max} more`);
    return out;
  };
  const live: Live = {
    begin(l) {
      label = l;
      done = 0;
      total = 0;
    },
    line(text) {
      erase();
      sink.write(escConsoleLines(text) + "\n");
    },
    start(c) {
      running.set(c.id, { start: c, at: sink.now() });
      if (timer === undefined && (sink.timer ?? true)) {
        const id = setInterval(() => live.redraw(), sink.intervalMs ?? 200);
        Deno.unrefTimer(id);
        timer = id;
      }
    },
    finish(r, d, t) {
      running.delete(r.id);
      done = d;
      total = t;
    },
    redraw() {
      erase();
      if (running.size === 0) return;
      const lines = rows();
      sink.write(lines.map((l) => `\x1b[2K${l}\n`).join(""));
      drawn = lines.length;
    },
    end() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      running.clear();
      erase();
    },
  };
  return live;
}
