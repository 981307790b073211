import assert from "node:assert/strict";
import { cachedBytes, matcherFor } from "./_canary_compile.ts";
import { newCanary } from "./canary.ts";

Deno.test("the matcher cache stays within its byte bound however many canary sets a run makes", () => {
  const sets = Array.from({ length: 80 }, () => Array.from({ length: 20 }, () => newCanary()));
  for (const s of sets) matcherFor(s);
  assert.ok(cachedBytes() <= 16 * 1024 * 1024 + matcherFor(sets[79]!).bytes, `${cachedBytes()} bytes cached`);
  // the most recent set is still cached (same object), an evicted one is compiled again
  assert.equal(matcherFor(sets[79]!), matcherFor([...sets[79]!]));
  assert.ok(matcherFor(sets[78]!).bytes > 0);
});

Deno.test("a matcher's size estimate grows with its canaries", () => {
  const one = matcherFor([newCanary()]).bytes;
  const many = matcherFor(Array.from({ length: 50 }, () => newCanary())).bytes;
  assert.ok(many > one + 49 * 100 * 200 * 0.5, `${one} → ${many}`);
});

Deno.test("a set grown a canary at a time extends the last matcher to what compiling it whole gives", () => {
  const [a, b, c] = [newCanary(), newCanary(), newCanary()];
  const first = matcherFor([a!]);
  matcherFor([a!, b!]);
  const grown = matcherFor([a!, b!, c!, a!]);
  assert.equal(grown, first, "extended in place");
  const whole = matcherFor([c!, b!, a!]);
  assert.notEqual(whole, grown);
  assert.deepEqual(grown.table, whole.table);
  assert.deepEqual(grown.bits, whole.bits);
  assert.deepEqual(grown.gramBits0, whole.gramBits0);
  assert.deepEqual(grown.gramBits1, whole.gramBits1);
  assert.deepEqual([...grown.included].sort(), [...whole.included].sort());
  for (const k of ["byHash0", "byHash1", "grams0"] as const) {
    const size = (m: typeof grown) => [...m[k].values()].reduce((n, l) => n + l.length, 0);
    assert.equal(size(grown), size(whole), k);
  }
  // the shorter set, asked again, is compiled again: it finds only its own canary
  assert.deepEqual([...matcherFor([a!]).included], [a]);
});
