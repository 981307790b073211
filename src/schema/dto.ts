/**
 * App-plane DTOs (seed 000 §10.2) and their canonical JSON.
 *
 * Wire rules, shared by every SDK the kit certifies:
 * - `u64` values travel as **decimal strings** (`"18446744073709551615"`), exact past 2^53;
 *   a JSON number where a u64 is expected is an error (`invalid_u64`), so is a leading zero,
 *   a sign, or a value above 2^64 − 1.
 * - Unknown members are **dropped** on decode (forward compatibility), never an error.
 * - `null` is accepted only where the schema says so (`Page.next_cursor`,
 *   `EchoResponse.request_id`); everywhere else it is an error. A nullable member is still
 *   required: missing is an error, `null` is kept.
 * - Canonical JSON ({@link canonicalJson}) sorts object keys by UTF-16 code units and writes
 *   no whitespace; strings and numbers are written as `JSON.stringify` writes them, which makes
 *   it RFC 8785 (JCS) for the values DTOs hold.
 *
 * @module
 */
import { z } from "zod";
import type { Same } from "./_same.ts";

const U64_MAX = 18446744073709551615n;

const u64 = z.string().refine(
  (s) => /^(0|[1-9][0-9]{0,19})$/.test(s) && BigInt(s) <= U64_MAX,
  { message: "invalid_u64" },
);
/** A u64 as a decimal string: no sign, no leading zero, at most 2^64 − 1. */
export const U64Schema: z.ZodString = u64;
const _u64: Same<typeof u64, typeof U64Schema> = true;

const appInfo = z.object({
  name: z.string(),
  version: z.string(),
  status: z.string(),
  uptime_s: U64Schema,
});
/** Application info, also the health body. */
export const AppInfoSchema: z.ZodObject<{
  name: z.ZodString;
  version: z.ZodString;
  status: z.ZodString;
  uptime_s: typeof U64Schema;
}> = appInfo;
const _appInfo: Same<typeof appInfo, typeof AppInfoSchema> = true;

const sseEvent = z.object({ seq: U64Schema, type: z.string(), data: z.string() });
/** One server-sent event as a DTO: `seq` is the u64 event id, `data` its text. */
export const SseEventSchema: z.ZodObject<{ seq: typeof U64Schema; type: z.ZodString; data: z.ZodString }> =
  sseEvent;
const _sseEvent: Same<typeof sseEvent, typeof SseEventSchema> = true;

const echoRequest = z.object({ message: z.string(), trace_id: z.string().optional() });
/** Body of the echo route. `trace_id` is optional but never null. */
export const EchoRequestSchema: z.ZodObject<{ message: z.ZodString; trace_id: z.ZodOptional<z.ZodString> }> =
  echoRequest;
const _echoRequest: Same<typeof echoRequest, typeof EchoRequestSchema> = true;

const echoResponse = z.object({
  message: z.string(),
  bytes: U64Schema,
  request_id: z.string().nullable(),
});
/** Answer of the echo route. */
export const EchoResponseSchema: z.ZodObject<{
  message: z.ZodString;
  bytes: typeof U64Schema;
  request_id: z.ZodNullable<z.ZodString>;
}> = echoResponse;
const _echoResponse: Same<typeof echoResponse, typeof EchoResponseSchema> = true;

const auditContext = z.object({ actor_id: z.string(), reason: z.string(), tenant: z.string() });
/** Audit context an SDK attaches to a write. */
export const AuditContextSchema: z.ZodObject<
  { actor_id: z.ZodString; reason: z.ZodString; tenant: z.ZodString }
> = auditContext;
const _auditContext: Same<typeof auditContext, typeof AuditContextSchema> = true;

/** The schema of a page of `T` items (see {@link pageSchema}). */
export type PageSchema<T extends z.ZodType> = z.ZodObject<
  { items: z.ZodArray<T>; next_cursor: z.ZodNullable<z.ZodString> }
>;

/**
 * A page of items: `next_cursor` is required and `null` on the last page.
 *
 * @param item the schema of one item
 * @returns the page schema
 */
export function pageSchema<T extends z.ZodType>(item: T): PageSchema<T> {
  return z.object({ items: z.array(item), next_cursor: z.string().nullable() });
}

const dtoSchemas = {
  app_info: AppInfoSchema,
  sse_event: SseEventSchema,
  echo_request: EchoRequestSchema,
  echo_response: EchoResponseSchema,
  audit_context: AuditContextSchema,
  page_app_info: pageSchema(AppInfoSchema),
  page_sse_event: pageSchema(SseEventSchema),
} as const;
/** Every DTO the kit knows, by wire name. */
export const DTO_SCHEMAS: {
  readonly app_info: typeof AppInfoSchema;
  readonly sse_event: typeof SseEventSchema;
  readonly echo_request: typeof EchoRequestSchema;
  readonly echo_response: typeof EchoResponseSchema;
  readonly audit_context: typeof AuditContextSchema;
  readonly page_app_info: PageSchema<typeof AppInfoSchema>;
  readonly page_sse_event: PageSchema<typeof SseEventSchema>;
} = dtoSchemas;
const _dtoSchemas: Same<typeof dtoSchemas, typeof DTO_SCHEMAS> = true;

/** A DTO wire name. */
export type DtoType = keyof typeof DTO_SCHEMAS;

/** Every DTO wire name (the `type` of the `decode_dto`/`encode_dto` ops). */
export const DTO_TYPES: readonly DtoType[] = Object.keys(DTO_SCHEMAS) as DtoType[];

/** Why a DTO did not decode. */
export type DtoErrorCode = "unknown_type" | "not_object" | "invalid_u64" | "invalid";

/** Every {@link DtoErrorCode}. */
export const DTO_ERROR_CODES: readonly DtoErrorCode[] = [
  "unknown_type",
  "not_object",
  "invalid_u64",
  "invalid",
];

/** Result of {@link decodeDto}. */
export type DtoDecode =
  | { ok: true; value: unknown }
  | { ok: false; error: { code: DtoErrorCode; message: string } };

function isDtoType(t: string): t is DtoType {
  return Object.hasOwn(DTO_SCHEMAS, t);
}

/**
 * Decode a JSON value as the DTO `type`. Unknown members are dropped; the error message
 * names the failing member path, never its value.
 *
 * @param type a DTO wire name (see {@link DTO_TYPES})
 * @param json the parsed JSON value
 * @returns the decoded DTO, or an error code (`invalid_u64` when any failing member is a u64)
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const r = decodeDto("app_info", { name: "a", version: "1", status: "ok", uptime_s: "18446744073709551615", x: 1 });
 * assert.ok(r.ok);
 * assert.equal(canonicalJson(r.value), '{"name":"a","status":"ok","uptime_s":"18446744073709551615","version":"1"}');
 * ```
 */
export function decodeDto(type: string, json: unknown): DtoDecode {
  if (!isDtoType(type)) return { ok: false, error: { code: "unknown_type", message: "unknown DTO type" } };
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return { ok: false, error: { code: "not_object", message: `${type} must be a JSON object` } };
  }
  const r = DTO_SCHEMAS[type].safeParse(json);
  if (r.success) return { ok: true, value: r.data };
  const paths = r.error.issues.map((i) => i.path.map(String).join(".") || "(root)");
  const u64 = r.error.issues.some((i) => i.message === "invalid_u64") ||
    r.error.issues.some((i) => i.code === "invalid_type" && isU64Path(json, i.path));
  return {
    ok: false,
    error: {
      code: u64 ? "invalid_u64" : "invalid",
      message: `${type}: invalid member(s) ${[...new Set(paths)].join(", ")}`,
    },
  };
}

const U64_KEYS = new Set(["uptime_s", "seq", "bytes"]);

/** A u64 member that is present but not a string (e.g. a JSON number). */
function isU64Path(json: unknown, path: readonly PropertyKey[]): boolean {
  const last = path[path.length - 1];
  if (typeof last !== "string" || !U64_KEYS.has(last)) return false;
  let cur: unknown = json;
  for (const k of path) {
    if (typeof cur !== "object" || cur === null || typeof k === "symbol") return false;
    cur = (cur as Record<string, unknown>)[String(k)];
  }
  return cur !== undefined && cur !== null;
}

/**
 * Encode a DTO value to its canonical JSON value (keys inserted in sorted order, unknown
 * members dropped), so `JSON.stringify` of the result is canonical.
 *
 * @param type a DTO wire name
 * @param value the DTO value
 * @returns the canonical JSON value
 * @throws {TypeError} when `type` is unknown or `value` is not a valid DTO (a programmer error)
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const v = encodeDto("audit_context", { tenant: "t", reason: "r", actor_id: "a" });
 * assert.equal(JSON.stringify(v), '{"actor_id":"a","reason":"r","tenant":"t"}');
 * ```
 */
export function encodeDto(type: string, value: unknown): unknown {
  const r = decodeDto(type, value);
  if (!r.ok) throw new TypeError(`encodeDto: ${r.error.code}: ${r.error.message}`);
  return JSON.parse(canonicalJson(r.value));
}

function canonicalize(v: unknown, out: string[]): void {
  if (v === null) {
    out.push("null");
    return;
  }
  switch (typeof v) {
    case "boolean":
      out.push(v ? "true" : "false");
      return;
    case "number":
      if (!Number.isFinite(v)) throw new TypeError("canonicalJson: non-finite number");
      out.push(JSON.stringify(v));
      return;
    case "string":
      out.push(JSON.stringify(v));
      return;
    case "object": {
      if (Array.isArray(v)) {
        out.push("[");
        v.forEach((item: unknown, i) => {
          if (i > 0) out.push(",");
          canonicalize(item === undefined ? null : item, out);
        });
        out.push("]");
        return;
      }
      const entries = Object.entries(v).filter(([, x]) => x !== undefined).sort(([a], [b]) =>
        a < b ? -1 : a > b ? 1 : 0
      );
      out.push("{");
      entries.forEach(([k, x], i) => {
        if (i > 0) out.push(",");
        out.push(JSON.stringify(k), ":");
        canonicalize(x, out);
      });
      out.push("}");
      return;
    }
    default:
      throw new TypeError(`canonicalJson: ${typeof v} is not JSON`);
  }
}

/**
 * Canonical JSON text: object keys sorted by UTF-16 code units, no whitespace, strings and
 * numbers as `JSON.stringify` writes them; `undefined` members are omitted (as in JSON).
 *
 * @param value a JSON value
 * @returns the canonical text
 * @throws {TypeError} on values JSON cannot hold (bigint, function, symbol, non-finite numbers)
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(canonicalJson({ b: [1, { d: null, c: "é" }], a: true }), '{"a":true,"b":[1,{"c":"é","d":null}]}');
 * ```
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  canonicalize(value, out);
  return out.join("");
}
