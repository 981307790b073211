/**
 * One selftest row, judged: the reference must pass every applicable check, a mutant must FAIL
 * every check that names it.
 *
 * @module
 */
import type { RunnableTarget } from "../src/engine/profile.ts";
import type { CheckResult } from "../src/engine/types.ts";
import type { SelftestRow } from "../src/report/matrix.ts";
import { maskCanaries } from "../src/driver/canary.ts";
import { errorMessage } from "../src/util/error_message.ts";
import { TOXIPROXY_UNAVAILABLE } from "../conformance/svc/_chaos_session.ts";
import type { SelftestJob } from "./_selftest_plan.ts";

/**
 * The reference row: every applicable check must pass.
 *
 * @param name the row's name
 * @param results the reference's results
 * @param canaries to mask in reasons
 * @returns the row
 * @example
 * ```ts
 * import { referenceRow } from "./_selftest_rows.ts";
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
 * import { mutantRow } from "./_selftest_rows.ts";
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

/**
 * Run one row: open its target (the reference or the mutant), run its checks, judge the row.
 * A target that cannot open, or a run that throws, is a failed row (a kit fault is never `ok`);
 * a svc.chaos row without Toxiproxy outside CI is skipped, as the chaos profile is.
 *
 * @param job the row
 * @param target the row's target
 * @param seed the run's seed
 * @param concurrency checks at once within the row
 * @returns the row
 */
export async function runRow(
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
  const open = await target.open().catch((e): { ok: false; error: string } => ({
    ok: false,
    error: `the target did not open: ${errorMessage(e)}`,
  }));
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
