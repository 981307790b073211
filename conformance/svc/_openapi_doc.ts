/**
 * The parts of an OpenAPI 3.0/3.1 document the kit uses, validated with zod, and its `$ref`s
 * resolved: local (`#/…`) only, never fetched, cycle-safe and bounded (a schema is inlined at most
 * {@linkcode MAX_INLINE_DEPTH} levels deep and {@linkcode MAX_INLINE_NODES} values large, so a
 * document whose refs fan out cannot blow up). Used by `_openapi_derive.ts`.
 *
 * @module
 */
import { z } from "zod";
import { TargetError } from "./_target_read.ts";

/** A JSON object. */
export type Json = Record<string, unknown>;

/** How deep a schema is inlined (deeper: `{}`, any value). */
export const MAX_INLINE_DEPTH = 16;
/** How many values one inlined schema may hold (past it: `{}`). */
export const MAX_INLINE_NODES = 20_000;

const obj = z.record(z.string(), z.unknown());
/** A security requirement list: `[]` or `[{}]` alternatives make an operation public. */
export const SecuritySchema: z.ZodType<Record<string, string[]>[]> = z.array(
  z.record(z.string(), z.array(z.string().max(200)).max(100)),
).max(100);

/** The document, as far as the kit reads it. */
export const DocSchema = z.object({
  openapi: z.string().regex(/^3\.[01](\.\d+)?/, "must be an OpenAPI 3.0 or 3.1 version, e.g. 3.1.0"),
  info: z.object({ title: z.string().max(200).optional(), version: z.string().max(100).optional() })
    .loose().optional(),
  paths: z.record(z.string(), obj).default({}),
  components: obj.optional(),
  security: SecuritySchema.optional(),
}).loose();

/** A validated document. */
export type Doc = z.infer<typeof DocSchema>;

/** One operation, as far as the kit reads it. */
export const OperationSchema = z.object({
  security: SecuritySchema.optional(),
  parameters: z.array(obj).max(200).optional(),
  requestBody: obj.optional(),
  responses: obj.optional(),
  "x-rate-limit": z.unknown().optional(),
}).loose();

/** A validated operation. */
export type Operation = z.infer<typeof OperationSchema>;

/**
 * Validate a parsed document.
 *
 * @param v the parsed JSON
 * @returns the document
 * @throws TargetError naming the first bad element
 * @example
 * ```ts
 * import { parseDoc } from "./_openapi_doc.ts";
 * if (Object.keys(parseDoc({ openapi: "3.1.0", paths: {} }).paths).length !== 0) throw new Error();
 * ```
 */
export function parseDoc(v: unknown): Doc {
  const r = DocSchema.safeParse(v);
  if (r.success) return r.data;
  const i = r.error.issues[0];
  const at = (i?.path ?? []).map(String).join(".");
  throw new TargetError(
    "--openapi",
    `not an OpenAPI 3.x document: ${at || "document"}: ${i?.message ?? "invalid"}`,
  );
}

/**
 * Follow one local `$ref` (`#/components/schemas/Item`): JSON pointer segments, `~1` and `~0`
 * unescaped. A remote or malformed ref resolves to undefined (never fetched).
 *
 * @param doc the whole document
 * @param ref the `$ref` value
 * @returns the referenced value, or undefined
 * @example
 * ```ts
 * import { resolvePointer } from "./_openapi_doc.ts";
 * const doc = { components: { schemas: { "a/b": { type: "string" } } } };
 * if (resolvePointer(doc, "#/components/schemas/a~1b") === undefined) throw new Error();
 * if (resolvePointer(doc, "https://evil.test/x.json#/a") !== undefined) throw new Error();
 * ```
 */
export function resolvePointer(doc: unknown, ref: string): unknown {
  if (!ref.startsWith("#/") && ref !== "#") return undefined;
  let at: unknown = doc;
  for (const raw of ref === "#" ? [] : ref.slice(2).split("/")) {
    let seg: string;
    try {
      seg = decodeURIComponent(raw).replaceAll("~1", "/").replaceAll("~0", "~");
    } catch {
      return undefined;
    }
    if (at === null || typeof at !== "object" || !Object.hasOwn(at, seg)) return undefined;
    at = (at as Json)[seg];
  }
  return at;
}

/**
 * A value with its top-level `$ref` chain followed (at most 32 hops; a cycle or remote ref gives
 * undefined).
 *
 * @param doc the whole document
 * @param v a value that may be `{ $ref }`
 * @returns the value it stands for, or undefined
 */
export function deref(doc: unknown, v: unknown): unknown {
  let at = v;
  for (let hops = 0; hops < 32; hops++) {
    if (at === null || typeof at !== "object" || typeof (at as Json)["$ref"] !== "string") return at;
    at = resolvePointer(doc, (at as Json)["$ref"] as string);
  }
  return undefined;
}

/**
 * A schema with every local `$ref` inlined: a ref already being inlined on the way down (a
 * cycle), a remote ref, anything past {@linkcode MAX_INLINE_DEPTH} levels or past
 * {@linkcode MAX_INLINE_NODES} values becomes `{}` (any value).
 *
 * @param doc the whole document
 * @param schema the schema (may be a `$ref`)
 * @returns the inlined schema (a plain JSON object)
 * @example
 * ```ts
 * import { inlineSchema } from "./_openapi_doc.ts";
 * const doc = { components: { schemas: { N: { type: "object", properties: { next: { $ref: "#/components/schemas/N" } } } } } };
 * const s = inlineSchema(doc, { $ref: "#/components/schemas/N" });
 * if (JSON.stringify(s) !== '{"type":"object","properties":{"next":{}}}') throw new Error(JSON.stringify(s));
 * ```
 */
export function inlineSchema(doc: unknown, schema: unknown): Json {
  const budget = { nodes: MAX_INLINE_NODES };
  const out = inline(doc, schema, [], 0, budget);
  return out !== null && typeof out === "object" && !Array.isArray(out) ? out as Json : {};
}

const DATA_KEYS = new Set(["example", "examples", "default", "const", "enum"]);

function inline(
  doc: unknown,
  v: unknown,
  refs: string[],
  depth: number,
  budget: { nodes: number },
  names = false,
): unknown {
  if (--budget.nodes < 0) return {};
  if (v === null || typeof v !== "object") return v;
  if (depth > MAX_INLINE_DEPTH) return {};
  if (Array.isArray(v)) return v.map((x) => inline(doc, x, refs, depth + 1, budget));
  const ref = (v as Json)["$ref"];
  if (typeof ref === "string") {
    if (refs.includes(ref)) return {};
    const target = resolvePointer(doc, ref);
    if (target === undefined) return {};
    return inline(doc, target, [...refs, ref], depth + 1, budget);
  }
  const out: Json = {};
  for (const [k, x] of Object.entries(v as Json)) {
    // examples and defaults are data, not schemas: copied as they are (within the document's bounds);
    // under `properties` the keys are property names, each a schema
    out[k] = !names && DATA_KEYS.has(k)
      ? x
      : inline(doc, x, refs, depth + 1, budget, !names && (k === "properties" || k === "patternProperties"));
  }
  return out;
}
