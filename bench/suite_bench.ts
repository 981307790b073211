/**
 * The suite-runtime benchmark: a real `sdkRun` (mock server, driver processes, checks) of a fixed
 * subset of fast sdk checks (every `sdk.caps.*`, `sdk.retry.client-errors`, every `sdk.idem.*`)
 * against the reference client's driver, at concurrency 1, 4 and 8. One group, concurrency 1 the
 * baseline, so the printed ratio is what concurrency buys on this machine. Each run is long (seconds),
 * so the benches ask for `n: 1, warmup: 0`; Deno 2.9's measuring loop still runs each one three
 * times (one warm-up, then the time budget and `n` each allow one measured run), so the whole file
 * takes about 3 × (sum of the three times). A run where any check does not pass throws, so a broken
 * kit never reports a time.
 *
 * Where the time goes (2 cores, reference driver): each check starts its own driver process; the
 * three `sdk.caps.not-in-*` checks take ~1.6 s each (they provoke a 400 ms read timeout among other
 * errors), the other nine 0.15–0.4 s. At concurrency >= 4 the run is bounded by those long checks
 * plus mock-server and first-driver start-up, so 8 buys nothing over 4 here.
 *
 * Run: `deno bench --allow-all bench/suite_bench.ts`
 *
 * @module
 */
import { sdkRun } from "../src/engine/sdk_target.ts";
import { sdkChecks } from "../conformance/sdk/mod.ts";
import { referenceDriverCommand } from "../conformance/mutants/sdk.ts";

/** The fixed subset: fast checks that start drivers and use the mock server. */
const SUBSET = sdkChecks.filter((c) =>
  c.id.startsWith("sdk.caps.") || c.id.startsWith("sdk.idem.") || c.id === "sdk.retry.client-errors"
);
if (SUBSET.length < 10) throw new Error(`suite bench subset shrank to ${SUBSET.length} checks`);

const DRIVER = referenceDriverCommand();

async function runSubset(concurrency: number): Promise<void> {
  const out = await sdkRun({ driverCommand: DRIVER, seed: 1, concurrency, checks: SUBSET });
  if (!out.ok) throw new Error(`sdkRun failed to start (exit ${out.code}): ${out.detail}`);
  const bad = out.results.filter((r) => r.verdict.outcome !== "pass");
  if (out.results.length !== SUBSET.length || bad.length > 0) {
    const list = bad.map((r) => `${r.id}: ${r.verdict.outcome}`).join("; ");
    throw new Error(
      `expected ${SUBSET.length} passes, got ${out.results.length} results; not passing: ${list}`,
    );
  }
}

for (const concurrency of [1, 4, 8]) {
  Deno.bench(
    `sdkRun ${SUBSET.length} checks, concurrency ${concurrency}`,
    { group: "suite", baseline: concurrency === 1, n: 1, warmup: 0 },
    async () => {
      await runSubset(concurrency);
    },
  );
}
