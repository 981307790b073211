/**
 * Example values from (inlined) OpenAPI schemas: the document's own `example`, `examples`,
 * `default`, `const` or first `enum` value when it has one, else a minimal valid value generated
 * from the schema (required properties only, bounds and formats respected; a `pattern` is not
 * solved, so a string under a pattern is "widget" or its length-fitted form). Used by
 * `_openapi_derive.ts`.
 *
 * @module
 */
import type { Json } from "./_openapi_doc.ts";

const MAX_DEPTH = 8;

const FORMATS: Record<string, string> = {
  email: "user@example.com",
  uuid: "00000000-0000-4000-8000-000000000001",
  "date-time": "2024-01-01T00:00:00Z",
  date: "2024-01-01",
  time: "00:00:00Z",
  uri: "https://example.com/",
  url: "https://example.com/",
  hostname: "example.com",
  ipv4: "192.0.2.1",
  ipv6: "2001:db8::1",
};

function isObj(v: unknown): v is Json {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** The schema's type (the first non-null one of a 3.1 type list; implied by properties or items). */
export function schemaType(s: Json): string | undefined {
  const t = s["type"];
  if (typeof t === "string") return t;
  if (Array.isArray(t)) return t.find((x): x is string => typeof x === "string" && x !== "null");
  if (isObj(s["properties"])) return "object";
  if (isObj(s["items"])) return "array";
  return undefined;
}

/** A media type's or parameter's own example: `example`, else the first of `examples` (`value`). */
export function ownExample(m: Json): { value: unknown } | undefined {
  if (Object.hasOwn(m, "example")) return { value: m["example"] };
  const ex = m["examples"];
  if (Array.isArray(ex) && ex.length > 0) return { value: ex[0] };
  if (isObj(ex)) {
    const first = Object.values(ex)[0];
    if (isObj(first) && Object.hasOwn(first, "value")) return { value: first["value"] };
  }
  return undefined;
}

function num(s: Json, integer: boolean): number {
  const min = typeof s["minimum"] === "number" ? s["minimum"] : undefined;
  const max = typeof s["maximum"] === "number" ? s["maximum"] : undefined;
  const xmin = typeof s["exclusiveMinimum"] === "number" ? s["exclusiveMinimum"] : undefined;
  const xmax = typeof s["exclusiveMaximum"] === "number" ? s["exclusiveMaximum"] : undefined;
  let lo = min ?? (xmin !== undefined ? xmin + (integer ? 1 : 0.5) : undefined);
  if (s["exclusiveMinimum"] === true && min !== undefined) lo = min + (integer ? 1 : 0.5); // 3.0 form
  let v = lo !== undefined ? Math.max(lo, 1) : 1;
  const hi = max ?? (xmax !== undefined ? xmax - (integer ? 1 : 0.5) : undefined);
  if (hi !== undefined && v > hi) v = lo ?? hi;
  return integer ? Math.ceil(v) : v;
}

function str(s: Json): string {
  const f = typeof s["format"] === "string" ? FORMATS[s["format"]] : undefined;
  if (f !== undefined) return f;
  const min = typeof s["minLength"] === "number" ? Math.min(s["minLength"], 1024) : 0;
  const max = typeof s["maxLength"] === "number" ? s["maxLength"] : Infinity;
  let v = "widget";
  if (v.length < min) v = v.padEnd(min, "x");
  if (v.length > max) v = v.slice(0, Math.max(max, min));
  return v;
}

/**
 * An example value for a schema: its own example if it has one, else a minimal valid value; undefined
 * when none can be made (e.g. an object whose required property has no usable schema past depth 8).
 *
 * @param s the inlined schema
 * @param depth the nesting so far
 * @returns `{ value }` or undefined
 * @example
 * ```ts
 * import { exampleFor } from "./_openapi_example.ts";
 * const s = { type: "object", required: ["n", "q"], properties: { n: { type: "string" }, q: { type: "integer", minimum: 5 }, x: { type: "string" } } };
 * if (JSON.stringify(exampleFor(s)?.value) !== '{"n":"widget","q":5}') throw new Error();
 * ```
 */
export function exampleFor(s: Json, depth = 0): { value: unknown } | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const own = ownExample(s);
  if (own !== undefined) return own;
  if (Object.hasOwn(s, "default")) return { value: s["default"] };
  if (Object.hasOwn(s, "const")) return { value: s["const"] };
  if (Array.isArray(s["enum"]) && s["enum"].length > 0) return { value: s["enum"][0] };
  if (Array.isArray(s["allOf"])) {
    const merged: Json = {};
    for (const part of s["allOf"].filter(isObj)) {
      const v = exampleFor(part, depth + 1)?.value;
      if (isObj(v)) Object.assign(merged, v);
    }
    const own: Json = { ...s };
    delete own["allOf"];
    const rest = schemaType(own) === "object" ? exampleFor(own, depth + 1)?.value : undefined;
    return { value: isObj(rest) ? { ...merged, ...rest } : merged };
  }
  for (const k of ["oneOf", "anyOf"]) {
    const alts = s[k];
    if (!Array.isArray(alts)) continue;
    for (const a of alts.filter(isObj)) {
      const v = exampleFor(a, depth + 1);
      if (v !== undefined) return v;
    }
    return undefined;
  }
  switch (schemaType(s)) {
    case "object": {
      const props = isObj(s["properties"]) ? s["properties"] : {};
      const req = Array.isArray(s["required"]) ? s["required"].filter((x) => typeof x === "string") : [];
      const out: Json = {};
      for (const k of req) {
        const p = props[k];
        const v = isObj(p) ? exampleFor(p, depth + 1) : { value: "widget" };
        if (v === undefined) return undefined;
        out[k] = v.value;
      }
      return { value: out };
    }
    case "array": {
      const n = typeof s["minItems"] === "number" ? Math.min(s["minItems"], 3) : 0;
      const items = isObj(s["items"]) ? s["items"] : {};
      const v = n === 0 ? undefined : exampleFor(items, depth + 1);
      if (n > 0 && v === undefined) return undefined;
      return { value: Array.from({ length: n }, () => v?.value) };
    }
    case "string":
      return { value: str(s) };
    case "integer":
      return { value: num(s, true) };
    case "number":
      return { value: num(s, false) };
    case "boolean":
      return { value: true };
    case "null":
      return { value: null };
    default:
      // no type at all (`{}`, a cut cycle, an unresolvable ref): any value is valid
      return s["type"] === undefined ? { value: "widget" } : undefined;
  }
}
