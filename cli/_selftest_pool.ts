/**
 * A bounded pool for the selftest's rows: at most `jobs` tasks at once, and at most a class's limit
 * of the tasks in each class (a profile's rows, or the holders of one exclusive resource). Tasks
 * start in the order given (the caller puts the longest first); results come back in that order,
 * whatever order they finish in.
 *
 * @module
 */

/** Options of {@linkcode runPool}. */
export interface PoolOptions<T> {
  /** tasks at once, over every class (at least 1) */
  jobs: number;
  /** the classes a task belongs to (each bounds how many of its tasks run at once) */
  classesOf(task: T): readonly string[];
  /** how many tasks of a class may run at once (at least 1) */
  limitOf(cls: string): number;
}

/**
 * Run every task through `run`, at most `jobs` at once and within each class's limit; a task
 * starts as soon as a slot and all its classes have room, earlier tasks first.
 *
 * @param tasks the tasks, in the order they should start
 * @param opts the bounds
 * @param run what to do with one task (it should not throw; a throw rejects the pool's promise
 *   once the running tasks have ended)
 * @returns the results, in the tasks' order
 * @example
 * ```ts
 * import { runPool } from "./_selftest_pool.ts";
 * let running = 0, most = 0;
 * const out = await runPool([1, 2, 3, 4], { jobs: 3, classesOf: () => ["all"], limitOf: () => 2 }, async (n) => {
 *   most = Math.max(most, ++running);
 *   await new Promise((r) => setTimeout(r, 5 * (5 - n)));
 *   running--;
 *   return n * 10;
 * });
 * if (out.join() !== "10,20,30,40" || most !== 2) throw new Error(`${out} ${most}`);
 * ```
 */
export function runPool<T, R>(
  tasks: readonly T[],
  opts: PoolOptions<T>,
  run: (task: T, index: number) => Promise<R>,
): Promise<R[]> {
  const jobs = Math.max(1, Math.floor(opts.jobs) || 1);
  const results: R[] = new Array(tasks.length);
  const pending = tasks.map((_, i) => i);
  const inClass = new Map<string, number>();
  let running = 0;
  let failure: { error: unknown } | undefined;
  const fits = (i: number) =>
    opts.classesOf(tasks[i] as T).every((c) => (inClass.get(c) ?? 0) < Math.max(1, opts.limitOf(c)));
  return new Promise((resolve, reject) => {
    const settle = () => {
      if (running > 0) return;
      if (failure) reject(failure.error);
      else if (pending.length === 0) resolve(results);
    };
    const pump = () => {
      while (!failure && running < jobs) {
        const at = pending.findIndex(fits);
        if (at < 0) break;
        const i = pending.splice(at, 1)[0] as number;
        const task = tasks[i] as T;
        const classes = opts.classesOf(task);
        for (const c of classes) inClass.set(c, (inClass.get(c) ?? 0) + 1);
        running++;
        run(task, i).then(
          (r) => void (results[i] = r),
          (e) => void (failure ??= { error: e }),
        ).finally(() => {
          running--;
          for (const c of classes) inClass.set(c, (inClass.get(c) ?? 1) - 1);
          pump();
          settle();
        });
      }
    };
    pump();
    settle();
  });
}
