/**
 * The kit's command line with its deliberate waits recorded (internal to `bench/scaling.ts`):
 * `deno run … bench/_timed_main.ts WAITS.json certify …` runs `cli/main.ts` with the same
 * arguments, and wraps `setTimeout` so that every timer of at least {@link MIN_WAIT_MS} that
 * fires (the code waited its whole delay: a scenario's sleep, a calm window, a poll, a bound that
 * ran out) is recorded. On exit it writes the union of those timers' intervals (overlapping waits
 * count once) to WAITS.json. Timers that are cleared before they fire (call bounds, guards) are
 * not waits. Run the kit with `--concurrency 1` so that the waits of one check are not hidden
 * behind the work of another.
 *
 * @module
 */
import { main } from "../cli/main.ts";

/** Shorter timers are yields, not waits. */
const MIN_WAIT_MS = 5;

const intervals: [number, number][] = [];
type Handler = (...args: unknown[]) => void;
type Timer = ReturnType<typeof setTimeout>;
const original = globalThis.setTimeout as unknown as (h: Handler, ms?: number, ...args: unknown[]) => Timer;

function timed(handler: Handler, ms?: number, ...args: unknown[]): Timer {
  const delay = Number(ms ?? 0);
  if (typeof handler !== "function" || !(delay >= MIN_WAIT_MS)) return original(handler, ms, ...args);
  const start = performance.now();
  return original(() => {
    intervals.push([start, performance.now()]);
    handler(...args);
  }, ms);
}
globalThis.setTimeout = timed as unknown as typeof setTimeout;

/** Total length of the union of the intervals. */
function unionMs(list: [number, number][]): number {
  const sorted = [...list].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let from = -Infinity;
  let to = -Infinity;
  for (const [a, b] of sorted) {
    if (a > to) {
      if (to > from) total += to - from;
      from = a;
      to = b;
    } else if (b > to) to = b;
  }
  if (to > from) total += to - from;
  return total;
}

const [out, ...args] = Deno.args;
if (out === undefined) throw new Error("usage: _timed_main.ts WAITS.json <kit command> …");
const t0 = performance.now();
const code = await main(args);
const waits = {
  waits_ms: Math.round(unionMs(intervals)),
  timers: intervals.length,
  wall_ms: Math.round(performance.now() - t0),
};
await Deno.writeTextFile(out, JSON.stringify(waits));
Deno.exit(code);
