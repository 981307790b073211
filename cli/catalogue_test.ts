import assert from "node:assert/strict";
import { catalogue, checkTable, staleCatalogue } from "./catalogue.ts";
import { PROFILES } from "./profiles.ts";

Deno.test("docs/CHECKS.md and README's table are generated from the check definitions and current", async () => {
  assert.deepEqual(await staleCatalogue(), [], "run: deno task catalogue");
});

Deno.test("the catalogue lists every check of every profile with its rationale, source and mutants", () => {
  const doc = catalogue();
  const table = checkTable();
  for (const p of PROFILES) {
    for (const c of p.checks) {
      assert.ok(doc.includes(`\`${c.id}\``) && table.includes(`\`${c.id}\``), c.id);
      assert.ok(c.rationale && c.rationale.length >= 20, `${c.id} has no rationale`);
      assert.ok(c.mutants.length > 0, `${c.id} names no mutant that must fail it`);
    }
  }
});
