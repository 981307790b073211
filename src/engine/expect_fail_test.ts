import assert from "node:assert/strict";
import { applyExpectations, describeProblem, fixExpectations, parseExpectations } from "./expect_fail.ts";
import type { CheckResult, Level, Verdict } from "./types.ts";

function r(id: string, verdict: Verdict, level: Level = "MUST"): CheckResult {
  return { id, title: id, level, source: "000", verdict, durationMs: 1 };
}
const pass: Verdict = { outcome: "pass", evidence: {} };
const fail: Verdict = { outcome: "fail", reason: "x", evidence: {} };
const err: Verdict = { outcome: "error", reason: "x" };
const known = new Set(["sdk.a.a", "sdk.a.b", "sdk.a.c", "sdk.a.d"]);

Deno.test("parseExpectations() reads ids, comments and blank lines", () => {
  const p = parseExpectations("# header\n\nsdk.a.a\n  sdk.a.b   # why\nsdk.a.a\n");
  assert.ok(p.ok);
  assert.deepEqual(p.value.ids, ["sdk.a.a", "sdk.a.b"]);
  assert.equal(p.value.lines.length, 5);
});

Deno.test("parseExpectations() rejects a line that is not an id", () => {
  const p = parseExpectations("sdk.a.a\nthis is prose\n");
  assert.ok(!p.ok && p.error.line === 2);
});

Deno.test("applyExpectations(): a listed failure does not fail the run", () => {
  const o = applyExpectations([r("sdk.a.a", fail), r("sdk.a.b", err), r("sdk.a.c", pass)], [
    "sdk.a.a",
    "sdk.a.b",
  ], known);
  assert.equal(o.exitCode, 0);
  assert.deepEqual(o.expectedFailures, ["sdk.a.a", "sdk.a.b"]);
});

Deno.test("applyExpectations(): an unlisted MUST failure or error fails the run, a SHOULD one does not", () => {
  assert.equal(applyExpectations([r("sdk.a.a", fail)], [], known).exitCode, 1);
  assert.equal(applyExpectations([r("sdk.a.a", err)], [], known).exitCode, 1);
  assert.equal(applyExpectations([r("sdk.a.a", fail, "SHOULD")], [], known).exitCode, 0);
  assert.equal(
    applyExpectations([r("sdk.a.a", { outcome: "not_applicable", reason: "x" })], [], known).exitCode,
    0,
  );
});

Deno.test("applyExpectations(): a listed check that passes, or an unknown id, fails the run", () => {
  const o = applyExpectations([r("sdk.a.a", pass)], ["sdk.a.a", "sdk.zz.top"], known);
  assert.equal(o.exitCode, 1);
  assert.deepEqual(o.problems, [{ code: "now_passes", id: "sdk.a.a" }, {
    code: "unknown_id",
    id: "sdk.zz.top",
  }]);
  assert.ok(describeProblem(o.problems[1]!).includes("no check"));
});

Deno.test("applyExpectations(): a known id outside --only is not stale", () => {
  const o = applyExpectations([r("sdk.a.a", pass)], ["sdk.a.d"], known);
  assert.equal(o.exitCode, 0);
});

Deno.test("fixExpectations() rewrites the file to match the run", () => {
  const p = parseExpectations(
    "# keep me\nsdk.a.a # now passes\nsdk.zz.top\nsdk.a.b # still fails\nsdk.a.d\n",
  );
  assert.ok(p.ok);
  const text = fixExpectations(p.value, [r("sdk.a.a", pass), r("sdk.a.b", fail), r("sdk.a.c", err)], known);
  assert.equal(text, "# keep me\nsdk.a.b # still fails\nsdk.a.d\nsdk.a.c\n");
  const again = parseExpectations(text);
  assert.ok(again.ok);
  const o = applyExpectations(
    [r("sdk.a.a", pass), r("sdk.a.b", fail), r("sdk.a.c", err)],
    again.value.ids,
    known,
  );
  assert.equal(o.exitCode, 0);
});
