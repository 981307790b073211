import assert from "node:assert/strict";
import { svcAreas, svcChecks } from "./mod.ts";

Deno.test("every svc.<area>.<name> check is defined in conformance/svc/<area>.ts", async () => {
  for (const [area, checks] of Object.entries(svcAreas)) {
    assert.ok(checks.length > 0, `${area}.ts has no checks`);
    const source = await Deno.readTextFile(new URL(`./${area}.ts`, import.meta.url));
    for (const c of checks) {
      assert.equal(c.id.split(".")[1], area, `${c.id} is listed by ${area}.ts`);
      assert.ok(source.includes(`id: "${c.id}"`), `${c.id} is not defined in ${area}.ts`);
    }
  }
});

Deno.test("every area file ends with its exported checks list", async () => {
  for (const area of Object.keys(svcAreas)) {
    const source = await Deno.readTextFile(new URL(`./${area}.ts`, import.meta.url));
    const last = source.trimEnd().split("\n").findLastIndex((l) => l.startsWith("export const checks"));
    const tail = source.trimEnd().split("\n").slice(last).join("\n");
    assert.match(tail, /^export const checks: readonly Check<SvcContext>\[\] = \[[\s\w,]*\];$/, area);
  }
});

Deno.test("svcChecks is every area's checks, once each, sorted by id", () => {
  const all = Object.values(svcAreas).flat();
  assert.equal(svcChecks.length, all.length);
  assert.deepEqual(new Set(svcChecks), new Set(all));
  assert.equal(new Set(svcChecks.map((c) => c.id)).size, svcChecks.length);
  assert.deepEqual(svcChecks.map((c) => c.id), all.map((c) => c.id).sort((a, b) => a.localeCompare(b)));
});

Deno.test("every svc check says why its rule matters", () => {
  for (const c of svcChecks) {
    assert.ok((c.rationale ?? "").length >= 40, `${c.id} has no rationale`);
    assert.ok(!/shared\/|DESIGN\.md|CHECKS\.md/.test(c.rationale ?? ""), `${c.id} cites a brief`);
  }
});
