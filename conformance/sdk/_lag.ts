/**
 * The kit's own timekeeping: the mock server stamps each request on the kit's event loop, so when
 * that loop stalls (a loaded machine, isolation workers type-checking in the same process), stamps
 * bunch up and gaps between requests are the kit's, not the SDK's. A timing check measures the
 * loop's lag while it times the SDK and does not judge timings taken during a stall.
 *
 * @module
 */

/** How often the lag monitor ticks, in ms. */
const TICK_MS = 10;

/** A running lag monitor. */
export interface LagMonitor {
  /** the longest delay of a tick past its due time so far, in ms */
  peek(): number;
  /** stop, and return the longest delay so far, in ms */
  stop(): number;
}

/**
 * Start measuring the event loop's lag.
 *
 * @returns the monitor
 * @example
 * ```ts
 * import { watchLag } from "./_lag.ts";
 * const lag = watchLag();
 * await new Promise((r) => setTimeout(r, 30));
 * if (!(lag.stop() >= 0)) throw new Error();
 * ```
 */
export function watchLag(): LagMonitor {
  let max = 0;
  let due = performance.now() + TICK_MS;
  const timer = setInterval(() => {
    const now = performance.now();
    max = Math.max(max, now - due);
    due = now + TICK_MS;
  }, TICK_MS);
  const peek = (): number => Math.round(Math.max(0, max, performance.now() - due));
  return {
    peek,
    stop(): number {
      clearInterval(timer);
      return peek();
    },
  };
}

/**
 * Wait until the event loop is calm: a whole second in which no tick came more than `calmMs` late
 * (or until `withinMs` has passed, or `signal` aborts).
 *
 * @param calmMs the most lag a calm second may show
 * @param withinMs how long to wait at most
 * @param signal ends the wait early
 * @returns whether a calm second was seen
 */
export async function awaitCalm(calmMs: number, withinMs: number, signal?: AbortSignal): Promise<boolean> {
  const end = performance.now() + withinMs;
  while (performance.now() < end && !signal?.aborted) {
    const lag = watchLag();
    await new Promise((r) => setTimeout(r, 1_000));
    if (lag.stop() <= calmMs) return true;
  }
  return false;
}
