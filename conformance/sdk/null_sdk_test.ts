/**
 * The kit is only as good as the faults it catches: an SDK that does nothing at all (answers
 * every op at once, never touches the network) must not pass a single sdk check, whichever
 * typed answer it gives. A check that passed it would be judging nothing.
 */
import assert from "node:assert/strict";
import { sdkRun } from "../../src/engine/sdk_target.ts";
import { sdkChecks } from "./mod.ts";

const DRIVER = new URL("./testdata/null_driver.ts", import.meta.url).pathname;

for (const mode of ["ok", "timeout", "insecure", "transport", "too_large"]) {
  Deno.test(`a null SDK answering every request with "${mode}" passes no sdk check`, async () => {
    const run = await sdkRun({
      driverCommand: [Deno.execPath(), "run", "--no-config", DRIVER, mode],
      seed: 1,
      concurrency: 8,
      checks: sdkChecks.filter((c) => !c.requires.includes("ts_module")),
    });
    assert.ok(run.ok, run.ok ? "" : run.detail);
    const passed = run.results.filter((r) => r.verdict.outcome === "pass").map((r) => r.id);
    assert.deepEqual(passed, [], `checks that passed a null SDK (${mode}): ${passed.join(", ")}`);
    assert.ok(run.results.length >= 45, `expected >= 45 applicable results, got ${run.results.length}`);
  });
}
