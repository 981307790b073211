/**
 * The mutation matrix of every profile, through the one pipeline: the reference target must pass
 * every applicable check; each one-fault mutant must FAIL (outcome `fail`, not `error`) every
 * check that names it (`defineProfile` refuses a mutant no check names: nothing would prove it is caught).
 * Every row of every profile runs through one bounded pool (`--jobs`), longest first; rows print
 * in row order, then the wall time and the five slowest rows.
 *
 * @module
 */
import type { Profile } from "../src/engine/profile.ts";
import { renderSelftest, type SelftestRow } from "../src/report/matrix.ts";
import { COMMON_FLAGS, parseFlags, usage } from "./flags.ts";
import { terminalOut } from "./progress.ts";
import { type SignalStop, stopOnSignals } from "./certify.ts";
import { PROFILES } from "./profiles.ts";
import { defaultJobs, type ProfileSelftest, type RowTime, runMatrix } from "./_selftest_matrix.ts";
import { selftestJobs } from "./_selftest_plan.ts";

export { mutantRow, referenceRow } from "./_selftest_rows.ts";
export { type SelftestJob, selftestJobs } from "./_selftest_plan.ts";
export { type MatrixResult, type ProfileSelftest, runMatrix } from "./_selftest_matrix.ts";

/** Options of {@linkcode profileSelftest}. */
export interface ProfileSelftestOptions {
  seed: number;
  /** checks at once within a row @default the profile's */
  concurrency?: number;
  /** rows that keep the machine busy at once @default four per core (2 to 16) */
  jobs?: number;
  /** called with each row, in row order */
  onRow?(row: SelftestRow): void;
  /** when a signal stops the kit, also close the profile's session */
  stop?: SignalStop;
}

/**
 * Run one profile's mutation matrix: the reference and every mutant, through the selftest's pool
 * (at most the profile's `selftestConcurrency` rows at once).
 *
 * @param profile the profile
 * @param opts seed and concurrency
 * @returns the rows (in job order), or why the profile could not start
 */
export async function profileSelftest(
  profile: Profile,
  opts: ProfileSelftestOptions,
): Promise<ProfileSelftest> {
  const r = await runMatrix([profile], opts);
  return r.profiles.get(profile.name) ?? { ok: false, error: "no result", unavailable: false };
}

const SELFTEST_FLAGS = [
  {
    name: "--profile",
    value: "NAME[,NAME]",
    repeat: true,
    help: "only these profiles (default: every profile)",
  },
  {
    name: "--jobs",
    value: "N",
    help:
      `rows that keep the machine busy at once, 1–64 (default: four per core, 2 to 16; here ${defaultJobs()})`,
  },
] as const;

/**
 * The closing lines: the wall time and the five slowest rows.
 *
 * @param wallMs the selftest's wall time
 * @param times every row's time
 * @param jobs the `--jobs` bound
 * @returns the lines
 * @example
 * ```ts
 * import { timingLines } from "./selftest.ts";
 * const l = timingLines(61_000, [{ name: "a", ms: 1000 }, { name: "b", ms: 60_000 }], 4);
 * if (!l[0]?.includes("61.0 s") || !l[1]?.includes("b 60.0 s, a 1.0 s")) throw new Error(l.join("\n"));
 * ```
 */
export function timingLines(wallMs: number, times: readonly RowTime[], jobs: number): string[] {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const slowest = [...times].sort((a, b) => b.ms - a.ms).slice(0, 5);
  return [
    `selftest wall time: ${s(wallMs)} (${times.length} rows, --jobs ${jobs})`,
    `slowest rows: ${slowest.map((t) => `${t.name} ${s(t.ms)}`).join(", ")}`,
  ];
}

/**
 * `deno task selftest`: every profile's mutation matrix, through one bounded pool.
 *
 * @param args `--seed N`, `--concurrency N`, `--profile NAME`
 * @returns 0 when every row is ok, 1 when a row failed, 2 on usage errors
 */
export async function selftestMain(args: readonly string[]): Promise<number> {
  const stop = stopOnSignals((l) => console.error(l));
  try {
    return await selftestRun(args, stop);
  } finally {
    stop.dispose();
  }
}

async function selftestRun(args: readonly string[], stop: SignalStop): Promise<number> {
  const flags = [
    ...SELFTEST_FLAGS,
    ...COMMON_FLAGS.filter((f) => ["--seed", "--concurrency", "--help"].includes(f.name)),
  ];
  const help = usage("selftest", flags);
  const parsed = parseFlags(args, SELFTEST_FLAGS);
  if (!parsed.ok) {
    console.error(`usage error: ${parsed.error}\n${help}`);
    return 2;
  }
  const common = parsed.value.common;
  if (common.help) {
    console.log(help);
    return 0;
  }
  const wanted = parsed.value.profile["--profile"] ?? [];
  const names = Array.isArray(wanted) ? wanted.flatMap((w) => w.split(",")) : [];
  const unknown = names.filter((n) => !PROFILES.some((p) => p.name === n));
  if (unknown.length > 0) {
    console.error(
      `usage error: --profile: no profile ${unknown.join(", ")} (profiles: ${
        PROFILES.map((p) => p.name).join(", ")
      })`,
    );
    return 2;
  }
  const jobsFlag = parsed.value.profile["--jobs"];
  const jobsText = Array.isArray(jobsFlag) ? jobsFlag[jobsFlag.length - 1] : undefined;
  const jobs = jobsText === undefined ? defaultJobs() : Number(jobsText);
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64) {
    console.error(`usage error: --jobs must be a whole number from 1 to 64, not ${JSON.stringify(jobsText)}`);
    return 2;
  }
  const out = terminalOut(false);
  out.line(`selftest seed: ${common.seed}`);
  const t0 = performance.now();
  const chosen = PROFILES.filter((p) => names.length === 0 || names.includes(p.name));
  for (const p of chosen) out.line(`${p.name}: ${selftestJobs(p).length} rows, ${p.checks.length} checks`);
  const m = await runMatrix(chosen, {
    seed: common.seed,
    jobs,
    stop,
    ...(common.concurrency !== undefined ? { concurrency: common.concurrency } : {}),
    onRow: (row) =>
      out.line(
        `${row.mutant}: ${row.caught.length}/${row.expected.length}${
          row.ok ? " ok" : ` FAILED ${row.missed.join(", ")}`
        }`,
      ),
  });
  const rows: SelftestRow[] = [];
  for (const p of chosen) {
    const r: ProfileSelftest | undefined = m.profiles.get(p.name);
    if (r === undefined) continue;
    if (!r.ok) {
      if (r.unavailable && !Deno.env.get("CI")) out.line(`${p.name} part skipped: ${r.error}`);
      else rows.push({ mutant: `${p.name}`, expected: [], caught: [], missed: [r.error], ok: false });
      continue;
    }
    rows.push(...r.rows);
  }
  for (const p of PROFILES) {
    for (const c of p.checks) {
      if (c.mutants.length === 0) out.line(`note: ${c.id} names no mutant (nothing proves it can fail)`);
    }
  }
  out.line("");
  out.line(renderSelftest(rows));
  for (const l of timingLines(performance.now() - t0, m.times, jobs)) out.line(l);
  return rows.every((r) => r.ok) ? 0 : 1;
}
