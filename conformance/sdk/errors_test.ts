/**
 * A driver that reports one Problem field under a wrong name must fail every Problem check, and
 * the failure must name each fixture it breaks with that field's expected and actual value.
 */
import assert from "node:assert/strict";
import { sdkRun } from "../../src/engine/sdk_target.ts";
import type { CheckResult, Verdict } from "../../src/engine/types.ts";
import { parseProblem } from "../../src/schema/problem.ts";
import { checks, problemCases } from "./errors.ts";

const DRIVER = new URL("./testdata/rename_driver.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;
const IDS = ["sdk.errors.problem", "sdk.errors.rfc9457", "sdk.errors.parse"];

Deno.test("a driver that renames kind fails every Problem check, listing each affected fixture and field", async () => {
  const run = await sdkRun({
    driverCommand: [
      Deno.execPath(),
      "run",
      "--allow-net=127.0.0.1,127.0.0.2,localhost",
      "--allow-env",
      "--allow-read",
      "--allow-write",
      "--config",
      CONFIG,
      DRIVER,
      "kind",
      "category",
    ],
    seed: 1,
    concurrency: 3,
    checks: checks.filter((c) => IDS.includes(c.id)),
  });
  if (!run.ok) throw new Error(run.detail);
  const cases = await problemCases();
  for (const id of IDS) {
    const r: CheckResult | undefined = run.results.find((x) => x.id === id);
    const v: Verdict | undefined = r?.verdict;
    if (v?.outcome !== "fail") throw new Error(`${id} must fail: ${JSON.stringify(v)}`);
    const judged = cases.filter((c) => (id === "sdk.errors.rfc9457") === (c.file === "rfc9457.json"));
    // the reference reads these as Problems, so each one loses its kind
    const affected = judged.filter((c) => parseProblem(c).ok);
    assert.ok(affected.length > 5 && affected.length <= 20, `${affected.length} affected fixtures`);
    assert.match(v.reason, new RegExp(`; ${affected.length} of ${judged.length} fixtures differ: `));
    for (const c of affected) {
      const at = v.reason.indexOf(`fixture "${c.name}" (status ${c.status}): kind: expected `);
      assert.ok(at >= 0, `${id}: the reason names "${c.name}" and its kind`);
      assert.match(
        v.reason.slice(at).split(/ \[\d+\] fixture /)[0] ?? "",
        /kind: expected .*, got <absent>$/,
      );
    }
    const notes: string[] = v.evidence.notes ?? [];
    assert.equal(notes.length, affected.length);
    for (const n of notes) {
      assert.match(n, /kind DIFFERS: expected .*, got <absent>/);
      assert.match(n, /code ok: expected /);
    }
  }
});
