/**
 * `selftest`: the mutation matrix. The reference client must pass every applicable sdk check;
 * each one-fault mutant must FAIL (outcome `fail`, not `error`) every check that names it. The
 * chaos part runs when Toxiproxy is available; the server part comes from `src/cli/server.ts`.
 *
 * @module
 */
import { parseCertifyFlags } from "./args.ts";
import { terminalOut } from "./progress.ts";
import { loadChaosChecks, loadServerModule } from "./_optional.ts";
import { GLOBAL_TOKEN_FILE } from "../client/_faults.ts";
import { CERTIFY_USAGE, referenceSdkModule } from "./certify.ts";
import { type RunOutcome, sdkRun } from "../engine/runner.ts";
import type { Check } from "../engine/types.ts";
import type { ChaosEnv, SdkContext } from "../engine/sdk_context.ts";
import { renderSelftest, type SelftestRow } from "../report/matrix.ts";
import { maskCanaries } from "../driver/canary.ts";
import { referenceDriverCommand, sdkMutants } from "../../conformance/mutants/sdk.ts";
import { startChaos } from "../../chaos/toxiproxy.ts";

/**
 * The reference row: every applicable check must pass.
 *
 * @param outcome the reference run
 * @param label the row's name
 * @returns the row
 * @example
 * ```ts
 * import { referenceRow } from "./selftest.ts";
 * const row = referenceRow({ ok: false, code: 2, detail: "no driver", canaries: [] }, "reference");
 * if (row.ok) throw new Error();
 * ```
 */
export function referenceRow(outcome: RunOutcome, label: string): SelftestRow {
  if (!outcome.ok) return { mutant: label, expected: [], caught: [], missed: [outcome.detail], ok: false };
  const applicable = outcome.results.filter((r) => r.verdict.outcome !== "not_applicable");
  const caught = applicable.filter((r) => r.verdict.outcome === "pass").map((r) => r.id);
  const missed = applicable.filter((r) => r.verdict.outcome !== "pass").map((r) => {
    const v = r.verdict;
    return `${r.id} (${v.outcome}${"reason" in v ? `: ${maskCanaries(v.reason, outcome.canaries)}` : ""})`;
  });
  return { mutant: label, expected: applicable.map((r) => r.id), caught, missed, ok: missed.length === 0 };
}

/**
 * A mutant's row: every check that names it must fail (not error, not pass, not be skipped).
 *
 * @param label the row's name
 * @param expected the ids of the checks that name the mutant
 * @param outcome the mutant run
 * @returns the row
 * @example
 * ```ts
 * import { mutantRow } from "./selftest.ts";
 * const row = mutantRow("m", ["sdk.a.b"], { ok: true, target: { protocol: 1, name: "x", version: "1",
 *   language: "ts", capabilities: [] }, canaries: [], startedAt: new Date(), durationMs: 1,
 *   results: [{ id: "sdk.a.b", title: "t", level: "MUST", source: "000", durationMs: 1,
 *     verdict: { outcome: "fail", reason: "caught", evidence: {} } }] });
 * if (!row.ok) throw new Error();
 * ```
 */
export function mutantRow(label: string, expected: string[], outcome: RunOutcome): SelftestRow {
  if (!outcome.ok) return { mutant: label, expected, caught: [], missed: [outcome.detail], ok: false };
  const caught: string[] = [];
  const missed: string[] = [];
  for (const id of expected) {
    const r = outcome.results.find((x) => x.id === id);
    if (!r) {
      missed.push(`${id} (not run)`);
      continue;
    }
    const v = r.verdict;
    if (v.outcome === "fail") caught.push(id);
    else {
      const why = "reason" in v ? `: ${maskCanaries(v.reason, outcome.canaries)}` : "";
      missed.push(`${id} (${v.outcome}${why})`);
    }
  }
  return { mutant: label, expected, caught, missed, ok: missed.length === 0 && expected.length > 0 };
}

async function mutationPart(
  prefix: string,
  checks: Check<SdkContext>[],
  opts: {
    seed: number;
    concurrency: number;
    chaos?: ChaosEnv & { scope?(): ChaosEnv & { dispose(): Promise<void> } };
  },
  log: (s: string) => void,
): Promise<{ rows: SelftestRow[]; fatal: boolean }> {
  const rows: SelftestRow[] = [];
  const base = {
    seed: opts.seed,
    concurrency: opts.concurrency,
    checks,
    ...(opts.chaos ? { chaos: opts.chaos } : {}),
  };
  log(`${prefix}reference: ${checks.length} checks`);
  const ref = await sdkRun({
    ...base,
    driverCommand: referenceDriverCommand(),
    sdkModule: referenceSdkModule(),
  });
  const refRow = referenceRow(ref, `${prefix}reference`);
  rows.push(refRow);
  log(
    `${refRow.mutant}: ${refRow.caught.length}/${refRow.expected.length} pass${refRow.ok ? "" : " — FAILED"}`,
  );
  if (!ref.ok) return { rows, fatal: true };
  const built = new Set(sdkMutants.map((m) => m.name));
  for (const m of sdkMutants) {
    const named = checks.filter((c) => c.mutants.includes(m.name)).map((c) => c.id);
    if (named.length === 0) continue;
    const out = await sdkRun({
      ...base,
      driverCommand: m.command,
      only: named,
      sdkModule: referenceSdkModule(m.name),
    });
    const row = mutantRow(`${prefix}${m.name}`, named, out);
    rows.push(row);
    log(
      `${row.mutant}: ${row.caught.length}/${row.expected.length} caught${
        row.ok ? "" : ` — MISSED ${row.missed.join(", ")}`
      }`,
    );
  }
  const unbuilt = new Map<string, string[]>();
  for (const c of checks) {
    for (const m of c.mutants) if (!built.has(m)) unbuilt.set(m, [...(unbuilt.get(m) ?? []), c.id]);
  }
  for (const [m, ids] of unbuilt) {
    rows.push({
      mutant: `${prefix}${m}`,
      expected: ids,
      caught: [],
      missed: ["this mutant is not built"],
      ok: false,
    });
  }
  return { rows, fatal: false };
}

/**
 * Run the selftest.
 *
 * @param args the arguments after `selftest` (`--seed N`, `--concurrency N`)
 * @returns 0 when every row is ok, 1 when a row failed, 2 on usage or when the reference does not start
 */
export async function selftestMain(args: string[]): Promise<number> {
  const parsed = parseCertifyFlags(args);
  if (!parsed.ok) {
    console.error(`${parsed.error}\n${CERTIFY_USAGE}`);
    return 2;
  }
  const flags = parsed.value;
  const out = terminalOut(false);
  const log = (s: string) => out.line(s);
  out.line(`selftest seed: ${flags.seed}`);
  const { sdkChecks } = await import("../../conformance/sdk/mod.ts");
  const rows: SelftestRow[] = [];
  const sdk = await mutationPart("", sdkChecks, { seed: flags.seed, concurrency: flags.concurrency }, log);
  // the global-token-file mutant shares its token through a fixed file (its fault): remove it
  await Deno.remove(GLOBAL_TOKEN_FILE).catch(() => {});
  rows.push(...sdk.rows);
  let fatal = sdk.fatal;

  const chaosChecks = await loadChaosChecks();
  if (!chaosChecks.ok) {
    // The chaos checks failing to load is a kit fault: a failing row, never a skip.
    rows.push({ mutant: "chaos", expected: [], caught: [], missed: [chaosChecks.reason], ok: false });
  } else {
    const chaos = await startChaos({ seed: flags.seed });
    if (!chaos.ok) out.line(`chaos part skipped: ${chaos.reason}`);
    else {
      try {
        const part = await mutationPart("chaos:", chaosChecks.checks, {
          seed: flags.seed,
          concurrency: flags.concurrency,
          chaos: chaos.env,
        }, log);
        rows.push(...part.rows);
        fatal ||= part.fatal;
      } finally {
        await chaos.close().catch(() => {});
      }
    }
  }

  const server = await loadServerModule();
  if (!server.ok) {
    rows.push({ mutant: "server", expected: [], caught: [], missed: [server.reason], ok: false });
  } else {
    try {
      rows.push(...await server.value.serverSelftest({ seed: flags.seed, concurrency: flags.concurrency }));
    } catch (e) {
      rows.push({
        mutant: "server",
        expected: [],
        caught: [],
        missed: [`server selftest failed: ${e instanceof Error ? e.message : String(e)}`],
        ok: false,
      });
    }
  }
  for (const c of sdkChecks) {
    if (c.mutants.length === 0) out.line(`note: ${c.id} names no mutant (nothing proves it can fail)`);
  }
  out.line("");
  out.line(renderSelftest(rows));
  if (fatal) return 2;
  return rows.every((r) => r.ok) ? 0 : 1;
}
