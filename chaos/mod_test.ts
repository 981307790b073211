import assert from "node:assert/strict";
import { chaosAreas, chaosChecks } from "./mod.ts";

const CATALOGUE = [
  "chaos.latency",
  "chaos.half-open",
  "chaos.reset",
  "chaos.down",
  "chaos.slicer",
  "chaos.truncated",
  "chaos.bandwidth",
  "chaos.flaky",
];

Deno.test("chaosChecks keeps the catalogue's ids and order", () => {
  assert.deepEqual(chaosChecks.map((c) => c.id), CATALOGUE);
  assert.deepEqual(Object.values(chaosAreas).flat(), chaosChecks);
});

Deno.test("chaos.<name> is defined in chaos/<name>.ts (- written _), which ends with its checks list", async () => {
  for (const [file, checks] of Object.entries(chaosAreas)) {
    assert.equal(checks.length, 1, file);
    const id = `chaos.${file.replaceAll("_", "-")}`;
    assert.deepEqual(checks.map((c) => c.id), [id]);
    const source = (await Deno.readTextFile(new URL(`./${file}.ts`, import.meta.url))).trimEnd();
    assert.ok(source.includes(`id: "${id}"`), `${id} is not defined in ${file}.ts`);
    assert.match(source, /\nexport const checks: readonly Check<SdkContext>\[\] = \[\w+\];$/, file);
  }
});

Deno.test("every chaos check says why its rule matters", () => {
  for (const c of chaosChecks) assert.ok((c.rationale ?? "").length >= 40, `${c.id} has no rationale`);
});
