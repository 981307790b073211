/**
 * An observed violation is a `fail`, whatever happens after it: an SDK that logs its token (and
 * quotes it in errors) and then hangs, dies or breaks the protocol must fail the leak checks with a
 * reason that names the leak, not get an `error` for the hang. A check whose rule the leak does not
 * break still gets an `error` (the hang is not its violation).
 */
import assert from "node:assert/strict";
import { sdkRun } from "../../src/engine/sdk_target.ts";
import type { Verdict } from "../../src/engine/types.ts";
import { sdkChecks } from "./mod.ts";

const DRIVER = new URL("./testdata/leaky_driver.ts", import.meta.url).pathname;
const IDS = ["sdk.caps.not-in-logs", "sdk.caps.not-in-errors", "sdk.correlation.request-id"];

async function run(mode: string): Promise<Map<string, Verdict>> {
  const r = await sdkRun({
    driverCommand: [Deno.execPath(), "run", "--no-config", "--allow-net=127.0.0.1,127.0.0.2", DRIVER, mode],
    seed: 1,
    concurrency: 3,
    checks: sdkChecks.filter((c) => IDS.includes(c.id)),
  });
  assert.ok(r.ok, r.ok ? "" : r.detail);
  return new Map(r.results.map((x) => [x.id, x.verdict]));
}

function reason(v: Verdict | undefined): string {
  return v && v.outcome !== "pass" ? v.reason : "";
}

const ENDINGS = { hang: "hangs", exit: "exits", malformed: "breaks the protocol" } as const;

for (const [mode, ending] of Object.entries(ENDINGS)) {
  Deno.test(`a token leak seen before the driver ${ending} is a fail`, async () => {
    const v = await run(mode);
    const logs = v.get("sdk.caps.not-in-logs");
    assert.equal(logs?.outcome, "fail", reason(logs));
    assert.match(reason(logs), /output.*found it \d+ time\(s\), first in driver stderr/);
    assert.match(reason(logs), /then the check ended early/);
    const errors = v.get("sdk.caps.not-in-errors");
    assert.equal(errors?.outcome, "fail", reason(errors));
    assert.match(reason(errors), /errors must never carry the token; found it \d+ time\(s\), first in reply/);
    const other = v.get("sdk.correlation.request-id");
    assert.equal(other?.outcome, "error", `not this check's rule: ${reason(other)}`);
  });
}

Deno.test("a token logged by a configure that never answers is a fail of sdk.caps.not-in-logs", async () => {
  const v = await run("configure-hang");
  const logs = v.get("sdk.caps.not-in-logs");
  assert.equal(logs?.outcome, "fail", reason(logs));
  assert.match(
    reason(logs),
    /first in driver stderr; then the check ended early: driver did not answer configure/,
  );
  assert.equal(v.get("sdk.caps.not-in-errors")?.outcome, "error");
});
