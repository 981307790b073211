import assert from "node:assert/strict";
import { parseFlags } from "./flags.ts";
import { MAX_SHARDS, parseShard, shardIds } from "./shard.ts";

Deno.test("parseShard accepts 1 ≤ K ≤ N ≤ 64 and refuses the rest with one line naming --shard", () => {
  assert.deepEqual(parseShard("1/1"), { ok: true, value: { index: 1, count: 1 } });
  assert.deepEqual(parseShard("64/64"), { ok: true, value: { index: 64, count: 64 } });
  for (const bad of ["0/4", "5/4", "1/65", "1/0", "a/4", "1/4/2", "1", "", " /4", "-1/4", "1.5/4"]) {
    const r = parseShard(bad);
    assert.equal(r.ok, false, bad);
    if (!r.ok) assert.match(r.error, /^--shard must be K\/N with 1 ≤ K ≤ N ≤ 64/);
  }
  assert.equal(MAX_SHARDS, 64);
});

Deno.test("--shard is a common flag; it cannot rewrite the expected-failures file", () => {
  const r = parseFlags(["--shard", "3/4", "--only", "svc.jwt"], []);
  assert.ok(r.ok);
  assert.deepEqual(r.value.common.shard, { index: 3, count: 4 });
  assert.equal(parseFlags(["--shard=5/4"], []).ok, false);
  const fix = parseFlags(["--shard", "1/2", "--expect-fail", "x.txt", "--fix-expectations"], []);
  assert.equal(fix.ok, false);
});

Deno.test("shardIds: the shards partition the ids, balanced within one, whatever the input order", () => {
  const ids = Array.from({ length: 103 }, (_, i) => `sdk.area${i % 7}.check-${(i * 37) % 103}`);
  for (const n of [1, 2, 4, 7, 64]) {
    const shards = Array.from({ length: n }, (_, k) => shardIds(ids, { index: k + 1, count: n }));
    assert.deepEqual(shards.flat().sort(), [...new Set(ids)].sort(), `n=${n}`);
    const sizes = shards.map((s) => s.length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `n=${n}: ${sizes}`);
    const reversed = Array.from(
      { length: n },
      (_, k) => shardIds([...ids].reverse(), { index: k + 1, count: n }),
    );
    assert.deepEqual(reversed, shards);
  }
});
