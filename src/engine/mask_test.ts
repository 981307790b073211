import assert from "node:assert/strict";
import { boundTree, capText, EVIDENCE_BOUNDS, findUnmasked, maskDeep, maskTree } from "./mask.ts";
import { findCanaries, newCanary } from "../driver/canary.ts";
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
        output: [`debug: Authorization: Bearer ${c}`, `DEBUG AUTHORIZATION: BEARER ${c.toUpperCase()}`],
        leaks: [{ where: "driver stderr", form: "raw", excerpt: c }],
        notes: [c, Array.from(c).join("\u200b")],
      },
    },
  };
  const masked = maskTree(result, [c]);
  const text = JSON.stringify(masked);
  assert.equal(text.includes(c), false);
  assert.equal(text.includes(b64), false);
  assert.equal(text.includes(c.slice(5, 17)), false);
  assert.ok(text.includes("BEARER <canary>"));
  assert.equal(findUnmasked(text, [c]), undefined);
  assert.deepEqual(findCanaries(text, [c]), []);
  // the input is not changed
  assert.ok(JSON.stringify(result).includes(c));
});

Deno.test("maskDeep() keeps non-strings, key order and __proto__ keys, and cuts cycles", () => {
  const a: Record<string, unknown> = { n: 1, b: true, z: null };
  a.self = a;
  const out = maskDeep(a, (s) => s.toUpperCase());
  assert.deepEqual(out, { N: 1, B: true, Z: null, SELF: "[cycle]" });
  const shared = { k: "v" };
  assert.deepEqual(maskDeep({ x: shared, y: [shared, shared] }, (s) => s), {
    x: shared,
    y: [shared, shared],
  });
  const proto = maskDeep(JSON.parse('{"__proto__": {"polluted": "yes"}, "a": 1}'), (s) => s);
  assert.deepEqual(Object.keys(proto), ["__proto__", "a"]);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

Deno.test("maskTree() and boundTree() survive 100 000 levels of nesting (no stack overflow)", () => {
  const c = newCanary();
  let deep: unknown = { token: c };
  for (let i = 0; i < 100_000; i++) deep = i % 2 ? [deep] : { a: deep };
  const t0 = performance.now();
  const masked = maskTree({ reply: deep }, [c]);
  assert.ok(masked.reply !== deep);
  const { value, cut } = boundTree({ reply: deep }, [c]);
  assert.ok(performance.now() - t0 < 10_000);
  const text = JSON.stringify(value);
  assert.ok(text.length < 1000, text);
  assert.match(cut ?? "", /1 value\(s\) nested deeper than 32 cut \(first at \.reply/);
  assert.ok(text.includes("[… nested deeper than 32: cut]"));
});

Deno.test("boundTree() cuts strings, arrays, objects and the whole, keeps types, and says so", () => {
  const c = newCanary();
  const big = `${c} ${"x".repeat(10 * 1024 * 1024)}`;
  const ev = {
    reply: { body: big, items: Array.from({ length: 10_000 }, (_, i) => i) },
    headers: Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`h${i}`, `v${i}`])),
    output: Array.from({ length: 5000 }, () => "y".repeat(1000)),
  };
  const t0 = performance.now();
  const { value, cut } = boundTree(ev, [c]);
  assert.ok(performance.now() - t0 < 5000);
  const text = JSON.stringify(value);
  assert.ok(text.length < 100 * 1024, `${text.length} characters kept`);
  assert.ok(value.reply.body.startsWith("<canary> xxx"));
  assert.match(value.reply.body, /… 10\.\d MB cut$/);
  assert.equal(value.reply.items.length, EVIDENCE_BOUNDS.maxItems);
  assert.equal(typeof value.reply.items[0], "number");
  assert.equal(Object.keys(value.headers).length, EVIDENCE_BOUNDS.maxKeys);
  assert.ok(Array.isArray(value.output) && value.output.every((s) => typeof s === "string"));
  assert.match(cut ?? "", /string\(s\) cut to 4096 characters/);
  assert.match(cut ?? "", /array item\(s\) past 100 per array cut/);
  assert.match(cut ?? "", /object key\(s\) past 100 per object cut/);
  assert.match(cut ?? "", /text past 65536 characters in all cut/);
  assert.equal(boundTree({ a: ["b"] }, [c]).cut, undefined);
});

Deno.test("capText() masks before it cuts: a canary across the cut is not left in part", () => {
  const c = newCanary();
  for (let at = 80; at <= 100; at++) {
    const text = "x".repeat(at) + c + "y".repeat(1000);
    const out = capText(text, [c], 100);
    assert.deepEqual(findCanaries(out, [c]), [], out);
    assert.ok(!out.includes(c.slice(0, 8)), out);
  }
  const b64 = btoa(`Bearer ${c}`);
  const out = capText("z".repeat(70) + b64 + "z".repeat(1000), [c], 100);
  assert.ok(!out.includes(b64.slice(0, 20)), out);
});
