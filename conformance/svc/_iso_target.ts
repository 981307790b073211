/**
 * The target file's `[iso]` table: what the `svc.iso.*` checks need to act as several identities
 * (the resource route with `{id}`, how to create one and read its id, optional list, update,
 * delete and admin routes) and where those identities come from (tokens the kit mints with
 * distinct `sub` claims when it holds the issuer key, or two or more token environment variables).
 * Used by `target.ts`; see `example_target.toml`.
 *
 * @module
 */
import { z } from "zod";
import { TargetError } from "./_target_read.ts";

const routePath = z.string().regex(/^\/[^\s?#]*$/, "must be a path starting with '/' (no query, no spaces)");
const jsonObject = z.record(z.string(), z.unknown());
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name");

/** The raw `[iso]` table. */
export const IsoFileSchema = z.object({
  /** one resource, e.g. "/items/{id}": GET reads it, `update` and `delete` act on it */
  resource: z.string().regex(/^\/[^\s?#]*\{id\}[^\s?#]*$/, "must be a path containing {id}"),
  /** the create request (default: the target's [write] route) */
  create: z.object({
    method: z.enum(["POST", "PUT"]).default("POST"),
    path: routePath,
    body: jsonObject,
  }).strict().optional(),
  /** a JSON pointer (RFC 6901) to the new resource's id in the create response */
  id_pointer: z.string().regex(/^(?:\/[^/]*)*$/, 'must be a JSON pointer such as "/id"').default("/id"),
  /** the top-level string field of the create body that carries the kit's unique marker */
  marker_field: z.string().min(1).optional(),
  /** a GET route listing the caller's resources */
  list: routePath.optional(),
  /** how to modify one resource (its body defaults to the create body) */
  update: z.object({ method: z.enum(["PUT", "PATCH"]).default("PUT"), body: jsonObject.optional() }).strict()
    .optional(),
  /** whether DELETE on the resource route deletes it (then the kit cleans up what it created) */
  delete: z.boolean().default(false),
  /** routes only an administrator may use */
  admin: z.array(
    z.object({
      method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]).default("GET"),
      path: routePath,
      body: jsonObject.optional(),
    }).strict(),
  ).default([]),
  /** two or more environment variables, each a token of a different identity (else the kit mints) */
  token_envs: z.array(envName).min(2, "name two or more identities").optional(),
  /** an environment variable with an administrator's token (the function-level baseline) */
  admin_token_env: envName.optional(),
  /** claims that make a minted token an administrator's, e.g. { role = "admin" } */
  admin_claims: jsonObject.optional(),
}).strict();

/** The raw `[iso]` table type. */
export type IsoFile = z.infer<typeof IsoFileSchema>;

/** A route with an example request. */
export interface IsoRoute {
  method: string;
  path: string;
  body?: Record<string, unknown>;
}

/** The resolved `[iso]` table (env tokens read). Tokens are never printed. */
export interface IsoTarget {
  /** e.g. "/items/{id}" */
  resource: string;
  create: IsoRoute & { body: Record<string, unknown> };
  idPointer: string;
  /** a top-level string field of the create body */
  markerField: string;
  list?: string;
  update?: { method: string; body: Record<string, unknown> };
  delete: boolean;
  admin: IsoRoute[];
  /** identities' tokens from `token_envs` (absent: the kit mints them) */
  tokens?: string[];
  adminToken?: string;
  adminClaims?: Record<string, unknown>;
}

/**
 * Resolve the `[iso]` table: the create route (default `write`), the marker field (default the
 * create body's first string field), the tokens read from the environment.
 *
 * @param iso the raw table
 * @param write the target's write route (the default create request)
 * @param env environment lookup
 * @returns the resolved table
 * @throws TargetError naming the field
 * @example
 * ```ts
 * import { IsoFileSchema, resolveIso } from "./_iso_target.ts";
 * const iso = resolveIso(
 *   IsoFileSchema.parse({ resource: "/items/{id}", token_envs: ["A", "B"] }),
 *   { method: "POST", path: "/items", body: { name: "w", quantity: 1 } },
 *   (n) => `token-${n}`,
 * );
 * if (iso.markerField !== "name" || iso.tokens?.join() !== "token-A,token-B") throw new Error();
 * ```
 */
export function resolveIso(
  iso: IsoFile,
  write: { method: string; path: string; body: Record<string, unknown> },
  env: (name: string) => string | undefined,
): IsoTarget {
  const create = iso.create ?? write;
  const markerField = iso.marker_field ??
    Object.entries(create.body).find(([, v]) => typeof v === "string")?.[0];
  if (markerField === undefined) {
    throw new TargetError("iso.marker_field", "required: the create body has no string field to mark");
  }
  if (typeof create.body[markerField] !== "string") {
    throw new TargetError("iso.marker_field", `the create body has no string field "${markerField}"`);
  }
  const read = (field: string, name: string): string => {
    const v = env(name);
    if (v === undefined || v.trim() === "") {
      throw new TargetError(field, `environment variable ${name} is not set`);
    }
    return v.trim();
  };
  const t: IsoTarget = {
    resource: iso.resource,
    create: { method: create.method, path: create.path, body: create.body },
    idPointer: iso.id_pointer,
    markerField,
    delete: iso.delete,
    admin: iso.admin.map((r) =>
      r.body === undefined ? { method: r.method, path: r.path } : { ...r, body: r.body }
    ),
  };
  if (iso.list !== undefined) t.list = iso.list;
  if (iso.update !== undefined) {
    t.update = { method: iso.update.method, body: iso.update.body ?? create.body };
  }
  if (iso.token_envs !== undefined) t.tokens = iso.token_envs.map((n) => read("iso.token_envs", n));
  if (iso.admin_token_env !== undefined) t.adminToken = read("iso.admin_token_env", iso.admin_token_env);
  if (iso.admin_claims !== undefined) t.adminClaims = iso.admin_claims;
  return t;
}
