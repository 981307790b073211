/**
 * Schema-driven request bodies for `svc.prop.fuzz` when the write route came from an OpenAPI
 * document: fast-check values shaped by the (inlined) request schema — types, bounds, enums,
 * formats, required properties — and invalid variants of them (a property retyped, a required one
 * dropped, an unknown one added), any JSON, or a broken JSON text. Seeded by the check's `fc.check`
 * seed; bounded (nesting ≤ 4, strings ≤ 64 characters, arrays ≤ 4 items).
 *
 * @module
 */
import fc from "fast-check";
import type { Json } from "./_openapi_doc.ts";
import { exampleFor, schemaType } from "./_openapi_example.ts";

const MAX_DEPTH = 4;
const MAX_STRING = 64;

function isObj(v: unknown): v is Json {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function n(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/**
 * Values a schema admits (closely: a `pattern` is not solved, `multipleOf` is ignored).
 *
 * @param s the inlined schema
 * @param depth the nesting so far
 * @returns the arbitrary
 */
export function schemaValue(s: Json, depth = 0): fc.Arbitrary<unknown> {
  if (depth > MAX_DEPTH) return fc.jsonValue({ maxDepth: 1 });
  if (Object.hasOwn(s, "const")) return fc.constant(s["const"]);
  if (Array.isArray(s["enum"]) && s["enum"].length > 0) return fc.constantFrom(...s["enum"].slice(0, 50));
  for (const k of ["oneOf", "anyOf"]) {
    const alts = Array.isArray(s[k]) ? s[k].filter(isObj).slice(0, 8) : [];
    if (alts.length > 0) return fc.oneof(...alts.map((a) => schemaValue(a, depth + 1)));
  }
  if (Array.isArray(s["allOf"])) {
    const ex = exampleFor(s);
    return ex === undefined ? fc.jsonValue({ maxDepth: 1 }) : fc.constant(ex.value);
  }
  switch (schemaType(s)) {
    case "object": {
      const props = isObj(s["properties"]) ? s["properties"] : {};
      const req = new Set(
        Array.isArray(s["required"]) ? s["required"].filter((x) => typeof x === "string") : [],
      );
      const entries = Object.entries(props).filter((e): e is [string, Json] => isObj(e[1])).slice(0, 40);
      return fc.record(Object.fromEntries(entries.map(([k, p]) => [k, schemaValue(p, depth + 1)])), {
        requiredKeys: entries.map(([k]) => k).filter((k) => req.has(k)),
      });
    }
    case "array": {
      const min = Math.min(n(s["minItems"]) ?? 0, 4);
      const max = Math.max(min, Math.min(n(s["maxItems"]) ?? 4, 4));
      return fc.array(schemaValue(isObj(s["items"]) ? s["items"] : {}, depth + 1), {
        minLength: min,
        maxLength: max,
      });
    }
    case "string": {
      const ex = exampleFor(s);
      const min = Math.min(n(s["minLength"]) ?? 0, MAX_STRING);
      const max = Math.max(min, Math.min(n(s["maxLength"]) ?? MAX_STRING, MAX_STRING));
      const any = fc.string({ minLength: min, maxLength: max });
      return ex === undefined ? any : fc.oneof(fc.constant(ex.value), any);
    }
    case "integer": {
      const min = Math.max(n(s["minimum"]) ?? -1e9, Number.MIN_SAFE_INTEGER);
      const max = Math.min(n(s["maximum"]) ?? 1e9, Number.MAX_SAFE_INTEGER);
      return min <= max ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) }) : fc.integer();
    }
    case "number": {
      const min = n(s["minimum"]) ?? -1e9;
      const max = n(s["maximum"]) ?? 1e9;
      return min <= max ? fc.double({ min, max, noNaN: true }) : fc.double({ noNaN: true });
    }
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** A value of any JSON type, bounded: what a fuzzed property gets instead of a valid one. */
export const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
);

/**
 * Request bodies for the write route from its schema: valid ones, one-property-wrong ones, any
 * JSON, broken JSON text.
 *
 * @param schema the write route's inlined request schema
 * @returns an arbitrary of `{json}` or `{text}` (the shape `svc.prop.fuzz` sends)
 * @example
 * ```ts
 * import fc from "fast-check";
 * import { schemaBodyArbitrary } from "./_openapi_fuzz.ts";
 * const arb = schemaBodyArbitrary({ type: "object", required: ["n"], properties: { n: { type: "integer", minimum: 1 } } });
 * const xs = fc.sample(arb, { seed: 1, numRuns: 20 });
 * if (xs.length !== 20) throw new Error();
 * ```
 */
export function schemaBodyArbitrary(schema: Json): fc.Arbitrary<{ json: unknown } | { text: string }> {
  const valid = schemaValue(schema);
  const keys = isObj(schema["properties"]) ? Object.keys(schema["properties"]).slice(0, 40) : [];
  const mutated = fc.tuple(valid, fc.nat(), fc.constantFrom("retype", "drop", "extra"), wrongValue)
    .map(([v, i, how, wrong]) => {
      if (!isObj(v)) return v;
      const o: Json = { ...v };
      const k = keys.length > 0 ? keys[i % keys.length] as string : undefined;
      if (how === "retype" && k !== undefined) o[k] = wrong;
      else if (how === "drop" && k !== undefined) delete o[k];
      else o[`conformance_kit_extra_${i % 100}`] = wrong;
      return o;
    });
  return fc.oneof(
    { weight: 4, arbitrary: valid.map((json) => ({ json })) },
    { weight: 4, arbitrary: mutated.map((json) => ({ json })) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((json) => ({ json })) },
    { weight: 1, arbitrary: fc.string({ maxLength: 60 }).map((text) => ({ text })) },
  );
}
