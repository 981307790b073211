/**
 * The kit's mock server: a Hono app on `Deno.serve` that plays scenario scripts
 * (`src/schema/scenario.ts`) under `/s/<scenario-id>/…` and records every request a scenario gets.
 *
 * Four public listeners serve the same app (see docs/DESIGN.md § "The mock server and scenarios"):
 *
 * | listener    | address           | TLS                                   |
 * |-------------|-------------------|---------------------------------------|
 * | `https`     | 127.0.0.1:ephemeral | leaf of the trusted ephemeral CA      |
 * | `http`      | 127.0.0.1:ephemeral | none                                  |
 * | `untrusted` | 127.0.0.1:ephemeral | leaf of a second CA nobody trusts     |
 * | `foreign`   | 127.0.0.2:ephemeral | leaf of the trusted CA (other origin) |
 *
 * More listeners on 127.0.0.1 can be added while it runs (`addListener`: the per-case TLS listeners
 * of the `sdk.tls.*` certificate matrix, each with its own certificate, or plain ones behind a Node
 * TLS front); requests through them carry the listener's name.
 *
 * Both leaves carry `DNS:localhost`, `IP:127.0.0.1` and `IP:127.0.0.2`. Keys and certificates are
 * generated at start, in memory only. Each public listener is a small relay (terminating TLS where
 * needed, HTTP/1.1 only) in front of one internal plain-HTTP `Deno.serve` on 127.0.0.1, so a scenario
 * can destroy a connection without a response and every request knows its connection and listener.
 *
 * How scripts play (details the schema leaves open):
 * - A step with `match` answers every request it matches (method case-insensitive; `path` is the
 *   part after `/s/<id>`, exact, or a prefix when it ends in `*`); the first matching step wins.
 *   Other requests take the steps without `match` in order, the last one repeating.
 * - `delay_ms` waits before the headers; `stall` waits forever. Both end early when the client
 *   closes its connection (nothing is sent) or the scenario is released / the server closes
 *   (a 503 problem). `close` destroys the client's connection: no status line, no bytes.
 * - Redirect targets keep the path and query: `"foreign"` → `https://127.0.0.2:<foreign>/s/<id>…`,
 *   `"http"` → `http://127.0.0.1:<http>/s/<id>…`, `"/x"` → `/s/<id>/x`, anything else verbatim.
 * - Every redirect ends: a redirect step never answers a request at its own target (the same URL on
 *   the same listener; the next matching or ordered step answers instead, or, if that is the same
 *   redirect, a final `200 {"landed": true}`), nor a request that followed 5 of the scenario's
 *   redirects already (`_redirect.ts`). So a client that follows every redirect reaches a final answer.
 * - SSE event ids continue after the request's `Last-Event-ID` (the scripted events are sent again,
 *   renumbered); generated events of an endless stream carry `{"seq": <id>}`.
 * - Released or unknown scenarios answer a 404 Problem (`mock.unknown_scenario`); a released
 *   scenario records nothing more, and its open streams end.
 * - The request log's `path` is the part after `/s/<id>` and `query` the raw query without `?`.
 *
 * @module
 */
import { Hono } from "hono";
import type { Context } from "hono";
import type { RecordedRequest } from "../schema/evidence.ts";
import { type ResponseStep, type Scenario, ScenarioSchema } from "../schema/scenario.ts";
import { defaultContentType, renderBody, wait } from "./_body.ts";
import { type HandshakeEvent, Relay, type RelayedConnection, type RelayRegistry } from "./_proxy.ts";
import { generateCa, issueLeaf } from "./ca.ts";
import { LANDED, publicOrigin, RedirectPlan } from "./_redirect.ts";
import type { ExtraListener, ExtraListenerOptions, MockServer, ScenarioHandle } from "./types.ts";

/** Options of {@linkcode startMockServer}. */
export interface StartMockServerOptions {
  /**
   * the run's seed; accepted for symmetry with the other suites. Scenario ids stay random on
   * purpose, so concurrent runs and checks never collide.
   * @default undefined
   */
  seed?: number;
}

/** Request bodies are recorded up to this many bytes (as UTF-8 text). */
const BODY_KEEP_BYTES = 4096;
const FOREIGN_HOST = "127.0.0.2";
const LOCAL_HOST = "127.0.0.1";
/** Handshake outcomes an extra listener keeps. */
const MAX_HANDSHAKES = 1000;

type Bindings = { conn: RelayedConnection | undefined };
type AppEnv = { Bindings: Bindings };

function problem(status: number, code: string, message: string, details: Record<string, unknown> = {}) {
  const body = {
    code,
    kind: status === 404 ? "not_found" : "internal",
    message,
    correlation_id: crypto.randomUUID(),
    details,
  };
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

/** A response that is never sent: the connection under it is gone already. */
function unsent(): Response {
  return new Response(null, { status: 503 });
}

interface Waiter {
  n: number;
  finish(): void;
}

class ScenarioState {
  readonly id: string;
  readonly created = performance.now();
  readonly requests: RecordedRequest[] = [];
  readonly #released = new AbortController();
  readonly #steps: ResponseStep[];
  readonly #ordered: ResponseStep[];
  readonly #waiters = new Set<Waiter>();
  /** every Location this scenario sent (absolute), with the hops a client made to follow it */
  readonly #issued = new Map<string, number>();
  #next = 0;

  constructor(id: string, script: Scenario) {
    this.id = id;
    this.#steps = script.responses;
    this.#ordered = script.responses.filter((s) => s.match === undefined);
  }

  get signal(): AbortSignal {
    return this.#released.signal;
  }

  /**
   * The matching step, else the next ordered one (the last repeats); undefined if none applies.
   * A redirect step that `loops` (would answer at its own target) is passed over; an ordered one
   * that loops gives the final {@linkcode LANDED} answer instead.
   */
  pick(method: string, rest: string, loops: (s: ResponseStep) => boolean): ResponseStep | undefined {
    const matching = this.#steps.filter((s) => s.match !== undefined && matches(s.match, method, rest));
    const matched = matching.find((s) => !loops(s));
    if (matched) return matched;
    const step = this.#ordered[Math.min(this.#next, this.#ordered.length - 1)];
    this.#next++;
    if (step === undefined) return matching.length > 0 ? LANDED : undefined;
    return loops(step) ? LANDED : step;
  }

  /** How many of this scenario's redirects a request at `href` followed (0: none). */
  hopsTo(href: string): number {
    return this.#issued.get(href) ?? 0;
  }

  /** Remember a Location sent to a request that had followed `hops` redirects. */
  issued(href: string, hops: number): void {
    this.#issued.set(href, Math.max(this.#issued.get(href) ?? 0, hops + 1));
  }

  record(r: RecordedRequest): void {
    if (this.#released.signal.aborted) return;
    this.requests.push(r);
    for (const w of [...this.#waiters]) if (this.requests.length >= w.n) w.finish();
  }

  waitFor(n: number, timeoutMs: number): Promise<number> {
    if (this.requests.length >= n || this.#released.signal.aborted) {
      return Promise.resolve(this.requests.length);
    }
    return new Promise((resolve) => {
      const w: Waiter = {
        n,
        finish: () => {
          clearTimeout(timer);
          this.#waiters.delete(w);
          resolve(this.requests.length);
        },
      };
      const timer = setTimeout(w.finish, Math.max(0, timeoutMs));
      this.#waiters.add(w);
    });
  }

  release(): void {
    this.#released.abort();
    for (const w of [...this.#waiters]) w.finish();
  }
}

function matches(m: NonNullable<ResponseStep["match"]>, method: string, rest: string): boolean {
  if (m.method !== undefined && m.method.toUpperCase() !== method.toUpperCase()) return false;
  if (m.path !== undefined) {
    const want = m.path.startsWith("/") ? m.path : `/${m.path}`;
    if (want.endsWith("*")) return rest.startsWith(want.slice(0, -1));
    return rest === want;
  }
  return true;
}

async function readBody(req: Request): Promise<{ size: number; text: string }> {
  if (req.body === null) return { size: 0, text: "" };
  const reader = req.body.getReader();
  const kept = new Uint8Array(BODY_KEEP_BYTES);
  let keptLen = 0;
  let size = 0;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (keptLen < BODY_KEEP_BYTES) {
        const part = value.subarray(0, BODY_KEEP_BYTES - keptLen);
        kept.set(part, keptLen);
        keptLen += part.length;
      }
    }
  } catch {
    // the client went away mid-body: keep what arrived
  } finally {
    reader.releaseLock();
  }
  return { size, text: new TextDecoder().decode(kept.subarray(0, keptLen)) };
}

function lastEventId(req: Request): number {
  const v = req.headers.get("last-event-id")?.trim() ?? "";
  return /^\d{1,15}$/.test(v) ? Number(v) : 0;
}

/**
 * Start the mock server: generate the CAs and leaves, bind the four listeners on ephemeral ports.
 *
 * @param opts see {@linkcode StartMockServerOptions}
 * @returns the running server; call `close()` when done
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startMockServer } from "./server.ts";
 * const mock = await startMockServer();
 * const s = mock.scenario({ responses: [{ status: 200, body: { kind: "json", value: { ok: true } } }] });
 * const res = await fetch(`${s.httpBase}/v1/ping`);
 * assert.deepEqual(await res.json(), { ok: true });
 * assert.equal(s.requests()[0]?.path, "/v1/ping");
 * await mock.close();
 * ```
 */
export async function startMockServer(opts: StartMockServerOptions = {}): Promise<MockServer> {
  void opts.seed;
  const [trusted, untrustedCa] = await Promise.all([
    generateCa({ commonName: "conformance-kit mock CA" }),
    generateCa({ commonName: "conformance-kit UNTRUSTED mock CA" }),
  ]);
  const names = { dns: ["localhost"], ips: [LOCAL_HOST, FOREIGN_HOST] };
  const [leaf, untrustedLeaf] = await Promise.all([issueLeaf(trusted, names), issueLeaf(untrustedCa, names)]);

  const scenarios = new Map<string, ScenarioState>();
  const closing = new AbortController();
  const registry: RelayRegistry = new Map();
  let counter = 0;
  let closed = false;

  const ports = { https: 0, http: 0, untrusted: 0, foreign: 0 };
  const play = async (c: Context<AppEnv>): Promise<Response> => {
    const id = c.req.param("id") ?? "";
    const sc = scenarios.get(id);
    if (sc === undefined) {
      return problem(404, "mock.unknown_scenario", "no such scenario (unknown or released)", { id });
    }
    const req = c.req.raw;
    const conn = c.env.conn;
    const url = new URL(req.url);
    const rest = url.pathname.slice(`/s/${id}`.length) || "/";
    const t = performance.now() - sc.created;
    const body = await readBody(req);
    sc.record({
      t,
      method: req.method,
      path: rest,
      query: url.search.replace(/^\?/, ""),
      headers: Object.fromEntries(req.headers),
      bodySize: body.size,
      body: body.text,
      connection: conn?.id ?? "direct",
      listener: conn?.listener ?? "direct",
    });
    // a redirect never points at the request it answers, nor goes on for ever
    const plan = new RedirectPlan(
      id,
      url,
      rest,
      publicOrigin(conn?.listener, ports),
      ports,
      (h) => sc.hopsTo(h),
    );
    const step = sc.pick(req.method, rest, (st) => plan.loops(st));
    if (step === undefined) {
      return problem(404, "mock.no_step", "no scripted response matches this request", {
        method: req.method,
        path: rest,
      });
    }
    const stop = [sc.signal, closing.signal];
    // The client going away closes its (HTTP/1.1) connection, which the relay reports. `req.signal`
    // is read only for direct hits on the internal port: reading it opts into a legacy-abort warning.
    const gone = () => conn ? [conn.signal] : [req.signal];
    /**
     * A wait ended early: the client is gone (nothing to send), or the scenario was released or the
     * server is closing (answer 503).
     */
    const abandon = () =>
      closing.signal.aborted || sc.signal.aborted
        ? problem(503, "mock.released", "the scenario was released while this request waited")
        : unsent();

    if (step.delay_ms !== undefined && step.delay_ms > 0) {
      if (!await wait(step.delay_ms, [...stop, ...gone()])) return abandon();
    }
    if (step.close === true) {
      if (conn) {
        conn.destroy();
        return unsent();
      }
      // not relayed (direct hit on an internal port): the best we can do is a broken body
      return new Response(new ReadableStream({ start: (ctl) => ctl.error(new Error("scripted close")) }));
    }
    if (step.stall === true) {
      await wait(Infinity, [...stop, ...gone()]);
      return abandon();
    }

    const headers = new Headers(step.headers ?? {});
    let status = step.status ?? 200;
    if (step.redirect !== undefined) {
      status = step.status ?? 302;
      const location = plan.location(step.redirect);
      headers.set("location", location);
      const href = plan.resolve(location);
      if (href !== undefined) sc.issued(href, plan.hops);
    }
    if (status < 200) {
      return problem(500, "mock.bad_status", `the mock cannot send a ${status} response`, { status });
    }
    if (step.body === undefined || [204, 205, 304].includes(status) || req.method === "HEAD") {
      return new Response(null, { status, headers });
    }
    if (!headers.has("content-type")) headers.set("content-type", defaultContentType(step.body));
    if (step.body.kind === "sse" && !headers.has("cache-control")) headers.set("cache-control", "no-cache");
    const payload = renderBody(step.body, { stop, lastEventId: lastEventId(req) });
    return new Response(payload, { status, headers });
  };

  const app = new Hono<AppEnv>();
  app.get("/healthz", (c) => c.json({ ok: true }));
  app.all("/s/:id", play);
  app.all("/s/:id/*", play);
  app.notFound(() => problem(404, "mock.not_found", "not a scenario path: use /s/<id>/…"));
  app.onError((err) => problem(500, "mock.internal", `mock server error: ${err.message}`));

  const server = Deno.serve({
    hostname: LOCAL_HOST,
    port: 0,
    signal: closing.signal,
    onListen: () => {},
    onError: () => new Response(null, { status: 500 }),
  }, (req, info) => app.fetch(req, { conn: registry.get(String(info.remoteAddr.port)) }));
  const upstream = server.addr.port;
  const relays = {
    https: new Relay("https", LOCAL_HOST, upstream, registry, { cert: leaf.chainPem, key: leaf.keyPem }),
    http: new Relay("http", LOCAL_HOST, upstream, registry),
    untrusted: new Relay("untrusted", LOCAL_HOST, upstream, registry, {
      cert: untrustedLeaf.chainPem,
      key: untrustedLeaf.keyPem,
    }),
    foreign: new Relay("foreign", FOREIGN_HOST, upstream, registry, {
      cert: leaf.chainPem,
      key: leaf.keyPem,
    }),
  };
  ports.https = relays.https.port;
  ports.http = relays.http.port;
  ports.untrusted = relays.untrusted.port;
  ports.foreign = relays.foreign.port;
  Object.freeze(ports);
  const extra = new Map<string, { close(): Promise<void> }>();

  const addListener = (o: ExtraListenerOptions): ExtraListener => {
    if (closed) throw new Error("mock server is closed");
    if (o.name in relays || extra.has(o.name)) throw new Error(`listener name taken: ${o.name}`);
    const seen: HandshakeEvent[] = [];
    const onHandshake = (e: HandshakeEvent) => {
      seen.push(e);
      if (seen.length > MAX_HANDSHAKES) seen.shift();
    };
    const relay = new Relay(o.name, LOCAL_HOST, upstream, registry, o.tls, onHandshake);
    const cleanups: Array<() => Promise<void>> = [];
    let closing: Promise<void> | undefined;
    const close = () =>
      closing ??= (async () => {
        extra.delete(o.name);
        await relay.close();
        await Promise.all(cleanups.map((c) => c().catch(() => {})));
      })();
    extra.set(o.name, { close });
    return {
      name: o.name,
      port: relay.port,
      handshakes: () => [...seen],
      closeWith: (cleanup) => void cleanups.push(cleanup),
      close,
    };
  };

  const mock: MockServer = {
    caCertPem: trusted.certPem,
    ca: trusted,
    ports,
    addListener,
    scenario(script: Scenario): ScenarioHandle {
      if (closed) throw new Error("mock server is closed");
      ScenarioSchema.parse(script);
      const id = `${crypto.randomUUID().slice(0, 8)}${(++counter).toString(36)}`;
      const sc = new ScenarioState(id, script);
      scenarios.set(id, sc);
      const path = `/s/${id}`;
      return {
        id,
        httpsBase: `https://${LOCAL_HOST}:${ports.https}${path}`,
        httpBase: `http://${LOCAL_HOST}:${ports.http}${path}`,
        untrustedBase: `https://${LOCAL_HOST}:${ports.untrusted}${path}`,
        foreignBase: `https://${FOREIGN_HOST}:${ports.foreign}${path}`,
        requests: () => [...sc.requests],
        waitForRequests: (n, timeoutMs) => sc.waitFor(n, timeoutMs),
        release: () => {
          scenarios.delete(id);
          sc.release();
        },
      };
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      for (const sc of scenarios.values()) sc.release();
      scenarios.clear();
      closing.abort();
      await Promise.all([...Object.values(relays), ...extra.values()].map((r) => r.close()));
      await server.finished;
    },
  };
  return mock;
}
