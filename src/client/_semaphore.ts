/**
 * A small FIFO semaphore with abortable waits.
 *
 * @module
 */

/**
 * Counting semaphore.
 *
 * @example
 * ```ts
 * import { Semaphore } from "./_semaphore.ts";
 * const s = new Semaphore(1);
 * const release = await s.acquire();
 * if (s.inUse !== 1) throw new Error();
 * release();
 * ```
 */
export class Semaphore {
  #free: number;
  #waiters: Array<() => void> = [];
  #max: number;

  /** @param max permits */
  constructor(max: number) {
    this.#max = max;
    this.#free = max;
  }

  /** permits currently held */
  get inUse(): number {
    return this.#max - this.#free;
  }

  /**
   * Wait for a permit.
   *
   * @param signal aborts the wait (rejects with the signal's reason)
   * @returns a release function (idempotent)
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    const makeRelease = () => {
      let done = false;
      return () => {
        if (done) return;
        done = true;
        const next = this.#waiters.shift();
        if (next) next();
        else this.#free++;
      };
    };
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve(makeRelease());
    }
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const grant = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve(makeRelease());
      };
      const onAbort = () => {
        const i = this.#waiters.indexOf(grant);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.push(grant);
    });
  }
}
