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
