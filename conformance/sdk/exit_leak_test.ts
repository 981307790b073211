/**
 * A token written while the driver exits — in HOME, or in the system temp folder outside its
 * TMPDIR — is found by `sdk.caps.not-on-disk`: the check ends the driver before it scans.
 */
import assert from "node:assert/strict";
import { sdkRun } from "../../src/engine/sdk_target.ts";
import { sdkChecks } from "./mod.ts";

const DRIVER = new URL("./testdata/exit_leak_driver.ts", import.meta.url).pathname;

for (const mode of ["home", "systemp"]) {
  Deno.test({
    name: `a token written at exit (${mode}) fails sdk.caps.not-on-disk`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const run = await sdkRun({
        driverCommand: [Deno.execPath(), "run", "--allow-all", "--no-config", DRIVER, mode],
        seed: 1,
        checks: sdkChecks.filter((c) => c.id === "sdk.caps.not-on-disk"),
      });
      assert.ok(run.ok, run.ok ? "" : run.detail);
      const v = run.results[0]?.verdict;
      assert.equal(v?.outcome, "fail", JSON.stringify(v));
      assert.match(
        v?.outcome === "fail" ? v.reason : "",
        mode === "home" ? /HOME\/at-exit\.txt/ : /system temp/,
      );
      for (const e of Deno.readDirSync("/tmp")) {
        if (e.name.startsWith("ron-exit-leak-test-")) Deno.removeSync(`/tmp/${e.name}`);
      }
    },
  });
}
