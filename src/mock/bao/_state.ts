/**
 * Internal: one scenario of the mock OpenBao: its store, wrapping tokens, PDP script, fault steps and
 * records, and the handler that answers every request of its listeners the way OpenBao 2.7.2 does
 * (the order of the steps below was measured: see `fidelity_test.ts`).
 *
 * @module
 */
import { wait } from "../_body.ts";
import { newCanary } from "../../driver/canary.ts";
import type { HttpAnswer, HttpConn, RawHttpRequest } from "./_http.ts";
import {
  errors,
  KvStore,
  parseWrapTtl,
  POLICY_DENIED,
  SEALED,
  TOKEN_DENIED,
  type VaultReply,
  WrapStore,
} from "./_kv.ts";
import { cleanPath, hasDotSegment, parseQuery, parseVersion, pathMatches, unescapePath } from "./_paths.ts";
import { answerPdp, pickAnswer } from "./_pdp.ts";
import { InFlight, type KnownToken, Log, routeOf, type TokenRedactor } from "./_record.ts";
import type { BaoReadStep, BaoRequest, BaoScript, PdpAnswer, PdpCall, PdpResponder } from "./types.ts";

/** The most requests and PDP calls a scenario keeps; the longest scripted delay. */
export const SCENARIO_LIMITS = { records: 10_000, delayMs: 60_000 } as const;

const JSON_HEADERS: [string, string][] = [
  ["Cache-Control", "no-store"],
  ["Content-Type", "application/json"],
  ["Strict-Transport-Security", "max-age=31536000; includeSubDomains"],
];

function json(r: VaultReply): HttpAnswer {
  if (r.status === 204) return { status: 204, headers: JSON_HEADERS }; // OpenBao sends the type on 204s too
  return { status: r.status, headers: JSON_HEADERS, body: JSON.stringify(r.body) };
}

function redirect(status: number, location: string): HttpAnswer {
  const esc = location.replaceAll("&", "&amp;").replaceAll('"', "&#34;").replaceAll("<", "&lt;");
  return {
    status,
    headers: [["Cache-Control", "no-store"], ["Content-Type", "text/html; charset=utf-8"], [
      "Location",
      location,
    ]],
    body: `<a href="${esc}">${status === 307 ? "Temporary Redirect" : "Redirect"}</a>.\n\n`,
  };
}

const PRIMARY = new Set(["https", "http"]);

/** One scenario's state and request handler. */
export class ScenarioState {
  readonly created: number = performance.now();
  readonly token: string;
  readonly store: KvStore;
  readonly wraps: WrapStore = new WrapStore();
  readonly requests: Log<BaoRequest> = new Log(SCENARIO_LIMITS.records);
  readonly pdpCalls: Log<PdpCall> = new Log(SCENARIO_LIMITS.records);
  readonly vaultFlight: InFlight = new InFlight();
  readonly pdpFlight: InFlight = new InFlight();
  readonly released: AbortController = new AbortController();
  sealed: boolean;
  pdp: readonly PdpAnswer[] | PdpResponder;
  /** the foreign listeners' origins, set once they are bound */
  foreign: { https: string; http: string } = { https: "", http: "" };
  readonly #reads: BaoReadStep[];
  readonly #limited: { token: string; allow: string[] }[];
  readonly #denied: string[];
  readonly #redactor: TokenRedactor;
  #seq = 0;
  #pdpN = 0;
  #validN = 0;

  /**
   * @param script the scenario's script
   * @param redactor the mock server's token hasher
   */
  constructor(script: BaoScript, redactor: TokenRedactor) {
    this.token = script.token ?? newCanary();
    this.store = new KvStore(script.mounts ?? ["secret"], script.secrets ?? []);
    this.sealed = script.sealed ?? false;
    this.pdp = script.pdp ?? [{ decision: "allow" }];
    this.#reads = [...(script.reads ?? [])];
    this.#limited = script.limitedTokens ?? [];
    this.#denied = script.denied ?? [];
    this.#redactor = redactor;
  }

  /** every token the records must not hold */
  known(): KnownToken[] {
    return [
      { value: this.token, kind: "client" },
      ...this.#limited.map((l) => ({ value: l.token, kind: "limited" as const })),
      ...this.wraps.issued.map((w) => ({ value: w, kind: "wrapping" as const })),
    ];
  }

  /** Answer one request (null: destroy the connection), recording it first. */
  async handle(req: RawHttpRequest, conn: HttpConn): Promise<HttpAnswer | null> {
    if (this.released.signal.aborted) return null;
    const q = req.target.indexOf("?");
    const rawPath = q < 0 ? req.target : req.target.slice(0, q);
    const rawQuery = q < 0 ? "" : req.target.slice(q + 1);
    const decoded = unescapePath(cleanPath(rawPath)) ?? "";
    const route = decoded.startsWith("/v1/") ? routeOf(decoded.slice(4), req.method) : "other";
    const rec = this.#redactor.record(req, this.known(), {
      t: performance.now() - this.created,
      seq: this.#seq++,
      listener: conn.listener,
      connection: conn.id,
      route,
      status: 0,
    });
    this.requests.push(rec);
    const flight = route === "pdp" ? this.pdpFlight : this.vaultFlight;
    const answer = await flight.run(() =>
      rawPath === "/v1/pdp/authorize" ? this.#pdp(req, conn) : this.#vault(req, conn, rawPath, rawQuery)
    ).catch((e) => json(errors(500, `mock: ${e instanceof Error ? e.message : String(e)}`)));
    rec.status = answer?.status ?? 0;
    return answer;
  }

  async #delay(ms: number | undefined, conn: HttpConn): Promise<boolean> {
    if (ms === undefined || ms <= 0) return true;
    return await wait(Math.min(ms, SCENARIO_LIMITS.delayMs), [conn.signal, this.released.signal]);
  }

  async #vault(
    req: RawHttpRequest,
    conn: HttpConn,
    rawPath: string,
    rawQuery: string,
  ): Promise<HttpAnswer | null> {
    const query = rawQuery === "" ? "" : `?${rawQuery}`;
    if (!rawPath.startsWith("/")) return { status: 400, body: "400 Bad Request" };
    // 1. Go's net/http: the escaped path is cleaned first (a 307, even when sealed)
    const cleaned = cleanPath(rawPath);
    if (cleaned !== rawPath) return redirect(307, `${cleaned}${query}`);
    const decoded = unescapePath(rawPath);
    if (decoded === undefined) {
      return {
        status: 400,
        headers: [["Content-Type", "text/plain; charset=utf-8"]],
        body: "400 Bad Request",
      };
    }
    if (!decoded.startsWith("/v1/")) return json(errors(404));
    const api = decoded.slice(4);
    // 2. sealed, before any token or path check
    if (this.sealed) return json(SEALED);
    const route = routeOf(api, req.method);
    const step = route === "kv_read" && PRIMARY.has(conn.listener) ? this.#reads.shift() : undefined;
    if (!await this.#delay(step?.delay_ms, conn)) return null;
    if (hasDotSegment(api)) return json(errors(400, "relative paths not supported"));
    switch (step?.kind) {
      case undefined:
      case "serve":
        break;
      case "sealed":
        return json(SEALED);
      case "denied":
        return json(POLICY_DENIED);
      case "redirect": {
        const origin = conn.listener === "http" ? this.foreign.http : this.foreign.https;
        return redirect(step.status ?? 307, `${origin}${rawPath}${query}`);
      }
      case "raw":
        return json({ status: step.status, body: step.body });
      default: {
        const _x: never = step;
        return _x;
      }
    }
    const header = (n: string) => req.headers.find(([k]) => k === n)?.[1];
    const bearer = /^Bearer\s+(.+)$/i.exec(header("authorization") ?? "")?.[1];
    const token = header("x-vault-token") ?? bearer ?? "";
    if (route === "unwrap") return json(this.#unwrap(req, token));
    // 3. the token, then its policy, then the route
    const limited = this.#limited.find((l) => l.token === token);
    if (token !== this.token && limited === undefined) return json(TOKEN_DENIED);
    const allowed = limited
      ? limited.allow.some((p) => pathMatches(p, api))
      : !this.#denied.some((p) => pathMatches(p, api));
    if (!allowed) return json(POLICY_DENIED);
    if (api === "sys/seal" && (req.method === "PUT" || req.method === "POST") && limited === undefined) {
      this.sealed = true;
      return json({ status: 204, body: null });
    }
    const m = /^([^/]+)\/(data|delete|destroy)\/(.*)$/.exec(api);
    const mount = m?.[1] ?? "";
    if (!m || !this.store.mounts.has(mount)) {
      return json(errors(404, `no handler for route "${api}". route entry not found.`));
    }
    const path = m[3] ?? "";
    if (path === "") return json(errors(404));
    return json(this.#kv(req, route, mount, path, rawQuery, step));
  }

  #kv(
    req: RawHttpRequest,
    route: string,
    mount: string,
    path: string,
    rawQuery: string,
    step: BaoReadStep | undefined,
  ): VaultReply {
    const body = () => {
      try {
        return JSON.parse(new TextDecoder().decode(req.body)) as Record<string, unknown>;
      } catch {
        return {};
      }
    };
    const versions = () => {
      const v = body()?.versions;
      return Array.isArray(v) ? v.filter((n): n is number => Number.isInteger(n)) : [];
    };
    switch (route) {
      case "kv_read": {
        const v = parseVersion(parseQuery(rawQuery).get("version"));
        if (!v.ok) return errors(400, v.error);
        const pinned = step?.kind === "serve" && step.version !== undefined ? step.version : v.version;
        const reply = this.store.read(mount, path, pinned);
        const ttlHeader = req.headers.find(([n]) => n === "x-vault-wrap-ttl")?.[1];
        if (ttlHeader === undefined) return reply;
        const ttl = parseWrapTtl(ttlHeader);
        if (!ttl.ok) return errors(400, ttl.error);
        // an answer with an envelope is wrapped (deleted and destroyed too); a bare error is not
        const wrappable = reply.status === 200 ||
          (reply.body as { request_id?: unknown }).request_id !== undefined;
        if (ttl.seconds <= 0 || !wrappable) return reply;
        const creation = step?.kind === "serve" && step.creation_path !== undefined
          ? step.creation_path
          : `${mount}/data/${path}`;
        return this.wraps.wrap(reply, ttl.seconds, creation);
      }
      case "kv_write":
        if (req.method !== "POST" && req.method !== "PUT") return errors(405, "unsupported operation");
        return this.store.write(mount, path, body()?.data);
      case "kv_delete":
        return req.method === "DELETE"
          ? this.store.deleteLatest(mount, path)
          : this.store.deleteVersions(mount, path, versions());
      case "kv_destroy":
        return this.store.destroyVersions(mount, path, versions());
      default:
        return errors(405, "unsupported operation");
    }
  }

  #unwrap(req: RawHttpRequest, headerToken: string): VaultReply {
    let bodyToken: unknown;
    try {
      bodyToken = (JSON.parse(new TextDecoder().decode(req.body)) as { token?: unknown }).token;
    } catch { /* no body */ }
    if (typeof bodyToken === "string" && bodyToken !== "") {
      if (headerToken !== this.token) return TOKEN_DENIED;
      return this.wraps.unwrap(bodyToken);
    }
    if (headerToken === "") return errors(403, "error validating wrapping token: token is empty");
    return this.wraps.unwrap(headerToken);
  }

  async #pdp(req: RawHttpRequest, conn: HttpConn): Promise<HttpAnswer | null> {
    const headers: [string, string][] = [["Content-Type", "application/json"]];
    if (req.method !== "POST") return { status: 405, headers, body: JSON.stringify({ error: "use POST" }) };
    const meta = { n: this.#pdpN++, t: performance.now() - this.created, listener: conn.listener };
    const out = answerPdp(
      new TextDecoder().decode(req.body),
      meta,
      (r) => pickAnswer(this.pdp, r, this.#validN++),
    );
    this.pdpCalls.push(out.call);
    if (!await this.#delay(out.delayMs, conn)) return null;
    return { status: out.status, headers, body: JSON.stringify(out.body) };
  }
}
