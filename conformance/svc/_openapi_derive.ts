/**
 * The derivation rules (docs/openapi.md): from a validated OpenAPI document, the target-file fields
 * a server target holds (protected routes, health, lookup, write, rate limit, SSE, isolation), as the
 * TOML would spell them, and for each element the document does not give, the reason, naming the
 * missing spec element. Used by `openapi.ts`.
 *
 * @module
 */
import { deref, type Doc, inlineSchema, type Json, type Operation, OperationSchema } from "./_openapi_doc.ts";
import { exampleFor, ownExample } from "./_openapi_example.ts";
import type { GapElement } from "./_openapi_gaps.ts";

const METHODS = ["get", "post", "put", "patch", "delete"] as const;
const PATH = /^\/[^\s?#]{0,2000}$/;
const HEALTH = /(^|\/)(health|healthz|livez|readyz|ping)$/i;
const MAX_PROTECTED = 20;

/** One operation of the document, its parameters and effective security resolved. */
interface Op {
  method: string;
  template: string;
  op: Operation;
  params: Json[];
  security: Record<string, string[]>[];
}

/** What the document gives. */
export interface Derived {
  /** target-file fields, spelled as in the TOML (`protected`, `write`, `rate_limit`, …) */
  file: Json;
  /** the write route's request schema, `$ref`s inlined (svc.prop.fuzz generates from it) */
  writeSchema?: Json;
  /** what the document does not give: the element, and why (naming the missing spec element) */
  missing: Partial<Record<GapElement, string>>;
}

function isObj(v: unknown): v is Json {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

const isProtected = (s: Op["security"]): boolean => s.length > 0 && s.every((r) => Object.keys(r).length > 0);
const isAdmin = (s: Op["security"]): boolean =>
  isProtected(s) && s.every((r) => Object.values(r).some((scopes) => scopes.includes("admin")));
const paramNames = (t: string): string[] => [...t.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? "");
const label = (o: Op): string => `${o.method} ${o.template}`;

function operations(doc: Doc): Op[] {
  const out: Op[] = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    if (!PATH.test(template)) continue;
    const shared = Array.isArray(item["parameters"]) ? item["parameters"] : [];
    for (const m of METHODS) {
      const parsed = OperationSchema.safeParse(deref(doc, item[m]));
      if (!parsed.success) continue;
      const op = parsed.data;
      const params = [...shared, ...(op.parameters ?? [])].map((p) => deref(doc, p)).filter(isObj);
      out.push({
        method: m.toUpperCase(),
        template,
        op,
        params,
        security: op.security ?? doc.security ?? [],
      });
    }
  }
  return out;
}

function paramValue(doc: Doc, o: Op, name: string): string {
  const p = o.params.find((x) => x["name"] === name && x["in"] === "path");
  const own = p === undefined ? undefined : ownExample(p);
  const v = own ?? (p === undefined ? undefined : exampleFor(inlineSchema(doc, p["schema"] ?? {})));
  const s = v === undefined || v.value === null || typeof v.value === "object" ? "1" : String(v.value);
  return encodeURIComponent(s);
}

function fill(doc: Doc, o: Op): string {
  return o.template.replace(/\{([^}]+)\}/g, (_, n: string) => paramValue(doc, o, n));
}

function jsonMedia(doc: Doc, content: unknown): Json | undefined {
  if (!isObj(content)) return undefined;
  const key = Object.keys(content).find((k) => /^application\/([\w.+-]+\+)?json\b/i.test(k));
  const m = key === undefined ? undefined : deref(doc, content[key]);
  return isObj(m) ? m : undefined;
}

/** The JSON object request body: its inlined schema and an example (the document's or generated). */
function jsonBody(doc: Doc, o: Op): { schema: Json; body: Json } | undefined {
  const rb = deref(doc, o.op.requestBody);
  const m = isObj(rb) ? jsonMedia(doc, rb["content"]) : undefined;
  if (m === undefined) return undefined;
  const schema = inlineSchema(doc, m["schema"] ?? {});
  const ex = ownExample(m) ?? exampleFor(schema);
  if (ex === undefined || !isObj(ex.value)) return undefined;
  return { schema, body: ex.value };
}

function responses(doc: Doc, o: Op): [string, Json][] {
  const rs = o.op.responses ?? {};
  return Object.entries(rs).map(([k, v]) => [k, deref(doc, v)] as [string, unknown])
    .filter((e): e is [string, Json] => isObj(e[1]));
}

function isSse(doc: Doc, o: Op): boolean {
  return responses(doc, o).some(([code, r]) =>
    /^2/.test(code) && isObj(r["content"]) &&
    Object.keys(r["content"]).some((k) => /^text\/event-stream/i.test(k))
  );
}

function rateLimitOf(o: Op): { limit: number; window_s: number } | string | undefined {
  const x = o.op["x-rate-limit"];
  const documents429 = Object.hasOwn(o.op.responses ?? {}, "429");
  if (x === undefined) return documents429 ? `${label(o)} documents 429 but has no x-rate-limit` : undefined;
  if (
    !isObj(x) || typeof x["limit"] !== "number" || !Number.isInteger(x["limit"]) || x["limit"] < 1 ||
    x["limit"] > 1000
  ) {
    return `${label(o)} has an x-rate-limit without an integer limit from 1 to 1000`;
  }
  const w = x["window_s"];
  if (w !== undefined && (typeof w !== "number" || !(w > 0) || w > 3600)) {
    return `${label(o)} has an x-rate-limit whose window_s is not a number of seconds from 0 to 3600`;
  }
  return { limit: x["limit"], window_s: typeof w === "number" ? w : 60 };
}

function route(doc: Doc, o: Op, body?: Json): Json {
  return body === undefined
    ? { method: o.method, path: fill(doc, o) }
    : { method: o.method, path: fill(doc, o), body };
}

/**
 * Derive the target-file fields from a validated document (pure: no I/O).
 *
 * @param doc the document
 * @returns the fields, the write schema and what is missing
 * @example
 * ```ts
 * import { deriveFields } from "./_openapi_derive.ts";
 * const d = deriveFields({
 *   openapi: "3.1.0",
 *   security: [{ bearer: [] }],
 *   paths: { "/health": { get: { security: [] } }, "/things": { get: {} } },
 * });
 * if (d.file["health"] !== "/health" || d.missing.write === undefined) throw new Error();
 * ```
 */
export function deriveFields(doc: Doc): Derived {
  const ops = operations(doc);
  const file: Json = { name: doc.info?.title || "server", version: doc.info?.version || "unknown" };
  const missing: Derived["missing"] = {};
  const secured = ops.filter((o) => isProtected(o.security));
  const reads = secured.filter((o) => o.method === "GET" && !isAdmin(o.security) && !isSse(doc, o))
    .sort((a, b) => paramNames(a.template).length - paramNames(b.template).length);
  if (reads.length > 0) file["protected"] = reads.slice(0, MAX_PROTECTED).map((o) => route(doc, o));
  else {missing.protected =
      "no GET operation has a non-empty security requirement (security, components.securitySchemes)";}

  const health = ops.find((o) =>
    o.method === "GET" && !isProtected(o.security) && paramNames(o.template).length === 0 &&
    HEALTH.test(o.template)
  );
  if (health !== undefined) file["health"] = health.template;
  else {missing.health =
      "no GET operation without security whose path ends in health, healthz, livez, readyz or ping";}

  const lookup = reads.find((o) => paramNames(o.template).length === 1);
  if (lookup !== undefined) file["lookup"] = lookup.template.replace(/\{[^}]+\}/, "{id}");

  const sse = secured.find((o) => o.method === "GET" && isSse(doc, o));
  if (sse !== undefined) file["sse"] = { path: fill(doc, sse) };

  const limited = ops.map((o) => ({ o, rl: rateLimitOf(o) }));
  const rl = limited.find((x) => typeof x.rl === "object");
  if (rl !== undefined && typeof rl.rl === "object") {
    const b = jsonBody(doc, rl.o);
    file["rate_limit"] = { ...route(doc, rl.o, b?.body), ...rl.rl };
  } else {
    const why = limited.find((x) => typeof x.rl === "string")?.rl;
    missing.rate_limit = typeof why === "string"
      ? why
      : "no operation has x-rate-limit ({ limit, window_s }: the kit's extension naming its rate limit)";
  }

  const writes = secured.filter((o) =>
    ["POST", "PUT", "PATCH"].includes(o.method) && rateLimitOf(o) === undefined
  )
    .map((o) => ({ o, b: jsonBody(doc, o) }))
    .filter((x): x is { o: Op; b: { schema: Json; body: Json } } => x.b !== undefined)
    .map((x) => ({ ...x, strict: x.b.schema["additionalProperties"] === false }))
    .sort((a, b) =>
      Number(b.strict) - Number(a.strict) || Number(b.o.method === "POST") - Number(a.o.method === "POST") ||
      paramNames(a.o.template).length - paramNames(b.o.template).length
    );
  const w = writes[0];
  if (w === undefined) {
    missing.write =
      "no POST, PUT or PATCH operation with a security requirement, an application/json object " +
      "request body and no rate limit";
  } else {
    file["write"] = route(doc, w.o, w.b.body);
    if (!w.strict) {
      missing.strict_write = `the write operation ${label(w.o)}: its request schema does not set ` +
        "additionalProperties: false";
    }
  }
  const iso = deriveIso(doc, ops, secured);
  if (typeof iso === "string") missing.iso = iso;
  else file["iso"] = iso;
  return w === undefined ? { file, missing } : { file, missing, writeSchema: w.b.schema };
}

function deriveIso(doc: Doc, ops: Op[], secured: Op[]): Json | string {
  const at = (m: string, t: string) => secured.find((o) => o.method === m && o.template === t);
  for (const get of secured.filter((o) => o.method === "GET" && /\/\{[^}/]+\}$/.test(o.template))) {
    if (paramNames(get.template).length !== 1) continue;
    const parent = get.template.slice(0, get.template.lastIndexOf("/")) || "/";
    const post = at("POST", parent);
    const body = post === undefined ? undefined : jsonBody(doc, post);
    if (post === undefined || body === undefined) continue;
    const name = paramNames(get.template)[0] ?? "id";
    const created = responses(doc, post).find(([c]) => /^20[01]$/.test(c))?.[1];
    const media = created === undefined ? undefined : jsonMedia(doc, created["content"]);
    const props = media === undefined ? {} : inlineSchema(doc, media["schema"] ?? {})["properties"];
    const key = isObj(props) ? ["id", name].find((k) => Object.hasOwn(props, k)) : undefined;
    if (key === undefined) continue;
    const iso: Json = {
      resource: get.template.replace(`{${name}}`, "{id}"),
      create: { method: "POST", path: parent, body: body.body },
      id_pointer: `/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`,
      delete: at("DELETE", get.template) !== undefined,
    };
    if (at("GET", parent) !== undefined) iso["list"] = parent;
    const upd = at("PUT", get.template) ?? at("PATCH", get.template);
    const ub = upd === undefined ? undefined : jsonBody(doc, upd);
    if (upd !== undefined) {
      iso["update"] = ub === undefined ? { method: upd.method } : { method: upd.method, body: ub.body };
    }
    const admin = ops.filter((o) => isAdmin(o.security));
    if (admin.length > 0) {
      iso["admin"] = admin.map((o) => route(doc, o, o.method === "GET" ? undefined : jsonBody(doc, o)?.body));
      const claims = adminClaims(doc, admin[0] as Op);
      if (claims !== undefined) iso["admin_claims"] = claims;
    }
    return iso;
  }
  return "no path /x/{id} with a secured GET, a secured POST /x with an application/json object body and an id " +
    "in its 201 response schema";
}

function adminClaims(doc: Doc, o: Op): Json | undefined {
  const schemes = doc.components?.["securitySchemes"];
  for (const name of Object.keys(o.security[0] ?? {})) {
    const s = isObj(schemes) ? deref(doc, schemes[name]) : undefined;
    if (isObj(s) && isObj(s["x-admin-claims"])) return s["x-admin-claims"];
  }
  return undefined;
}
