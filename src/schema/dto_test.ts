import assert from "node:assert/strict";
import fc from "fast-check";
import { canonicalJson, decodeDto, DTO_ERROR_CODES, DTO_TYPES, encodeDto } from "./dto.ts";

const APP = { name: "a", version: "1", status: "ok", uptime_s: "1" };

Deno.test("canonicalJson() sorts keys at every depth and writes no whitespace", () => {
  assert.equal(
    canonicalJson({ b: 1, a: [{ z: null, y: "é\n" }], "": true }),
    '{"":true,"a":[{"y":"é\\n","z":null}],"b":1}',
  );
  assert.equal(canonicalJson({ a: undefined, b: [undefined] }), '{"b":[null]}');
  assert.throws(() => canonicalJson(1n), TypeError);
  assert.throws(() => canonicalJson(Number.NaN), TypeError);
  assert.throws(() => canonicalJson({ f: () => 1 }), TypeError);
});

Deno.test("canonicalJson() is a fixed point and agrees with JSON.parse (fast-check, seed 42)", () => {
  fc.assert(
    fc.property(fc.jsonValue(), (v) => {
      const c = canonicalJson(v);
      assert.equal(canonicalJson(JSON.parse(c)), c);
      assert.deepEqual(JSON.parse(c), JSON.parse(JSON.stringify(v)));
    }),
    { seed: 42, numRuns: 300 },
  );
});

Deno.test("every u64 travels exactly as a decimal string (fast-check, seed 42)", () => {
  const max = (1n << 64n) - 1n;
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max }), (n) => {
      const r = decodeDto("app_info", { ...APP, uptime_s: n.toString() });
      assert.ok(r.ok);
      assert.equal(BigInt((encodeDto("app_info", r.value) as { uptime_s: string }).uptime_s), n);
    }),
    { seed: 42, numRuns: 300 },
  );
  fc.assert(
    fc.property(fc.bigInt({ min: max + 1n, max: max * 1000n }), (n) => {
      const r = decodeDto("app_info", { ...APP, uptime_s: n.toString() });
      assert.ok(!r.ok && r.error.code === "invalid_u64");
    }),
    { seed: 42, numRuns: 100 },
  );
});

Deno.test("decodeDto() never throws and its error messages never quote values (fast-check, seed 42)", () => {
  const marker = "ronc_dto_marker_value";
  const value = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant(marker));
  const obj = fc.dictionary(
    fc.constantFrom("name", "version", "status", "uptime_s", "seq", "items", "x"),
    value,
  );
  fc.assert(
    fc.property(fc.constantFrom(...DTO_TYPES, "nope"), fc.oneof(obj, value), (type, json) => {
      const r = decodeDto(type, json);
      if (!r.ok) {
        assert.ok(DTO_ERROR_CODES.includes(r.error.code));
        assert.ok(!r.error.message.includes(marker));
      }
    }),
    { seed: 42, numRuns: 300 },
  );
});

Deno.test("encodeDto() drops unknown members and throws on an invalid DTO", () => {
  assert.equal(JSON.stringify(encodeDto("app_info", { ...APP, extra: 1 })), canonicalJson(APP));
  assert.throws(() => encodeDto("app_info", { ...APP, uptime_s: 1 }), TypeError);
  assert.throws(() => encodeDto("nope", {}), TypeError);
});
