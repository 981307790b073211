/**
 * The mutation matrix of several profiles at once: every row of every profile goes through one
 * bounded pool (longest first, see `_selftest_plan.ts`) into a few lanes (worker threads, see
 * `_selftest_lanes.ts`), each starting a profile's session on its first row of it; then every
 * session closes. Rows are reported in output order (profile, then row), never in the order
 * they finish, so two runs with one seed print the same rows in the same order.
 *
 * @module
 */
import type { Profile } from "../src/engine/profile.ts";
import type { SelftestRow } from "../src/report/matrix.ts";
import { errorMessage } from "../src/util/error_message.ts";
import type { SignalStop } from "./certify.ts";
import { classLimit, selftestPlan } from "./_selftest_plan.ts";
import { runPool } from "./_selftest_pool.ts";
import { type LaneResult, openLanes } from "./_selftest_lanes.ts";

/** A profile's selftest: its rows, or why the profile could not start. */
export type ProfileSelftest =
  | { ok: true; rows: SelftestRow[] }
  | { ok: false; error: string; unavailable: boolean };

/** One row's wall time. */
export interface RowTime {
  /** the row's name, e.g. "sdk:no-backoff" */
  name: string;
  /** from its target's opening to its close, in ms */
  ms: number;
}

/** Options of {@linkcode runMatrix}. */
export interface MatrixOptions {
  /** every row's seed */
  seed: number;
  /** rows that keep the machine busy at once @default {@linkcode defaultJobs} */
  jobs?: number;
  /** worker threads the rows run in (at most `jobs`) @default {@linkcode defaultLanes} */
  lanes?: number;
  /** checks at once within a row @default each profile's `defaultConcurrency` */
  concurrency?: number;
  /** when a signal stops the kit, also close the sessions */
  stop?: SignalStop;
  /** called with each row in output order (profile order, then row order), as soon as it can be */
  onRow?(row: SelftestRow): void;
}

/** What {@linkcode runMatrix} found. */
export interface MatrixResult {
  /** each profile's rows (in row order), or why it could not start; in the profiles' order */
  profiles: Map<string, ProfileSelftest>;
  /** every row's wall time, in output order */
  times: RowTime[];
}

/**
 * The default bound on busy rows at once: four per core (2 to 16). Most rows wait on their checks'
 * timers, not on the CPU: at `--jobs 2` a whole selftest kept 2 cores 74% busy for 173 s, at
 * `--jobs 8` it ends with its floor row (67 s, five runs in a row with identical verdicts, load
 * average ≈ 5). The reference rows' timing checks (retry backoff, health latency under slowloris)
 * each run in a worker thread of their own; a waiting row takes no slot (`_selftest_plan.ts`).
 *
 * @returns the bound
 * @example
 * ```ts
 * import { defaultJobs } from "./_selftest_matrix.ts";
 * if (defaultJobs() < 2) throw new Error();
 * ```
 */
export function defaultJobs(): number {
  return Math.min(16, Math.max(2, 4 * (navigator.hardwareConcurrency || 1)));
}

/**
 * The default number of lanes (worker threads, each with its own event loop): one per core, at
 * least 2.
 *
 * @returns the number
 * @example
 * ```ts
 * import { defaultLanes } from "./_selftest_matrix.ts";
 * if (defaultLanes() < 2) throw new Error();
 * ```
 */
export function defaultLanes(): number {
  return Math.max(2, navigator.hardwareConcurrency || 1);
}

/** Start a profile's session and close it: undefined when it starts, else why it did not. */
async function warmUp(p: Profile, opts: MatrixOptions): Promise<ProfileSelftest | undefined> {
  try {
    const s = await p.start({
      seed: opts.seed,
      concurrency: opts.concurrency ?? p.defaultConcurrency,
      log: () => {},
    });
    if (!s.ok) return { ok: false, error: s.error, unavailable: s.unavailable === true };
    await s.value.close().catch(() => {});
    return undefined;
  } catch (e) {
    return { ok: false, error: `did not start: ${errorMessage(e)}`, unavailable: false };
  }
}

/**
 * Run the mutation matrix of these profiles through one pool, in {@linkcode defaultLanes} lanes.
 *
 * @param profiles the profiles, in output order
 * @param opts seed, bounds, stop and progress
 * @returns each profile's rows, and every row's time
 */
export async function runMatrix(profiles: readonly Profile[], opts: MatrixOptions): Promise<MatrixResult> {
  const jobs = opts.jobs ?? defaultJobs();
  const lanes = openLanes(Math.min(jobs, opts.lanes ?? defaultLanes()));
  opts.stop?.also(() => lanes.close());
  try {
    // each profile starts once here first: a missing tool is found (or installed) once, not by
    // every lane at the same time, and a profile that cannot start runs no rows. A row waits for
    // its own profile's start only, so the floor row (sdk) does not wait for the slowest profile.
    const warm = new Map(profiles.map((p) => [p.name, warmUp(p, opts)] as const));
    const plan = selftestPlan(profiles);
    const done: (LaneResult | undefined)[] = new Array(plan.length);
    const times: (RowTime | undefined)[] = new Array(plan.length);
    let emitted = 0;
    const results = await runPool(
      plan,
      { jobs, classesOf: (r) => r.classes, limitOf: classLimit(profiles, jobs) },
      async (r): Promise<LaneResult> => {
        const w = await warm.get(r.profile.name);
        const unstarted = w !== undefined && !w.ok;
        const t0 = performance.now();
        const res: LaneResult = w !== undefined && !w.ok
          ? { kind: "unstarted", error: w.error, unavailable: w.unavailable }
          : await lanes.run(
            {
              profile: r.profile.name,
              job: r.job,
              seed: opts.seed,
              ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
            },
            r.weight,
            r.alone,
          );
        done[r.order] = res;
        if (!unstarted) times[r.order] = { name: r.job.name, ms: performance.now() - t0 };
        for (; emitted < done.length && done[emitted] !== undefined; emitted++) {
          const e = done[emitted];
          if (e?.kind === "row") opts.onRow?.(e.row);
        }
        return res;
      },
    );
    const outcome = (p: Profile): ProfileSelftest => {
      const mine = plan.map((r, i) => ({ r, res: results[i] as LaneResult })).filter((x) => x.r.profile === p)
        .sort((a, b) => a.r.order - b.r.order);
      const unstarted = mine.find((x) => x.res.kind === "unstarted")?.res;
      if (unstarted?.kind === "unstarted") {
        return { ok: false, error: unstarted.error, unavailable: unstarted.unavailable };
      }
      return { ok: true, rows: mine.flatMap((x) => x.res.kind === "row" ? [x.res.row] : []) };
    };
    return {
      profiles: new Map(profiles.map((p) => [p.name, outcome(p)] as const)),
      times: times.filter((t): t is RowTime => t !== undefined),
    };
  } finally {
    await lanes.close();
  }
}
