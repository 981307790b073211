import assert from "node:assert/strict";
import fc from "fast-check";
import { canaryForms } from "./canary.ts";
import { findSpansFast } from "./_canary_fast.ts";
import { findSpansSimple } from "./_canary_simple.ts";

const CANARIES = [
  "ronc_3f9a1c07d2e84b6a95c0f1e27d3b8a46",
  "ronc_00112233445566778899aabbccddeeff",
  "other-canary-000000",
  "ronc_fuzzsecret_0123456789abcdef",
  "tok+en/with=url&chars_0123",
];
const SEPARATORS = [" ", "\u0000", "\u200b", "-", ":", "%", "\n", "\t", "\u2028", "\ufeff"];

/** Text around canaries: every known form, near-forms (cut, case-changed, separated), noise. */
function textArb(): fc.Arbitrary<string> {
  const forms = CANARIES.flatMap((c) => canaryForms(c).map((f) => f.text));
  const form = fc.constantFrom(...forms);
  const cut = fc.tuple(form, fc.nat(), fc.nat()).map(([s, a, b]) =>
    s.slice(a % s.length, s.length - (b % 8))
  );
  const cased = form.map((s) => s.toUpperCase());
  const separated = fc.tuple(
    form,
    fc.array(fc.tuple(fc.nat(), fc.constantFrom(...SEPARATORS)), { maxLength: 12 }),
  )
    .map(([s, seps]) => {
      let out = s;
      for (const [at, sep] of seps) {
        const i = at % (out.length + 1);
        out = out.slice(0, i) + sep + out.slice(i);
      }
      return out;
    });
  const mutated = fc.tuple(form, fc.nat(), fc.constantFrom("x", "0", "a", "+", "/", "=", "_", "é", "\u0000"))
    .map((
      [s, at, ch],
    ) => {
      const i = at % s.length;
      return s.slice(0, i) + ch + s.slice(i + 1);
    });
  const hex = fc.stringMatching(/^[0-9a-fA-F]{0,80}$/);
  const b64 = fc.stringMatching(/^[A-Za-z0-9+/=_-]{0,80}$/);
  const noise = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: "binary", maxLength: 40 }),
    fc.constantFrom(...SEPARATORS).map((s) => s.repeat(13)),
    hex,
    b64,
  );
  const piece = fc.oneof(
    { weight: 3, arbitrary: form },
    { weight: 2, arbitrary: cut },
    { weight: 1, arbitrary: cased },
    { weight: 2, arbitrary: separated },
    { weight: 2, arbitrary: mutated },
    { weight: 4, arbitrary: noise },
  );
  return fc.array(piece, { maxLength: 12 }).map((p) => p.join(""));
}

Deno.test("the fast canary scanner finds exactly what the simple one finds (fast-check, seed 18)", () => {
  const sets = fc.subarray(CANARIES, { minLength: 1 });
  const forms = new Set<string>();
  let found = 0;
  fc.assert(
    fc.property(textArb(), sets, (text, canaries) => {
      const simple = findSpansSimple(text, canaries);
      assert.deepEqual(findSpansFast(text, canaries), simple);
      // the same text repeated past 1 KiB: samples fall at every alignment
      const long = text.length === 0 ? "" : text.repeat(Math.ceil(1100 / text.length));
      assert.deepEqual(findSpansFast(long, canaries), findSpansSimple(long, canaries));
      if (simple.length > 0) found++;
      for (const s of simple) forms.add(s.form);
    }),
    { seed: 18, numRuns: 3000 },
  );
  // the generator is worth something: most texts hold a canary, in every form the kit names
  assert.ok(found > 1500, `only ${found} of 3000 texts held a canary`);
  assert.deepEqual([...forms].sort(), [
    "base64",
    "case-changed",
    "fragment",
    "hex",
    "raw",
    "separated",
    "url-encoded",
  ]);
});

Deno.test("the fast canary scanner agrees on long hostile texts (hex, base64, separators, many matches)", () => {
  const c = CANARIES[0]!;
  const texts = [
    "0123456789abcdef ".repeat(5000) + c + " deadbeef".repeat(100),
    "a\u200b".repeat(20000) + [...c].join("\u200b"),
    `${c} `.repeat(2000),
    canaryForms(c).map((f) => f.text).join(""),
    canaryForms(c).map((f) => f.text).join("\n"),
    btoa("x".repeat(30000) + c + "y".repeat(10)),
    [...c.toUpperCase()].join("\u0000").repeat(50),
  ];
  for (const t of texts) {
    for (const set of [[c], CANARIES]) assert.deepEqual(findSpansFast(t, set), findSpansSimple(t, set));
  }
});
