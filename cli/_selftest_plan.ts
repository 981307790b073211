/**
 * The selftest's plan: every row of every profile, longest first, with the classes that bound
 * how many of them run at once (the pool in `_selftest_pool.ts` enforces them).
 *
 * - `profile:NAME`: a profile's rows at once, at most its `selftestConcurrency`.
 * - `cpu`: the rows that keep the machine busy (starting drivers, servers, running probes), at
 *   most `--jobs`. A row in {@linkcode WAITING_ROWS} spends its time waiting on a timer, so it
 *   takes no `cpu` slot (only `waiting`, at most {@linkcode WAITING_LIMIT}).
 * - `reference`: the reference rows (every check of a profile), at most {@linkcode REFERENCE_LIMIT}.
 * - `res:WHAT`: rows that hold one exclusive resource (a fixed file) never overlap.
 *
 * @module
 */
import type { Profile } from "../src/engine/profile.ts";
import { GLOBAL_TOKEN_FILE } from "../src/client/_faults.ts";

/** One row to run: the reference (no mutant) or one mutant, and the checks it is judged on. */
export interface SelftestJob {
  /** "sdk:reference", "svc:accept-alg-none" */
  name: string;
  /** the mutant, absent for the reference */
  mutant?: string;
  /** the checks that name the mutant (empty for the reference: it runs every check) */
  checks: string[];
}

/** One row of the plan: its profile, its job, where it stands and what bounds it. */
export interface PlannedRow {
  /** the profile the row belongs to */
  profile: Profile;
  /** the row */
  job: SelftestJob;
  /** the row's place in the output (profile order, then job order) */
  order: number;
  /** a rough rank of how long it runs (higher starts earlier) */
  estimate: number;
  /** the classes that bound it */
  classes: string[];
  /** how busy it keeps its lane: 0 for a waiting row, 2 for a reference (every check), else 1 */
  weight: number;
  /**
   * runs in a lane of its own: a reference row (every check, the timing ones too: retry backoff,
   * health latency under slowloris, TTL windows) must not share its event loop with other rows
   */
  alone: boolean;
}

/**
 * Rows whose time is a timer, not work: the mutant hangs and its check waits out the full bound
 * (`sdk.timeouts.default`: 60 s + a 5 s margin). This row is the selftest's floor, so it starts
 * first and overlaps everything else.
 */
export const WAITING_ROWS: ReadonlySet<string> = new Set(["sdk:no-default-timeout"]);

/** How many waiting rows run at once (they hold a driver process and a socket each, little CPU). */
export const WAITING_LIMIT = 4;

/**
 * How many reference rows run at once: each runs every check of its profile (the timing checks
 * among them), so two at a time (the sdk reference, the longest, and the others one after another).
 */
export const REFERENCE_LIMIT = 2;

/**
 * Rows that hold an exclusive resource: no two rows naming the same resource run at once. The
 * `global-token-file` mutant shares its token through a fixed file (that is its fault); the
 * `token-cache-file` mutants write a fixed file under HOME.
 */
export const EXCLUSIVE: Readonly<Record<string, readonly string[]>> = {
  "sdk:global-token-file": [GLOBAL_TOKEN_FILE],
  "sdk:token-cache-file": ["home-token-cache"],
  "secrets:token-cache-file": ["home-token-cache"],
};

/**
 * The rows of a profile's selftest, known before anything runs.
 *
 * @param profile the profile
 * @returns the reference row first, then one per mutant
 * @example
 * ```ts
 * import { selftestJobs } from "./_selftest_plan.ts";
 * import { PROFILES } from "./profiles.ts";
 * const jobs = PROFILES.flatMap(selftestJobs);
 * if (!jobs.some((j) => j.name === "svc:accept-alg-none")) throw new Error();
 * ```
 */
export function selftestJobs(profile: Profile): SelftestJob[] {
  const jobs: SelftestJob[] = [{ name: `${profile.name}:reference`, checks: [] }];
  for (const m of profile.mutants) {
    const checks = profile.checks.filter((c) => c.mutants.includes(m.name)).map((c) => c.id);
    if (checks.length > 0) jobs.push({ name: `${profile.name}:${m.name}`, mutant: m.name, checks });
  }
  return jobs;
}

/**
 * How long a row runs, roughly: a waiting row longest, then a reference (every check, so by the
 * sum of its checks' time limits), then a mutant by its longest check's time limit.
 *
 * @param profile the row's profile
 * @param job the row
 * @returns a rank (higher: start earlier)
 * @example
 * ```ts
 * import { rowEstimate, selftestJobs } from "./_selftest_plan.ts";
 * import { PROFILES } from "./profiles.ts";
 * const sdk = PROFILES.find((p) => p.name === "sdk")!;
 * const [ref, m] = selftestJobs(sdk);
 * if (rowEstimate(sdk, ref!) <= rowEstimate(sdk, m!)) throw new Error();
 * ```
 */
export function rowEstimate(profile: Profile, job: SelftestJob): number {
  const limit = (id: string) => profile.checks.find((c) => c.id === id)?.timeLimitMs ?? 15_000;
  if (WAITING_ROWS.has(job.name)) return 1e12;
  if (job.mutant === undefined) {
    return 1e9 + profile.checks.reduce((s, c) => s + (c.timeLimitMs ?? 15_000), 0);
  }
  return Math.max(0, ...job.checks.map(limit));
}

/**
 * The classes a row belongs to (see the module's doc).
 *
 * @param profile the row's profile
 * @param job the row
 * @returns its classes
 * @example
 * ```ts
 * import { rowClasses } from "./_selftest_plan.ts";
 * import { PROFILES } from "./profiles.ts";
 * const sdk = PROFILES.find((p) => p.name === "sdk")!;
 * const c = rowClasses(sdk, { name: "sdk:no-default-timeout", mutant: "no-default-timeout", checks: [] });
 * if (c.includes("cpu") || !c.includes("waiting")) throw new Error(c.join());
 * ```
 */
export function rowClasses(profile: Profile, job: SelftestJob): string[] {
  return [
    `profile:${profile.name}`,
    WAITING_ROWS.has(job.name) ? "waiting" : "cpu",
    ...(job.mutant === undefined ? ["reference"] : []),
    ...(EXCLUSIVE[job.name] ?? []).map((r) => `res:${r}`),
  ];
}

/**
 * Every row of these profiles, longest first (ties in output order).
 *
 * @param profiles the profiles, in output order
 * @returns the rows, in the order they should start
 * @example
 * ```ts
 * import { selftestPlan } from "./_selftest_plan.ts";
 * import { PROFILES } from "./profiles.ts";
 * const plan = selftestPlan(PROFILES);
 * if (plan[0]?.job.name !== "sdk:no-default-timeout") throw new Error(plan[0]?.job.name);
 * ```
 */
export function selftestPlan(profiles: readonly Profile[]): PlannedRow[] {
  const rows: PlannedRow[] = [];
  for (const profile of profiles) {
    for (const job of selftestJobs(profile)) {
      rows.push({
        profile,
        job,
        order: rows.length,
        estimate: rowEstimate(profile, job),
        classes: rowClasses(profile, job),
        weight: WAITING_ROWS.has(job.name) ? 0 : job.mutant === undefined ? 2 : 1,
        alone: job.mutant === undefined,
      });
    }
  }
  return rows.sort((a, b) => b.estimate - a.estimate || a.order - b.order);
}

/**
 * The bound of a class: `cpu` is `jobs`, `waiting` {@linkcode WAITING_LIMIT}, `reference`
 * {@linkcode REFERENCE_LIMIT}, a profile its `selftestConcurrency`, an exclusive resource 1.
 *
 * @param profiles the profiles in the plan
 * @param jobs the `cpu` bound
 * @returns the limit of each class
 * @example
 * ```ts
 * import { classLimit } from "./_selftest_plan.ts";
 * import { PROFILES } from "./profiles.ts";
 * const limit = classLimit(PROFILES, 3);
 * if (limit("cpu") !== 3 || limit("res:/tmp/x") !== 1) throw new Error();
 * ```
 */
export function classLimit(profiles: readonly Profile[], jobs: number): (cls: string) => number {
  return (cls) => {
    if (cls === "cpu") return jobs;
    if (cls === "waiting") return WAITING_LIMIT;
    if (cls === "reference") return REFERENCE_LIMIT;
    if (cls.startsWith("profile:")) {
      return profiles.find((p) => `profile:${p.name}` === cls)?.selftestConcurrency ?? 1;
    }
    return 1;
  };
}
