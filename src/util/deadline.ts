/**
 * One way to bound anything in time: race a promise against a limit, clear the timer either way,
 * and say which came first. Every time limit of the kit (a check, a driver call, a teardown, an
 * interop run) goes through here.
 *
 * @module
 */

/** A promise's outcome within a limit: its value, or `late` when the limit came first. */
export type DeadlineResult<T> =
  | { ok: true; value: T; ms: number }
  | { ok: false; late: true; ms: number };

/**
 * Wait for `p`, at most `ms` milliseconds (or until `signal` aborts). The promise's rejection
 * propagates; running out of time does not throw, it returns `{ ok: false }`.
 *
 * @param p the work
 * @param ms the limit in milliseconds
 * @param signal optional: ends the wait early (as `late`)
 * @returns the value and the time it took, or `late`
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { deadline } from "./deadline.ts";
 * const fast = await deadline(Promise.resolve(7), 1_000);
 * assert.ok(fast.ok && fast.value === 7);
 * const slow = await deadline(new Promise(() => {}), 10);
 * assert.equal(slow.ok, false);
 * ```
 */
export async function deadline<T>(
  p: Promise<T>,
  ms: number,
  signal?: AbortSignal,
): Promise<DeadlineResult<T>> {
  const t0 = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const late = new Promise<{ late: true }>((resolve) => {
    timer = setTimeout(() => resolve({ late: true }), Math.max(0, ms));
    if (signal) {
      onAbort = () => resolve({ late: true });
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
    }
  });
  try {
    const r = await Promise.race([p.then((value) => ({ late: false as const, value })), late]);
    const took = performance.now() - t0;
    return r.late ? { ok: false, late: true, ms: took } : { ok: true, value: r.value, ms: took };
  } finally {
    clearTimeout(timer);
    if (signal && onAbort) signal.removeEventListener("abort", onAbort);
  }
}

/**
 * Like {@linkcode deadline}, but a late promise rejects with `"<what> exceeded <ms> ms"`.
 *
 * @param p the work
 * @param ms the limit
 * @param what what is being waited for, for the message
 * @returns the value
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { deadlineOrThrow } from "./deadline.ts";
 * await assert.rejects(deadlineOrThrow(new Promise(() => {}), 5, "interop"), /interop exceeded 5 ms/);
 * ```
 */
export async function deadlineOrThrow<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  const r = await deadline(p, ms);
  if (!r.ok) throw new Error(`${what} exceeded ${ms} ms`);
  return r.value;
}
