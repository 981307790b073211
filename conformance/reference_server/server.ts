/**
 * The reference server: a Hono app on `Deno.serve` (127.0.0.1, a free port) that implements seeds
 * 001 and 002 properly and passes every `svc` check, and its one-fault mutants (`fault`).
 *
 * The issuer key pair is generated in memory at start (never written anywhere); the returned
 * `target` carries the private key so the kit can mint valid and forged tokens.
 *
 * @module
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { z } from "zod";
import {
  compactVerify,
  decodeJwt,
  decodeProtectedHeader,
  exportSPKI,
  generateKeyPair,
  type JWTPayload,
  jwtVerify,
} from "jose";
import type { ServerFault } from "./faults.ts";
import type { Target } from "../svc/target.ts";
import { startNodeFront } from "../../src/tls/node_front.ts";
import { referenceTls } from "./_tls.ts";
import { declaredAlgorithms, oversizedFault, playbookFault } from "./_jwt_faults.ts";
import { startFront } from "./_front.ts";
import { frontFaults } from "./_chaos_faults.ts";
import { liveEvents, readBodyEarly } from "./_chaos_routes.ts";
import { ownership, SEED_OWNER } from "./_owners.ts";
import { referenceOpenApi } from "./openapi.ts";

/** Options of {@linkcode startReferenceServer}. */
export interface ReferenceServerOptions {
  /** the one fault to inject @default undefined (the correct server) */
  fault?: ServerFault;
  /** serve HTTPS with an ephemeral CA (the target trusts it) @default false */
  https?: boolean;
  /** requests per window on the rate-limited route @default 10 */
  rateLimit?: number;
  /** rate-limit window in seconds @default 10 */
  windowS?: number;
  /** the front's limits (`_front.ts`): head and body time limits in ms @default 10 s, 30 s */
  front?: { headTimeoutMs?: number; bodyTimeoutMs?: number };
  /** the live SSE route drops a subscriber that read nothing for this long (ms) @default 30_000 */
  sseBackpressureMs?: number;
}

/** A running reference server. */
export interface ReferenceServer {
  /** e.g. "http://127.0.0.1:41234" */
  readonly baseUrl: string;
  /** the parsed target describing this server (with in-memory credentials) */
  readonly target: Target;
  /** the fault it runs with, if any */
  readonly fault: ServerFault | undefined;
  /** stop the server */
  close(): Promise<void>;
}

const ISSUER = "https://issuer.reference.test";
const AUDIENCE = "reference-api";
const KID = "reference-1";
const BODY_LIMIT = 64 * 1024;
const MAX_QUERY = 8 * 1024;
const HARD_CAP = 16 * 1024 * 1024;
const IAT_LEEWAY_S = 60;

interface Keys {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicPem: string;
}
let keysPromise: Promise<Keys> | undefined;
function issuerKeys(): Promise<Keys> {
  keysPromise ??= (async () => {
    const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
    return { privateKey, publicKey, publicPem: await exportSPKI(publicKey) };
  })();
  return keysPromise;
}
const ItemIn = z.object({
  name: z.string().min(1).max(100).regex(/^[\p{L}\p{N} _.,-]+$/u),
  quantity: z.number().int().min(0).max(1_000_000),
  tags: z.array(z.string().max(32)).max(10).optional(),
}).strict();
const OptimizeIn = z.object({ iterations: z.number().int().min(1).max(100) }).strict();

interface Item {
  id: number;
  name: string;
  quantity: number;
  tags: string[];
  owner: string;
}

type Env = { Bindings: { remote: string }; Variables: { rid: string } };
type Ctx = Context<Env>;

/** A fake SQL engine for the `sql-concat` mutant: it only knows that quotes must pair up. */
class SqlSyntaxError extends Error {
  override name = "SqlSyntaxError";
}
function fakeSql(query: string): void {
  const quotes = (query.match(/'/g) ?? []).length;
  if (quotes % 2 !== 0) {
    const at = query.indexOf("'", query.indexOf("'") + 1);
    throw new SqlSyntaxError(
      `SQL syntax error near '${query.slice(Math.max(0, at))}' at line 1 in query: ${query}`,
    );
  }
}

const ROUTES: Record<string, string[]> = {
  "/health": ["GET"],
  "/items": ["GET", "POST"],
  "/optimize": ["POST"],
  "/events": ["GET"],
  "/events/live": ["GET"],
  "/admin/users": ["GET"],
};

function allowedFor(path: string): string[] | undefined {
  if (ROUTES[path] !== undefined) return ROUTES[path];
  if (/^\/items\/[^/]+$/.test(path)) return ["GET", "PUT", "PATCH", "DELETE"];
  return undefined;
}

/**
 * Start the reference server (or one of its mutants) on 127.0.0.1, a free port.
 *
 * @param opts the fault, https
 * @returns the running server and the target that describes it
 * @example
 * ```ts
 * import { startReferenceServer } from "./server.ts";
 * const s = await startReferenceServer();
 * const r = await fetch(`${s.baseUrl}/health`);
 * await r.body?.cancel();
 * await s.close();
 * if (r.status !== 200) throw new Error(String(r.status));
 * ```
 */
export async function startReferenceServer(opts: ReferenceServerOptions = {}): Promise<ReferenceServer> {
  const fault = opts.fault;
  const https = opts.https ?? false;
  const limit = opts.rateLimit ?? 10;
  const windowS = opts.windowS ?? 10;
  const keys = await issuerKeys();
  const hsSecret = new TextEncoder().encode(keys.publicPem);
  const items = new Map<number, Item>([[1, {
    id: 1,
    name: "widget",
    quantity: 3,
    tags: [],
    owner: SEED_OWNER,
  }]]);
  const owners = ownership(fault, items);
  let nextId = 2;
  const buckets = new Map<string, { tokens: number; at: number }>();
  const app = new Hono<Env>();

  const problem = (
    c: Ctx,
    status: number,
    code: string,
    message: string,
    details: Record<string, unknown> = {},
  ) => {
    const rid = c.get("rid");
    const h: Record<string, string> = {};
    if (fault === "plain-text-errors") {
      h["content-type"] = "text/plain; charset=utf-8";
      return new Response(`Error ${status}: ${message}`, { status, headers: h });
    }
    const d = { ...details };
    if (fault === "stack-trace-errors") {
      d["stack"] = `Error: ${message}\n    at handler (file:///srv/app/src/server.ts:118:17)\n` +
        `    at dispatch (/srv/app/node_modules/hono/dist/compose.js:22:23)`;
    }
    const kind = status >= 500 ? "server" : status === 401 || status === 403 ? "auth" : "client";
    h["content-type"] = "application/json";
    return new Response(JSON.stringify({ code, kind, message, correlation_id: rid, details: d }), {
      status,
      headers: h,
    });
  };

  const unauthorized = (c: Ctx) => {
    const res = problem(c, 401, "unauthorized", "missing or invalid credentials");
    if (fault !== "no-www-authenticate") {
      res.headers.set("www-authenticate", 'Bearer realm="reference-api", error="invalid_token"');
    }
    return res;
  };

  const verifyToken = async (token: string): Promise<boolean> => {
    const strict = { algorithms: ["RS256"], issuer: ISSUER, audience: AUDIENCE, requiredClaims: ["exp"] };
    // jose checks nbf; iat in the future is refused here (leeway IAT_LEEWAY_S)
    const iatOk = (p: JWTPayload) => p.iat === undefined || p.iat <= Date.now() / 1000 + IAT_LEEWAY_S;
    try {
      const header = decodeProtectedHeader(token);
      const claimsOk = (p: JWTPayload, needExp: boolean) =>
        p.iss === ISSUER && (p.aud === AUDIENCE || (Array.isArray(p.aud) && p.aud.includes(AUDIENCE))) &&
        (!needExp || (typeof p.exp === "number" && p.exp > Date.now() / 1000));
      const playbook = await playbookFault({
        fault,
        token,
        header,
        publicKey: keys.publicKey,
        strict,
        claimsOk,
        iatOk,
        sql: fakeSql,
      });
      if (playbook !== undefined) return playbook;
      switch (fault) {
        case "accept-alg-none":
          if (typeof header.alg === "string" && header.alg.toLowerCase() === "none") {
            return claimsOk(decodeJwt(token), true);
          }
          break;
        case "no-exp-check": {
          const { payload } = await compactVerify(token, keys.publicKey, { algorithms: ["RS256"] });
          return claimsOk(JSON.parse(new TextDecoder().decode(payload)), false);
        }
        case "no-signature-check":
          return header.alg === "RS256" && claimsOk(decodeJwt(token), true);
        case "alg-from-header":
          if (header.alg === "HS256") {
            await jwtVerify(token, hsSecret, { ...strict, algorithms: ["HS256"] });
            return true;
          }
          break;
        case "no-aud-check":
          await jwtVerify(token, keys.publicKey, { algorithms: ["RS256"], requiredClaims: ["exp"] });
          return true;
        default:
          break;
      }
      const { payload } = await jwtVerify(token, keys.publicKey, strict);
      return iatOk(payload);
    } catch (e) {
      if (e instanceof SqlSyntaxError) throw e;
      return false;
    }
  };

  const authenticate = async (c: Ctx): Promise<boolean> => {
    const path = c.req.path;
    if (
      fault === "open-route" && c.req.method === "GET" &&
      (/^\/items\/[^/]+$/.test(path) || path === "/events")
    ) {
      return true;
    }
    const h = c.req.header("authorization");
    let token: string | undefined;
    if (h !== undefined) {
      const m = /^Bearer\s+(\S+)$/i.exec(h.trim());
      if (m === null) return false;
      token = m[1];
    } else if (fault === "query-token") {
      token = new URL(c.req.url).searchParams.get("access_token") ?? undefined;
    }
    if (token === undefined || token === "") return false;
    if (fault === "accept-any-bearer") return true;
    return await verifyToken(token);
  };

  /** Read the body, counting bytes as they arrive (a chunked body has no Content-Length to trust). */
  const readBody = async (c: Ctx): Promise<{ ok: true; text: string } | { ok: false; res: Response }> => {
    const max = fault === "no-body-limit" ? HARD_CAP : BODY_LIMIT;
    const tooLarge = () => problem(c, 413, "payload_too_large", `request body over ${BODY_LIMIT} bytes`);
    const cl = c.req.header("content-length");
    if (cl !== undefined && Number(cl) > max) {
      await c.req.raw.body?.cancel();
      return { ok: false, res: tooLarge() };
    }
    const body = c.req.raw.body;
    if (body === null) return { ok: true, text: "" };
    const reader = body.getReader();
    const parts: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > max) {
        await reader.cancel();
        return { ok: false, res: tooLarge() };
      }
      parts.push(value);
    }
    const all = new Uint8Array(total);
    let off = 0;
    for (const p of parts) {
      all.set(p, off);
      off += p.length;
    }
    return { ok: true, text: new TextDecoder().decode(all) };
  };

  const readJson = async (c: Ctx): Promise<{ ok: true; value: unknown } | { ok: false; res: Response }> => {
    const ct = c.req.header("content-type") ?? "";
    if (!/^application\/(?:[\w.+-]*\+)?json\b/i.test(ct)) {
      await c.req.raw.body?.cancel();
      return { ok: false, res: problem(c, 415, "unsupported_media_type", "send application/json") };
    }
    const b = await readBody(c);
    if (!b.ok) return b;
    try {
      return { ok: true, value: JSON.parse(b.text) };
    } catch {
      return { ok: false, res: problem(c, 400, "malformed_json", "the body is not valid JSON") };
    }
  };

  const invalid = (c: Ctx, err: z.ZodError) =>
    problem(c, 422, "validation_failed", "the body does not match the schema", {
      issues: err.issues.slice(0, 10).map((i) => ({ path: i.path.map(String), code: i.code })),
    });

  // --- middleware: request id, security headers, CORS, method and query guards ---
  app.use("*", async (c, next) => {
    const rid = crypto.randomUUID();
    c.set("rid", rid);
    await next();
    const h = c.res.headers;
    h.set("x-request-id", fault === "mismatched-request-id" ? crypto.randomUUID() : rid);
    if (fault !== "no-security-headers") {
      h.set("x-content-type-options", "nosniff");
      h.set("x-frame-options", "DENY");
      h.set("content-security-policy", "default-src 'none'; frame-ancestors 'none'");
      if (https) h.set("strict-transport-security", "max-age=63072000; includeSubDomains");
    }
    h.set("referrer-policy", "no-referrer");
    if (fault === "version-headers") {
      h.set("server", "Hono/4.13.19 (Deno 2.9.6)");
      h.set("x-powered-by", "Express/4.18.2");
    }
    if (fault === "xss-filter-header") h.set("x-xss-protection", "1; mode=block");
    const origin = c.req.header("origin");
    if (origin !== undefined && fault === "cors-reflect") {
      h.set("access-control-allow-origin", origin);
      h.set("access-control-allow-credentials", "true");
      h.append("vary", "Origin");
    }
  });

  app.use("*", async (c, next) => {
    const method = c.req.method;
    const origin = c.req.header("origin");
    if (method === "OPTIONS" && origin !== undefined && fault === "cors-reflect") {
      return new Response(null, {
        status: 204,
        headers: {
          "access-control-allow-methods": "GET, POST",
          "access-control-allow-headers": "authorization, content-type",
        },
      });
    }
    if (method === "TRACE") {
      if (fault === "trace-echo") {
        const lines = [`TRACE ${c.req.path} HTTP/1.1`];
        c.req.raw.headers.forEach((v, k) => lines.push(`${k}: ${v}`));
        return new Response(lines.join("\r\n"), { status: 200, headers: { "content-type": "message/http" } });
      }
      const res = problem(c, 405, "method_not_allowed", "TRACE is not allowed");
      res.headers.set("allow", (allowedFor(c.req.path) ?? ["GET"]).join(", "));
      return res;
    }
    const search = new URL(c.req.url).search;
    if (search.length > MAX_QUERY) {
      if (fault === "query-crash") return problem(c, 500, "internal", "internal error");
      return problem(c, 414, "uri_too_long", `query over ${MAX_QUERY} characters`);
    }
    await next();
  });

  app.use("*", async (c, next) => {
    const path = c.req.path;
    if (path === "/health" && fault !== "health-auth") return await next();
    if (allowedFor(path) === undefined) return await next(); // 404 below, without revealing anything
    if (!(await authenticate(c))) {
      await c.req.raw.body?.cancel();
      return unauthorized(c);
    }
    owners.identify(c.req.raw, c.req.header("authorization"));
    await next();
  });
  owners.install(app, { readJson, problem, invalid }, ItemIn);

  // --- routes ---
  app.get("/health", (c) => c.json({ status: "ok" }));

  app.get("/items", async (c) => {
    const q = c.req.query("q");
    if (q !== undefined && q.length > 200) return problem(c, 400, "bad_query", "q is too long");
    if (fault === "sql-concat" && q !== undefined) fakeSql(`SELECT * FROM items WHERE name LIKE '%${q}%'`);
    const all = await owners.visible(c.req.raw, [...items.values()]);
    return c.json({ items: q === undefined ? all : all.filter((i) => i.name.includes(q)) });
  });

  app.get("/items/:id", async (c) => {
    const id = c.req.param("id");
    if (fault === "sql-concat") fakeSql(`SELECT * FROM items WHERE id = '${id}'`);
    if (!/^\d{1,9}$/.test(id)) return problem(c, 400, "bad_id", "id must be a positive integer");
    const item = items.get(Number(id));
    const mine = item !== undefined && await owners.mayRead(c.req.raw, item);
    return item === undefined || !mine ? problem(c, 404, "not_found", "no such item") : c.json(item);
  });

  app.post("/items", async (c) => {
    if (fault === "non-atomic-write") {
      // the mutant: the item is stored once its name has arrived, completed when the body has
      const owner = (await owners.caller(c.req.raw)).sub;
      let early: Item | undefined;
      let text: string;
      try {
        text = await readBodyEarly(c.req.raw, BODY_LIMIT, (name) => {
          early = { id: nextId++, name, quantity: 0, tags: [], owner };
          items.set(early.id, early);
        });
      } catch {
        return problem(c, 400, "incomplete_body", "the body did not arrive whole");
      }
      const r = ItemIn.safeParse((() => {
        try {
          return JSON.parse(text);
        } catch {
          return undefined;
        }
      })());
      if (!r.success) return invalid(c, r.error);
      const item: Item = early ?? { id: nextId++, name: r.data.name, quantity: 0, tags: [], owner };
      Object.assign(item, { name: r.data.name, quantity: r.data.quantity, tags: r.data.tags ?? [] });
      items.set(item.id, item);
      return c.json(item, 201);
    }
    const j = await readJson(c);
    if (!j.ok) return j.res;
    if (fault === "crash-on-type") {
      const raw = j.value as { name: string; quantity: number };
      raw.name.trim();
      raw.quantity.toFixed(0);
    }
    const schema = fault === "lenient-input" ? ItemIn.strip() : ItemIn;
    const r = schema.safeParse(j.value);
    if (!r.success) return invalid(c, r.error);
    if (items.size >= 10_000) return problem(c, 507, "store_full", "the store is full");
    const item: Item = {
      id: nextId++,
      name: r.data.name,
      quantity: r.data.quantity,
      tags: r.data.tags ?? [],
      owner: (await owners.caller(c.req.raw)).sub,
    };
    items.set(item.id, item);
    return c.json(item, 201);
  });

  app.post("/optimize", async (c) => {
    if (fault !== "no-rate-limit") {
      const key = c.env.remote;
      const now = performance.now();
      const rate = limit / (windowS * 1000);
      const b = buckets.get(key) ?? { tokens: limit, at: now };
      b.tokens = Math.min(limit, b.tokens + (now - b.at) * rate);
      b.at = now;
      buckets.set(key, b);
      if (b.tokens < 1) {
        await c.req.raw.body?.cancel();
        const res = problem(c, 429, "rate_limited", `over ${limit} requests per ${windowS} s`);
        if (fault !== "no-retry-after") {
          res.headers.set("retry-after", String(Math.ceil((1 - b.tokens) / rate / 1000)));
        }
        return res;
      }
      b.tokens -= 1;
    }
    const j = await readJson(c);
    if (!j.ok) return j.res;
    const r = OptimizeIn.safeParse(j.value);
    if (!r.success) return invalid(c, r.error);
    return c.json({ job_id: crypto.randomUUID(), iterations: r.data.iterations }, 202);
  });

  app.get("/events", () => {
    const enc = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(ctl) {
        for (let i = 1; i <= 3; i++) ctl.enqueue(enc.encode(`id: ${i}\nevent: tick\ndata: {"n":${i}}\n\n`));
        ctl.close();
      },
    });
    const headers: Record<string, string> = { "content-type": "text/event-stream; charset=utf-8" };
    if (fault === "sse-cacheable") headers["cache-control"] = "public, max-age=60";
    else {
      headers["cache-control"] = "no-store";
      headers["x-accel-buffering"] = "no";
    }
    return new Response(body, { status: 200, headers });
  });

  app.get(
    "/events/live",
    () =>
      liveEvents({
        backpressureMs: opts.sseBackpressureMs ?? 30_000,
        unbounded: fault === "unbounded-sse-queue",
      }),
  );

  app.get("/openapi.json", (c) => c.json(referenceOpenApi({ rateLimit: limit, windowS })));

  app.all("*", async (c) => {
    await c.req.raw.body?.cancel();
    const allowed = allowedFor(c.req.path);
    if (allowed === undefined) return problem(c, 404, "not_found", "no such route");
    const res = problem(c, 405, "method_not_allowed", `use ${allowed.join(" or ")}`);
    res.headers.set("allow", allowed.join(", "));
    return res;
  });

  app.onError((err, c) => {
    const leak = fault === "sql-concat" || fault === "crash-on-type";
    const details: Record<string, unknown> = leak ? { error: String(err), stack: err.stack ?? "" } : {};
    return problem(c, 500, "internal", leak ? err.message : "internal error", details);
  });

  const t = https ? await referenceTls(fault) : undefined;
  const ac = new AbortController();
  const ready = Promise.withResolvers<number>();
  const serveOpts = {
    hostname: "127.0.0.1",
    port: 0,
    signal: ac.signal,
    onListen: (a: { port: number }) => ready.resolve(a.port),
  };
  const handler = (req: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) =>
    app.fetch(req, { remote: info.remoteAddr.hostname });
  // plain HTTP here; in front of it our front (`_front.ts`: head/body time limits, 431, TLS), or
  // for a TLS mutant Deno cannot serve, a Node TLS front
  const server = Deno.serve(serveOpts, handler);
  let port = await ready.promise;
  let closeFront = () => Promise.resolve();
  if (t?.front === undefined) {
    const securityHeaders: Record<string, string> = fault === "no-security-headers" ? {} : {
      "x-content-type-options": "nosniff",
      "x-frame-options": "DENY",
      "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
      ...(https ? { "strict-transport-security": "max-age=63072000; includeSubDomains" } : {}),
    };
    const front = startFront({
      upstreamPort: port,
      ...(t ? { tls: { certChainPem: t.chainPem, keyPem: t.keyPem } } : {}),
      ...opts.front,
      ...frontFaults(fault),
      ...oversizedFault(fault),
      headers: { ...securityHeaders, "referrer-policy": "no-referrer" },
    });
    port = front.port;
    closeFront = () => front.close();
  } else {
    const front = await startNodeFront({
      certChainPem: t.chainPem,
      keyPem: t.keyPem,
      upstreamPort: port,
      ...t.front,
    });
    if ("unavailable" in front) {
      ac.abort();
      await server.finished;
      throw new Error(`mutant ${fault} needs a Node TLS front: ${front.unavailable}`);
    }
    port = front.port;
    closeFront = () => front.close();
  }
  const baseUrl = `${https ? "https" : "http"}://127.0.0.1:${port}`;
  const target: Target = {
    name: fault === undefined ? "reference-server" : `reference-server (mutant ${fault})`,
    version: "0.1.0",
    baseUrl: new URL(baseUrl),
    health: "/health",
    lookup: "/items/{id}",
    bodyLimit: BODY_LIMIT,
    corsAllowedOrigins: [],
    protected: [{ method: "GET", path: "/items" }, { method: "GET", path: "/items/1" }],
    write: { method: "POST", path: "/items", body: { name: "widget", quantity: 1 } },
    rateLimit: { method: "POST", path: "/optimize", body: { iterations: 1 }, limit, windowS },
    sse: { path: "/events" },
    iso: {
      resource: "/items/{id}",
      create: { method: "POST", path: "/items", body: { name: "widget", quantity: 1 } },
      idPointer: "/id",
      markerField: "name",
      list: "/items",
      update: { method: "PUT", body: { name: "widget", quantity: 2 } },
      delete: true,
      admin: [{ method: "GET", path: "/admin/users" }],
      adminClaims: { role: "admin" },
    },
    credentials: {
      issuerKey: keys.privateKey,
      alg: "RS256",
      algorithms: declaredAlgorithms(fault),
      issuer: ISSUER,
      audience: AUDIENCE,
      kid: KID,
      subject: "conformance-kit",
      publicKeyPem: keys.publicPem,
    },
  };
  if (t !== undefined) target.caCertPem = t.caPem;
  return {
    baseUrl,
    target,
    fault,
    async close() {
      await closeFront();
      ac.abort();
      await server.finished;
    },
  };
}
