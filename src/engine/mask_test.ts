import assert from "node:assert/strict";
import { findRawCanary, maskDeep, maskTree } from "./mask.ts";
import { newCanary } from "../driver/canary.ts";
import type { CheckResult } from "./types.ts";

Deno.test("maskTree() masks every string of a result tree, at any depth", () => {
  const c = newCanary();
  const b64 = btoa(c);
  const result: CheckResult = {
    id: "sdk.caps.not-in-logs",
    title: "t",
    level: "MUST",
    source: "000",
    durationMs: 3,
    verdict: {
      outcome: "fail",
      reason: `token ${c} leaked`,
      evidence: {
        requests: [{
          t: 1,
          method: "GET",
          path: `/s/x?token=${encodeURIComponent(c)}`,
          query: `token=${c}`,
          headers: { authorization: `Bearer ${c}`, [`x-${c}`]: "k" },
          bodySize: 0,
          body: b64,
          connection: "c1",
          listener: "https",
        }],
        reply: { error: { message: `bad ${c.slice(3, 20)}`, details: { deep: [[{ v: c }]] } } },
        output: [`debug: Authorization: Bearer ${c}`],
        leaks: [{ where: "driver stderr", form: "raw", excerpt: c }],
        notes: [c],
      },
    },
  };
  const masked = maskTree(result, [c]);
  const text = JSON.stringify(masked);
  assert.equal(text.includes(c), false);
  assert.equal(text.includes(b64), false);
  assert.equal(text.includes(c.slice(5, 17)), false);
  assert.ok(text.includes("<canary>"));
  assert.equal(findRawCanary(text, [c]), undefined);
  // the input is not changed
  assert.ok(JSON.stringify(result).includes(c));
});

Deno.test("maskDeep() keeps non-strings and cuts cycles", () => {
  const a: Record<string, unknown> = { n: 1, b: true, z: null };
  a.self = a;
  const out = maskDeep(a, (s) => s.toUpperCase());
  assert.deepEqual(out, { N: 1, B: true, Z: null, SELF: "[cycle]" });
});
