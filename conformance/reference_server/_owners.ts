/**
 * Ownership in the reference server: every item belongs to the `sub` of the token that created it;
 * another identity's read, update or delete of it is a 404, lists show the caller's own items, and
 * `/admin/users` answers administrators only (`role: "admin"` or `roles` containing it). The
 * isolation mutants (`no-owner-check`, `write-no-owner-check`, `list-unscoped`, `admin-unchecked`,
 * `shared-cache`, `global-current-user`) each break one of these.
 *
 * @module
 */
import type { Context, Env, Hono } from "hono";
import type { z } from "zod";
import { decodeJwt } from "jose";
import type { ServerFault } from "./faults.ts";

/** Who sent a request (from its verified token). */
export interface Principal {
  sub: string;
  admin: boolean;
}

/** An item with an owner. */
export interface Owned {
  id: number;
  owner: string;
}

/** The server's own helpers the routes need. */
export interface OwnedRouteDeps<E extends Env> {
  readJson(c: Context<E>): Promise<{ ok: true; value: unknown } | { ok: false; res: Response }>;
  problem(c: Context<E>, status: number, code: string, message: string): Response;
  invalid(c: Context<E>, err: z.ZodError): Response;
}

const ANONYMOUS: Principal = { sub: "anonymous", admin: false };
/** The owner of the items the server starts with: the subject of the kit's default token. */
export const SEED_OWNER = "conformance-kit";
const CACHE_TTL_MS = 250;

/**
 * The `global-current-user` mutant's "current user": one per process, set by every authenticated
 * request and read after an await, so overlapping requests see each other's user.
 */
let currentUser: Principal = ANONYMOUS;

/** The store's latency (one timer tick): the await a handler reads its caller after. */
const store = (): Promise<void> => new Promise((r) => setTimeout(r, 1));

/** The ownership rules of one server (with its fault). */
export interface Ownership<I extends Owned> {
  /** record the caller of an authenticated request (its Authorization header's token) */
  identify(req: Request, authorization: string | undefined): void;
  /** the caller, as the handler sees it after its store access */
  caller(req: Request): Promise<Principal>;
  /** the items of `all` the caller may list */
  visible(req: Request, all: readonly I[]): Promise<I[]>;
  /** whether the caller may read the item */
  mayRead(req: Request, item: I): Promise<boolean>;
  /** add the cache (mutant) and the owned routes: PUT/PATCH/DELETE one item, GET /admin/users */
  install<E extends Env>(app: Hono<E>, deps: OwnedRouteDeps<E>, schema: z.ZodObject): void;
}

/**
 * The ownership rules for a server's item store.
 *
 * @param fault the server's fault, if any
 * @param items the store
 * @returns the rules
 * @example
 * ```ts
 * import { ownership } from "./_owners.ts";
 * const items = new Map([[1, { id: 1, owner: "alice" }], [2, { id: 2, owner: "bob" }]]);
 * const rules = ownership(undefined, items);
 * const req = new Request("http://x/items");
 * const claims = btoa(JSON.stringify({ sub: "alice" })).replace(/=+$/, "");
 * rules.identify(req, `Bearer e30.${claims}.sig`);
 * const mine = await rules.visible(req, [...items.values()]);
 * if (mine.length !== 1 || mine[0]?.owner !== "alice") throw new Error(JSON.stringify(mine));
 * ```
 */
export function ownership<I extends Owned>(
  fault: ServerFault | undefined,
  items: Map<number, I>,
): Ownership<I> {
  const principals = new WeakMap<Request, Principal>();
  const caller = async (req: Request): Promise<Principal> => {
    await store();
    return fault === "global-current-user" ? currentUser : principals.get(req) ?? ANONYMOUS;
  };
  const owns = async (req: Request, item: I): Promise<boolean> => (await caller(req)).sub === item.owner;
  return {
    identify(req, authorization) {
      let p = ANONYMOUS;
      try {
        const claims = decodeJwt((authorization ?? "").replace(/^Bearer\s+/i, ""));
        const roles = Array.isArray(claims["roles"]) ? claims["roles"] : [];
        p = {
          sub: typeof claims.sub === "string" ? claims.sub : "anonymous",
          admin: claims["role"] === "admin" || roles.includes("admin"),
        };
      } catch { /* not a JWT (accept-any-bearer): anonymous */ }
      principals.set(req, p);
      if (fault === "global-current-user") currentUser = p;
    },
    caller,
    async visible(req, all) {
      const me = await caller(req);
      return fault === "list-unscoped" ? [...all] : all.filter((i) => i.owner === me.sub);
    },
    async mayRead(req, item) {
      return fault === "no-owner-check" || await owns(req, item);
    },
    install<E extends Env>(app: Hono<E>, d: OwnedRouteDeps<E>, schema: z.ZodObject) {
      if (fault === "shared-cache") {
        // a response cache keyed by the URL alone: the first caller's answer is everyone's
        const cache = new Map<string, { at: number; status: number; body: string; type: string }>();
        app.use("*", async (c, next) => {
          if (c.req.method !== "GET" || !/^\/items(?:\/[^/]+)?$/.test(c.req.path)) return await next();
          const key = new URL(c.req.url).pathname + new URL(c.req.url).search;
          const hit = cache.get(key);
          if (hit !== undefined && performance.now() - hit.at < CACHE_TTL_MS) {
            c.res = new Response(hit.body, { status: hit.status, headers: { "content-type": hit.type } });
            return;
          }
          await next();
          if (c.res.status === 200) {
            const body = await c.res.clone().text();
            cache.set(key, {
              at: performance.now(),
              status: 200,
              body,
              type: c.res.headers.get("content-type") ?? "",
            });
          }
        });
      }
      const find = async (c: Context<E>): Promise<I | Response> => {
        const id = c.req.param("id") ?? "";
        if (!/^\d{1,9}$/.test(id)) return d.problem(c, 400, "bad_id", "id must be a positive integer");
        const item = items.get(Number(id));
        const mayWrite = item !== undefined &&
          (fault === "write-no-owner-check" || await owns(c.req.raw, item));
        return item !== undefined && mayWrite ? item : d.problem(c, 404, "not_found", "no such item");
      };
      const update = (partial: boolean) => async (c: Context<E>) => {
        const item = await find(c);
        if (item instanceof Response) {
          await c.req.raw.body?.cancel();
          return item;
        }
        const j = await d.readJson(c);
        if (!j.ok) return j.res;
        const r = (partial ? schema.partial() : schema).safeParse(j.value);
        if (!r.success) return d.invalid(c, r.error);
        Object.assign(item, r.data);
        return c.json(item, 200);
      };
      app.put("/items/:id", update(false));
      app.patch("/items/:id", update(true));
      app.delete("/items/:id", async (c) => {
        const item = await find(c);
        if (item instanceof Response) return item;
        items.delete(item.id);
        return c.body(null, 204);
      });
      app.get("/admin/users", async (c) => {
        const me = await caller(c.req.raw);
        if (!me.admin && fault !== "admin-unchecked") {
          return d.problem(c, 403, "forbidden", "administrators only");
        }
        return c.json({ users: [...new Set([...items.values()].map((i) => i.owner))].sort() });
      });
    },
  };
}
