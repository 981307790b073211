import assert from "node:assert/strict";
import { checkTable, readmeIsCurrent } from "./readme_table.ts";

Deno.test("README's check table is generated from the registry and current", async () => {
  assert.ok(await readmeIsCurrent(), "run: deno run -A conformance/readme_table.ts");
});

Deno.test("the check table lists every catalogue id from CHECKS.md", async () => {
  const table = checkTable();
  const catalogue = new URL("../../shared/CHECKS.md", import.meta.url);
  // shared/ stands beside the project root on developer machines and in CI.
  const text = await Deno.readTextFile(catalogue);
  const ids = [...text.matchAll(/^\| ((?:sdk|chaos|svc)\.[a-z0-9.-]+) \|/gm)].map((m) => m[1]);
  assert.ok(ids.length >= 80, `expected the catalogue to list >= 80 ids, found ${ids.length}`);
  const missing = ids.filter((id) => !table.includes(`\`${id}\``));
  assert.deepEqual(missing, []);
});
