/**
 * The mutation matrix of every profile, through the one pipeline: the reference target must pass
 * every applicable check; each one-fault mutant must FAIL (outcome `fail`, not `error`) every
 * check that names it (`defineProfile` refuses a mutant no check names: nothing would prove it is caught).
 *
 * @module
 */
import type { Profile, RunnableTarget, Session } from "../src/engine/profile.ts";
import type { CheckResult } from "../src/engine/types.ts";
import { renderSelftest, type SelftestRow } from "../src/report/matrix.ts";
import { maskCanaries } from "../src/driver/canary.ts";
import { errorMessage } from "../src/util/error_message.ts";
import { COMMON_FLAGS, parseFlags, usage } from "./flags.ts";
import { terminalOut } from "./progress.ts";
import { type SignalStop, stopOnSignals } from "./certify.ts";
import { PROFILES } from "./profiles.ts";
import { TOXIPROXY_UNAVAILABLE } from "../conformance/svc/_chaos_session.ts";

/** One row to run: the reference (no mutant) or one mutant, and the checks it is judged on. */
export interface SelftestJob {
  /** "sdk:reference", "svc:accept-alg-none" */
  name: string;
  /** the mutant, absent for the reference */
  mutant?: string;
  /** the checks that name the mutant (empty for the reference: it runs every check) */
  checks: string[];
}

/**
 * The rows of a profile's selftest, known before anything runs.
 *
 * @param profile the profile
 * @returns the reference row first, then one per mutant
 * @example
 * ```ts
 * import { selftestJobs } from "./selftest.ts";
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
 * The reference row: every applicable check must pass.
 *
 * @param name the row's name
 * @param results the reference's results
 * @param canaries to mask in reasons
 * @returns the row
 * @example
 * ```ts
 * import { referenceRow } from "./selftest.ts";
 * const row = referenceRow("sdk:reference", [{ id: "sdk.a.b", title: "t", level: "MUST", source: "000",
 *   durationMs: 1, verdict: { outcome: "error", reason: "x" } }], []);
 * if (row.ok) throw new Error();
 * ```
 */
export function referenceRow(
  name: string,
  results: readonly CheckResult[],
  canaries: readonly string[],
): SelftestRow {
  const applicable = results.filter((r) => r.verdict.outcome !== "not_applicable");
  const caught = applicable.filter((r) => r.verdict.outcome === "pass").map((r) => r.id);
  const missed = applicable.filter((r) => r.verdict.outcome !== "pass").map((r) => {
    const v = r.verdict;
    return `${r.id} (${v.outcome}${
      "reason" in v ? `: ${maskCanaries(v.reason, canaries).slice(0, 200)}` : ""
    })`;
  });
  return { mutant: name, expected: applicable.map((r) => r.id), caught, missed, ok: missed.length === 0 };
}

/**
 * A mutant's row: every check that names it must fail (not error, not pass, not be skipped).
 *
 * @param name the row's name
 * @param expected the ids of the checks that name the mutant
 * @param results the mutant's results
 * @param canaries to mask in reasons
 * @returns the row
 * @example
 * ```ts
 * import { mutantRow } from "./selftest.ts";
 * const row = mutantRow("sdk:m", ["sdk.a.b"], [{ id: "sdk.a.b", title: "t", level: "MUST", source: "000",
 *   durationMs: 1, verdict: { outcome: "fail", reason: "caught", evidence: {} } }], []);
 * if (!row.ok) throw new Error();
 * ```
 */
export function mutantRow(
  name: string,
  expected: readonly string[],
  results: readonly CheckResult[],
  canaries: readonly string[],
): SelftestRow {
  const caught: string[] = [];
  const missed: string[] = [];
  for (const id of expected) {
    const v = results.find((x) => x.id === id)?.verdict;
    if (!v) missed.push(`${id} (not run)`);
    else if (v.outcome === "fail") caught.push(id);
    else {missed.push(
        `${id} (${v.outcome}${"reason" in v ? `: ${maskCanaries(v.reason, canaries).slice(0, 200)}` : ""})`,
      );}
  }
  return {
    mutant: name,
    expected: [...expected],
    caught,
    missed,
    ok: missed.length === 0 && expected.length > 0,
  };
}

async function runJob(
  job: SelftestJob,
  target: RunnableTarget,
  seed: number,
  concurrency: number,
): Promise<SelftestRow> {
  const failed = (why: string): SelftestRow => ({
    mutant: job.name,
    expected: job.checks,
    caught: [],
    missed: [why],
    ok: false,
  });
  const open = await target.open();
  if (!open.ok && open.error.includes(TOXIPROXY_UNAVAILABLE) && !Deno.env.get("CI")) {
    // as the chaos profile's rows are skipped without Toxiproxy (outside CI), so are svc.chaos mutants'
    return { mutant: job.name, expected: [], caught: [], missed: [`skipped: ${open.error}`], ok: true };
  }
  if (!open.ok) return failed(open.error);
  const t = open.value;
  try {
    const results = await t.run({ seed, concurrency, ...(job.mutant ? { only: job.checks } : {}) });
    return job.mutant
      ? mutantRow(job.name, job.checks, results, t.canaries())
      : referenceRow(job.name, results, t.canaries());
  } catch (e) {
    return failed(`the run failed: ${errorMessage(e)}`);
  } finally {
    await t.close().catch(() => {});
  }
}

/** Options of {@linkcode profileSelftest}. */
export interface ProfileSelftestOptions {
  seed: number;
  /** checks at once within a row @default the profile's */
  concurrency?: number;
  /** called as each row ends */
  onRow?(row: SelftestRow): void;
  /** when a signal stops the kit, also close the profile's session */
  stop?: SignalStop;
}

/** A profile's selftest: its rows, or why the profile could not start. */
export type ProfileSelftest =
  | { ok: true; rows: SelftestRow[] }
  | { ok: false; error: string; unavailable: boolean };

/**
 * Run one profile's mutation matrix: the reference and every mutant, `selftestConcurrency` rows at
 * a time.
 *
 * @param profile the profile
 * @param opts seed and concurrency
 * @returns the rows (in job order), or why the profile could not start
 */
export async function profileSelftest(
  profile: Profile,
  opts: ProfileSelftestOptions,
): Promise<ProfileSelftest> {
  const concurrency = opts.concurrency ?? profile.defaultConcurrency;
  const started = await profile.start({ seed: opts.seed, concurrency, log: () => {} });
  if (!started.ok) return { ok: false, error: started.error, unavailable: started.unavailable === true };
  const session: Session = started.value;
  opts.stop?.also(() => session.close());
  try {
    const jobs = selftestJobs(profile);
    const rows = new Map<string, SelftestRow>();
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const job = jobs[next++];
        if (!job) break;
        const row = await runJob(job, session.reference(job.mutant), opts.seed, concurrency);
        rows.set(job.name, row);
        opts.onRow?.(row);
      }
    };
    await Promise.all(
      Array.from({ length: Math.max(1, Math.min(profile.selftestConcurrency, jobs.length)) }, worker),
    );
    return {
      ok: true,
      rows: jobs.map((j) => rows.get(j.name)).filter((r): r is SelftestRow => r !== undefined),
    };
  } finally {
    await session.close().catch(() => {});
  }
}

const SELFTEST_FLAGS = [
  {
    name: "--profile",
    value: "NAME[,NAME]",
    repeat: true,
    help: "only these profiles (default: every profile)",
  },
] as const;

/**
 * `deno task selftest`: every profile's mutation matrix, one after another.
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
  const out = terminalOut(false);
  out.line(`selftest seed: ${common.seed}`);
  const t0 = performance.now();
  const rows: SelftestRow[] = [];
  for (const profile of PROFILES.filter((p) => names.length === 0 || names.includes(p.name))) {
    const tp = performance.now();
    out.line(`${profile.name}: ${selftestJobs(profile).length} rows, ${profile.checks.length} checks`);
    const r = await profileSelftest(profile, {
      seed: common.seed,
      stop,
      ...(common.concurrency !== undefined ? { concurrency: common.concurrency } : {}),
      onRow: (row) =>
        out.line(
          `${row.mutant}: ${row.caught.length}/${row.expected.length}${
            row.ok ? " ok" : ` FAILED ${row.missed.join(", ")}`
          }`,
        ),
    });
    if (!r.ok) {
      if (r.unavailable && !Deno.env.get("CI")) out.line(`${profile.name} part skipped: ${r.error}`);
      else rows.push({ mutant: `${profile.name}`, expected: [], caught: [], missed: [r.error], ok: false });
      continue;
    }
    rows.push(...r.rows);
    out.line(`${profile.name}: ${((performance.now() - tp) / 1000).toFixed(1)} s`);
  }
  for (const p of PROFILES) {
    for (const c of p.checks) {
      if (c.mutants.length === 0) out.line(`note: ${c.id} names no mutant (nothing proves it can fail)`);
    }
  }
  out.line("");
  out.line(renderSelftest(rows));
  out.line(`selftest wall time: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return rows.every((r) => r.ok) ? 0 : 1;
}
