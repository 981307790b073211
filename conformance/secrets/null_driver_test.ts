/**
 * The positive control of the secrets profile: a driver that declares every capability and answers
 * every op at once, never touching the network (with a value, or with a typed refusal), must not
 * pass a single `secrets.*` check. A check that passed it would be judging nothing.
 */
import assert from "node:assert/strict";
import { runChecks } from "../../src/engine/runner.ts";
import { openSecretsTarget } from "./_session.ts";
import { secretsChecks } from "./mod.ts";

const DRIVER = new URL("./testdata/null_driver.ts", import.meta.url).pathname;

for (const mode of ["ok", "denied", "pdp_unavailable", "version_deleted"]) {
  Deno.test(`a null secrets SDK answering every get_secret with "${mode}" passes no secrets check`, async () => {
    const open = await openSecretsTarget([Deno.execPath(), "run", "--no-config", DRIVER, mode], 1);
    assert.ok(open.ok, open.ok ? "" : open.error);
    const t = open.value;
    try {
      const results = await runChecks(secretsChecks, {
        concurrency: 8,
        seed: 1,
        capabilities: t.capabilities,
        makeContext: t.makeContext,
      });
      assert.equal(results.length, secretsChecks.length);
      const passed = results.filter((r) => r.verdict.outcome === "pass").map((r) => r.id);
      assert.deepEqual(passed, [], `checks that passed a null secrets SDK (${mode}): ${passed.join(", ")}`);
      assert.ok(results.every((r) => r.verdict.outcome !== "not_applicable"));
    } finally {
      await t.close();
    }
  });
}
