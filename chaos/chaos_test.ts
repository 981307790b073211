/**
 * End to end: the eight chaos checks through real Toxiproxy, the mock server, the driver host and
 * the reference driver (all pass), and against the one-fault mutants the checks name (each fails
 * the checks that list it). Skipped, with a message, when Toxiproxy is not installed.
 */
import assert from "node:assert/strict";
import { sdkRun } from "../src/engine/sdk_target.ts";
import type { CheckResult } from "../src/engine/types.ts";
import { referenceDriverCommand } from "../conformance/mutants/sdk.ts";
import { chaosChecks } from "./mod.ts";
import { startChaos } from "./toxiproxy.ts";

const SEED = 1;

function table(results: CheckResult[]): string {
  return results.map((r) =>
    `${r.id}: ${r.verdict.outcome}${"reason" in r.verdict ? ` (${r.verdict.reason})` : ""} ${r.durationMs} ms`
  ).join("\n");
}

async function withChaos(fn: (env: Parameters<typeof sdkRun>[0]["chaos"]) => Promise<void>): Promise<void> {
  const chaos = await startChaos({ seed: SEED });
  if (!chaos.ok) {
    // CI installs Toxiproxy (.ci/run), so there a missing server is a failure, not a silent skip.
    if (Deno.env.get("CI")) throw new Error(`Toxiproxy is required in CI: ${chaos.reason}`);
    console.warn(`chaos e2e skipped (no Toxiproxy, not CI): ${chaos.reason}`);
    return;
  }
  try {
    await fn(chaos.env);
  } finally {
    await chaos.close();
  }
}

Deno.test("chaos checks: the reference driver passes all eight", async () => {
  await withChaos(async (env) => {
    const t0 = performance.now();
    const out = await sdkRun({
      driverCommand: referenceDriverCommand(),
      seed: SEED,
      concurrency: chaosChecks.length,
      checks: chaosChecks,
      ...(env ? { chaos: env } : {}),
    });
    assert.ok(out.ok, out.ok ? "" : out.detail);
    const wall = performance.now() - t0;
    console.log(`reference: ${Math.round(wall)} ms\n${table(out.results)}`);
    assert.equal(out.results.length, 8);
    for (const r of out.results) assert.equal(r.verdict.outcome, "pass", table([r]));
    assert.ok(wall < 60_000, `chaos suite took ${Math.round(wall)} ms`);
  });
});

Deno.test("chaos checks: each mutant the checks name fails them", async () => {
  await withChaos(async (env) => {
    const mutants = [...new Set(chaosChecks.flatMap((c) => c.mutants))].sort();
    assert.deepEqual(mutants, [
      "accept-truncated",
      "first-chunk-only",
      "idle-timeout-only",
      "never-retry",
      "no-timeout",
      "retry-forever",
    ]);
    const t0 = performance.now();
    const runs = await Promise.all(mutants.map(async (m) => {
      const checks = chaosChecks.filter((c) => c.mutants.includes(m));
      const out = await sdkRun({
        driverCommand: referenceDriverCommand(m),
        seed: SEED,
        concurrency: checks.length,
        checks,
        ...(env ? { chaos: env } : {}),
      });
      return { m, out };
    }));
    console.log(`mutants: ${Math.round(performance.now() - t0)} ms`);
    for (const { m, out } of runs) {
      assert.ok(out.ok, out.ok ? "" : out.detail);
      console.log(`-- ${m}\n${table(out.results)}`);
      for (const r of out.results) assert.equal(r.verdict.outcome, "fail", `${m} must fail ${table([r])}`);
    }
  });
});

Deno.test("chaos checks: a null SDK (answers at once, never connects) passes none of them", async () => {
  await withChaos(async (env) => {
    const driver = new URL("../conformance/sdk/testdata/null_driver.ts", import.meta.url).pathname;
    for (const mode of ["ok", "timeout", "network", "transport"]) {
      const out = await sdkRun({
        driverCommand: [Deno.execPath(), "run", "--no-config", driver, mode],
        seed: SEED,
        concurrency: chaosChecks.length,
        checks: chaosChecks,
        ...(env ? { chaos: env } : {}),
      });
      assert.ok(out.ok, out.ok ? "" : out.detail);
      const passed = out.results.filter((r) => r.verdict.outcome === "pass").map((r) => r.id);
      assert.deepEqual(passed, [], `chaos checks that passed a null SDK (${mode}): ${passed.join(", ")}`);
      assert.equal(out.results.length, 8);
    }
  });
});
