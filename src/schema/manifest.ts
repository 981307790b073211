/**
 * Facet manifests (seed 000 §10.3): TOML files that declare one facet, its route, its security
 * stance and, for proxies, its upstream. {@link validateManifest} returns every violation found.
 *
 * ```toml
 * [facet]
 * id = "docs"              # ^[a-z][a-z0-9_-]{0,63}$
 * kind = "static"          # "static" | "echo" | "proxy"
 * root = "public"          # static only, optional: directory under the static root
 *
 * [facet.security]         # optional; missing = not public, requires auth
 * public = true
 * requires_auth = false
 *
 * [facet.limits]           # optional
 * max_body_bytes = 65536
 * rps = 50
 * timeout_ms = 5000
 *
 * [route]
 * method = "GET"           # GET HEAD POST PUT PATCH DELETE OPTIONS; static: GET or HEAD
 * path = "/docs/index.html"
 * file = "index.html"      # static only, optional: file under the static root
 *
 * [route.integrity]        # optional
 * sha256 = "<64 lowercase hex>"
 *
 * [upstream]               # proxy only, required there
 * host = "api.internal"
 * port = 8443
 * protocol = "https"       # "http" | "https"
 * ```
 *
 * Rules:
 * - Tables are strict: an unknown key (a typo such as `publik`) is a `schema` violation.
 * - **Never implicitly public.** Missing `[facet.security]`, or missing members of it, mean
 *   `public = false` and `requires_auth = true`. A facet served without auth must say both
 *   `public = true` and `requires_auth = false`; `public = true` without an explicit
 *   `requires_auth = false`, or `requires_auth = false` without an explicit `public = true`,
 *   is `implicit_public`. `public = true` with `requires_auth = true` is `security_conflict`.
 * - **No path escape.** `route.path` must start with `/`; `route.path`, `route.file` and
 *   `facet.root` must not contain a `..` or `.` segment, a backslash, a NUL, or a
 *   percent-encoded dot, slash or backslash (`%2e`, `%2f`, `%5c`, any case), and `route.file` /
 *   `facet.root` must be relative (no leading `/`, no drive letter) → `path_escape`.
 * - **Proxies need an explicit upstream** (`host`, `port`, `protocol` all given) →
 *   `proxy_no_upstream`, and are **never open**: a wildcard or unspecified host (`*`, `*.x`,
 *   `0.0.0.0`, `::`, `[::]`, empty) → `open_proxy`. `[upstream]` on a non-proxy facet →
 *   `upstream_not_proxy`.
 * - Static facets serve only `GET`/`HEAD` → `static_method`; `root`/`file` on a non-static
 *   facet → `schema`.
 *
 * @module
 */
import { z } from "zod";
import { parse as parseToml } from "smol-toml";
import type { Same } from "./_same.ts";

/** A closed set of violation codes. */
export type ViolationCode =
  | "toml_syntax"
  | "schema"
  | "implicit_public"
  | "security_conflict"
  | "path_escape"
  | "proxy_no_upstream"
  | "open_proxy"
  | "upstream_not_proxy"
  | "static_method";

/** Every {@link ViolationCode}. */
export const VIOLATION_CODES: readonly ViolationCode[] = [
  "toml_syntax",
  "schema",
  "implicit_public",
  "security_conflict",
  "path_escape",
  "proxy_no_upstream",
  "open_proxy",
  "upstream_not_proxy",
  "static_method",
];

/** One rule broken, at a dotted TOML key path (`""` for the whole document). */
export type Violation = { code: ViolationCode; path: string };

const manifest = z.strictObject({
  facet: z.strictObject({
    id: z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/),
    kind: z.enum(["static", "echo", "proxy"]),
    root: z.string().optional(),
    security: z.strictObject({ public: z.boolean().optional(), requires_auth: z.boolean().optional() })
      .optional(),
    limits: z.strictObject({
      max_body_bytes: z.number().int().positive().optional(),
      rps: z.number().int().positive().optional(),
      timeout_ms: z.number().int().positive().optional(),
    }).optional(),
  }),
  route: z.strictObject({
    method: z.enum(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]),
    path: z.string().startsWith("/"),
    file: z.string().optional(),
    integrity: z.strictObject({ sha256: z.string().regex(/^[0-9a-f]{64}$/) }).optional(),
  }),
  upstream: z.strictObject({
    host: z.string().optional(),
    port: z.number().int().min(1).max(65535).optional(),
    protocol: z.enum(["http", "https"]).optional(),
  }).optional(),
});
/** The facet manifest schema (shape only; the rules are checked by {@link validateManifest}). */
export const ManifestSchema: z.ZodObject<{
  facet: z.ZodObject<{
    id: z.ZodString;
    kind: z.ZodEnum<z.core.util.ToEnum<"static" | "echo" | "proxy">>;
    root: z.ZodOptional<z.ZodString>;
    security: z.ZodOptional<
      z.ZodObject<
        { public: z.ZodOptional<z.ZodBoolean>; requires_auth: z.ZodOptional<z.ZodBoolean> },
        z.core.$strict
      >
    >;
    limits: z.ZodOptional<
      z.ZodObject<{
        max_body_bytes: z.ZodOptional<z.ZodNumber>;
        rps: z.ZodOptional<z.ZodNumber>;
        timeout_ms: z.ZodOptional<z.ZodNumber>;
      }, z.core.$strict>
    >;
  }, z.core.$strict>;
  route: z.ZodObject<{
    method: z.ZodEnum<z.core.util.ToEnum<"GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS">>;
    path: z.ZodString;
    file: z.ZodOptional<z.ZodString>;
    integrity: z.ZodOptional<z.ZodObject<{ sha256: z.ZodString }, z.core.$strict>>;
  }, z.core.$strict>;
  upstream: z.ZodOptional<
    z.ZodObject<{
      host: z.ZodOptional<z.ZodString>;
      port: z.ZodOptional<z.ZodNumber>;
      protocol: z.ZodOptional<z.ZodEnum<z.core.util.ToEnum<"http" | "https">>>;
    }, z.core.$strict>
  >;
}, z.core.$strict> = manifest;
const _manifest: Same<typeof manifest, typeof ManifestSchema> = true;
/** A facet manifest that passed every rule. */
export type Manifest = z.infer<typeof ManifestSchema>;

/** Result of {@link validateManifest}. */
export type ManifestValidation = { ok: true; manifest: Manifest } | { ok: false; violations: Violation[] };

function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : undefined;
}

/** True when a path string could step outside the root it is resolved against. */
function escapesRoot(p: string, mustBeRelative: boolean): boolean {
  if (p.includes("\\") || p.includes("\0")) return true;
  if (/%(2e|2f|5c|00)/i.test(p)) return true;
  if (mustBeRelative && (p.startsWith("/") || /^[A-Za-z]:/.test(p))) return true;
  return p.split("/").some((seg) => seg === ".." || seg === ".");
}

const OPEN_HOSTS = new Set(["", "0.0.0.0", "::", "[::]", "*"]);

function rules(doc: Record<string, unknown>): Violation[] {
  const out: Violation[] = [];
  const facet = obj(doc["facet"]) ?? {};
  const route = obj(doc["route"]) ?? {};
  const kind = facet["kind"];

  const sec = obj(facet["security"]) ?? {};
  const pub = sec["public"];
  const auth = sec["requires_auth"];
  if (pub === true && auth === true) out.push({ code: "security_conflict", path: "facet.security" });
  else if (pub === true && auth !== false) {
    out.push({ code: "implicit_public", path: "facet.security.requires_auth" });
  } else if (auth === false && pub !== true) {
    out.push({ code: "implicit_public", path: "facet.security.public" });
  }

  const rp = route["path"];
  if (typeof rp === "string" && escapesRoot(rp, false)) out.push({ code: "path_escape", path: "route.path" });
  const file = route["file"];
  if (typeof file === "string" && escapesRoot(file, true)) {
    out.push({ code: "path_escape", path: "route.file" });
  }
  const root = facet["root"];
  if (typeof root === "string" && escapesRoot(root, true)) {
    out.push({ code: "path_escape", path: "facet.root" });
  }

  const up = doc["upstream"];
  if (kind === "proxy") {
    const u = obj(up);
    if (u === undefined) out.push({ code: "proxy_no_upstream", path: "upstream" });
    else {
      for (const k of ["host", "port", "protocol"]) {
        if (u[k] === undefined) out.push({ code: "proxy_no_upstream", path: `upstream.${k}` });
      }
      const host = u["host"];
      if (typeof host === "string" && (OPEN_HOSTS.has(host.trim()) || host.includes("*"))) {
        out.push({ code: "open_proxy", path: "upstream.host" });
      }
    }
  } else if ((kind === "static" || kind === "echo") && up !== undefined) {
    out.push({ code: "upstream_not_proxy", path: "upstream" });
  }

  if (kind === "static") {
    const m = route["method"];
    if (typeof m === "string" && m !== "GET" && m !== "HEAD") {
      out.push({ code: "static_method", path: "route.method" });
    }
  } else if (kind === "echo" || kind === "proxy") {
    if (root !== undefined) out.push({ code: "schema", path: "facet.root" });
    if (file !== undefined) out.push({ code: "schema", path: "route.file" });
  }
  return out;
}

function sortViolations(vs: Violation[]): Violation[] {
  const seen = new Set<string>();
  const out: Violation[] = [];
  for (const v of vs) {
    const key = `${v.code} ${v.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(v);
  }
  return out.sort((a, b) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : a.code < b.code ? -1 : a.code > b.code ? 1 : 0
  );
}

/**
 * Validate a facet manifest (TOML text) against the schema and every rule in this module's
 * documentation. Never throws.
 *
 * @param toml the manifest text
 * @returns the manifest, or every violation (deduplicated, sorted by path then code)
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const r = validateManifest('[facet]\nid = "p"\nkind = "proxy"\n[route]\nmethod = "GET"\npath = "/p"\n');
 * assert.deepEqual(r, { ok: false, violations: [{ code: "proxy_no_upstream", path: "upstream" }] });
 * ```
 */
export function validateManifest(toml: string): ManifestValidation {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(toml);
  } catch {
    return { ok: false, violations: [{ code: "toml_syntax", path: "" }] };
  }
  const violations = rules(doc);
  const parsed = ManifestSchema.safeParse(doc);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const base = issue.path.map(String).join(".");
      if (issue.code === "unrecognized_keys") {
        for (const k of issue.keys) {
          violations.push({ code: "schema", path: base === "" ? k : `${base}.${k}` });
        }
      } else violations.push({ code: "schema", path: base });
    }
  }
  if (violations.length > 0 || !parsed.success) {
    return { ok: false, violations: sortViolations(violations) };
  }
  return { ok: true, manifest: parsed.data };
}
