import assert from "node:assert/strict";
import { runMatrix } from "./_selftest_matrix.ts";
import { PROFILES } from "./profiles.ts";
import type { Profile } from "../src/engine/profile.ts";

Deno.test("runMatrix: a profile that cannot start runs no rows, and the next profile's rows still all report", async () => {
  const rpc = PROFILES.find((p) => p.name === "rpc");
  assert.ok(rpc);
  // the failing profile comes first in output order: its rows must not hold back the others' onRow
  const broken: Profile = {
    ...rpc,
    name: "nostart",
    start: () => Promise.resolve({ ok: false, error: "no tool here", unavailable: true }),
  };
  const reported: string[] = [];
  const r = await runMatrix([broken, rpc], { seed: 1, jobs: 4, onRow: (row) => reported.push(row.mutant) });
  assert.deepEqual(r.profiles.get("nostart"), { ok: false, error: "no tool here", unavailable: true });
  const mine = r.profiles.get("rpc");
  assert.ok(mine?.ok, JSON.stringify(mine));
  assert.ok(mine.rows.length > 1);
  assert.deepEqual(reported, mine.rows.map((row) => row.mutant), "every rpc row reported, in row order");
  assert.ok(r.times.every((t) => t.name.startsWith("rpc:")), "no time for rows that never ran");
});
