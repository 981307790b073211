/**
 * A tiny in-test fake of OpenBao's KVv2 API and the kit's PDP (test-only, not the mock server):
 * real loopback `Deno.serve` servers, no fetch mocks. It follows the contract of the secrets
 * profile: `GET /v1/<mount>/data/<path>?version=N` with `X-Vault-Token` (the 200 / 404 / 403 / 503
 * shapes OpenBao 2.7.2 gives), wrapping with `X-Vault-Wrap-TTL` and one
 * `POST /v1/sys/wrapping/unwrap`, and `POST /v1/pdp/authorize` scripted per call. A second server
 * plays a foreign origin for redirects. Internal.
 *
 * @module
 */

/** One request a fake server saw. */
export interface FakeRequest {
  /** which server: the vault (KV and PDP) or the foreign origin */
  origin: "vault" | "foreign";
  method: string;
  /** the request target as the server got it (path and query) */
  target: string;
  headers: Record<string, string>;
  body: string;
}

/** A grant the fake PDP issues (every field may be scripted). */
export interface FakeGrant {
  id: string;
  ttl_ms: number;
  max_uses: number;
  audience: string;
  binding: string | null;
  wrap_ttl_s: number | null;
}

/** What the fake PDP answers one question with. */
export type PdpReply =
  | { allow: Partial<FakeGrant> }
  | { deny: string }
  | "outage"
  | { delayMs: number; then: PdpReply };

/** One version of a secret. */
interface Version {
  data: Record<string, unknown>;
  created: string;
  deleted: boolean;
  destroyed: boolean;
}

function json(status: number, value: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

function envelope(data: unknown, wrapInfo: unknown = null): Record<string, unknown> {
  return {
    request_id: crypto.randomUUID(),
    lease_id: "",
    renewable: false,
    lease_duration: 0,
    data,
    wrap_info: wrapInfo,
    warnings: null,
    auth: null,
  };
}

function targetOf(req: Request): string {
  const u = req.url;
  const i = u.indexOf("/", u.indexOf("://") + 3);
  return i < 0 ? "/" : u.slice(i);
}

/** The fake vault + PDP, and the foreign origin. */
export class FakeBao {
  /** every request, in order, both servers */
  readonly requests: FakeRequest[] = [];
  /** the PDP's questions, parsed */
  readonly pdpQuestions: Record<string, unknown>[] = [];
  /** the PDP's script (default: allow, 60 s, 1000 uses, no binding, no wrapping) */
  pdp: (q: Record<string, unknown>, n: number) => PdpReply = () => ({ allow: {} });
  /** answer KV reads as this version instead (a server that ignores the pin) */
  answerVersion: number | undefined;
  /** the `creation_path` of wrapped answers, from the real one */
  creationPath: (real: string) => string = (real) => real;
  /** a KV read of this mount/path answers 403 */
  readonly forbidden: Set<string> = new Set();
  /** a KV read of this mount/path answers 307 to the foreign origin */
  readonly redirected: Set<string> = new Set();
  /** every KV read answers 503 (sealed) */
  sealed = false;
  /** hook before the KV logic: a response replaces it */
  override:
    | ((req: Request, target: string) => Response | undefined | Promise<Response | undefined>)
    | undefined;

  readonly #token: string;
  readonly #secrets = new Map<string, Version[]>();
  readonly #wraps = new Map<string, { status: number; body: unknown } | "used">();
  readonly #closing = new AbortController();
  readonly #servers: Deno.HttpServer[] = [];
  #url = "";
  #foreignUrl = "";

  private constructor(token: string) {
    this.#token = token;
  }

  /**
   * Start both servers on loopback (HTTPS when a certificate is given).
   *
   * @param token the vault token KV reads must carry
   * @param tls a certificate chain and key
   * @returns the running fake
   */
  static start(token: string, tls?: { cert: string; key: string }): FakeBao {
    const f = new FakeBao(token);
    const listen = (origin: FakeRequest["origin"]) => {
      const base = { hostname: "127.0.0.1", port: 0, onListen: () => {}, signal: f.#closing.signal };
      const s = Deno.serve(tls ? { ...base, ...tls } : base, (req) => f.#handle(origin, req));
      f.#servers.push(s);
      return `${tls ? "https" : "http"}://127.0.0.1:${s.addr.port}`;
    };
    f.#url = listen("vault");
    f.#foreignUrl = listen("foreign");
    return f;
  }

  /** the vault's (and PDP's) base URL */
  get url(): string {
    return this.#url;
  }

  /** the foreign origin's base URL */
  get foreignUrl(): string {
    return this.#foreignUrl;
  }

  /**
   * Write a new version of a secret.
   *
   * @param path `mount/path`
   * @param data the data
   * @returns the new version number
   */
  put(path: string, data: Record<string, unknown>): number {
    const vs = this.#secrets.get(path) ?? [];
    vs.push({ data, created: new Date().toISOString(), deleted: false, destroyed: false });
    this.#secrets.set(path, vs);
    return vs.length;
  }

  /** Soft-delete a version. */
  softDelete(path: string, version: number): void {
    const v = this.#secrets.get(path)?.[version - 1];
    if (v) v.deleted = true;
  }

  /** Destroy a version. */
  destroy(path: string, version: number): void {
    const v = this.#secrets.get(path)?.[version - 1];
    if (v) v.destroyed = true;
  }

  /** KV reads of the vault (GET …/data/…), unwraps and PDP questions so far. */
  counts(): { kvReads: number; unwraps: number; pdp: number; foreign: number } {
    const v = this.requests.filter((r) => r.origin === "vault");
    return {
      kvReads: v.filter((r) => r.method === "GET" && /^\/v1\/[^/]+\/data\//.test(r.target)).length,
      unwraps: v.filter((r) => r.target.startsWith("/v1/sys/wrapping/unwrap")).length,
      pdp: v.filter((r) => r.target.startsWith("/v1/pdp/")).length,
      foreign: this.requests.filter((r) => r.origin === "foreign").length,
    };
  }

  /**
   * Resolves when the request's client goes away or the fake closes (a stalled answer).
   *
   * @param req the request to stall
   * @returns when to give up
   */
  stall(req: Request): Promise<void> {
    return new Promise((resolve) => {
      if (req.signal.aborted || this.#closing.signal.aborted) return resolve();
      req.signal.addEventListener("abort", () => resolve(), { once: true });
      this.#closing.signal.addEventListener("abort", () => resolve(), { once: true });
    });
  }

  /** Stop both servers. */
  async close(): Promise<void> {
    this.#closing.abort();
    await Promise.all(this.#servers.map((s) => s.finished));
  }

  async #handle(origin: FakeRequest["origin"], req: Request): Promise<Response> {
    const target = targetOf(req);
    const body = req.body ? await req.text() : "";
    this.requests.push({
      origin,
      method: req.method,
      target,
      headers: Object.fromEntries(req.headers),
      body,
    });
    if (origin === "foreign") {
      return json(200, envelope({ data: { stolen: true }, metadata: { version: 1 } }));
    }
    if (this.override) {
      const r = await this.override(req, target);
      if (r) return r;
    }
    if (req.method === "POST" && target === "/v1/pdp/authorize") return await this.#pdp(body);
    if (req.method === "POST" && target === "/v1/sys/wrapping/unwrap") return this.#unwrap(req);
    const m = /^\/v1\/([^/?]+)\/data\/([^?]*)(?:\?(.*))?$/.exec(target);
    if (req.method === "GET" && m) return this.#read(req, m[1] ?? "", m[2] ?? "", m[3] ?? "");
    return json(404, { errors: [] });
  }

  async #pdp(body: string): Promise<Response> {
    let q: Record<string, unknown> = {};
    try {
      q = JSON.parse(body);
    } catch { /* an empty question */ }
    this.pdpQuestions.push(q);
    let reply = this.pdp(q, this.pdpQuestions.length - 1);
    while (typeof reply === "object" && "delayMs" in reply) {
      await new Promise((r) => setTimeout(r, (reply as { delayMs: number }).delayMs));
      reply = reply.then;
    }
    if (reply === "outage") return json(503, { errors: ["pdp unavailable"] });
    if ("deny" in reply) return json(200, { decision: "deny", reason: reply.deny });
    const n = this.pdpQuestions.length;
    const grant: FakeGrant = {
      id: `g${n}`,
      ttl_ms: 60_000,
      max_uses: 1_000,
      audience: "crud.secrets",
      binding: null,
      wrap_ttl_s: null,
      ...reply.allow,
    };
    return json(200, { decision: "allow", grant });
  }

  #unwrap(req: Request): Response {
    const token = req.headers.get("x-vault-token") ?? "";
    const w = this.#wraps.get(token);
    if (w === undefined || w === "used") {
      return json(400, { errors: ["wrapping token is not valid or does not exist"] });
    }
    this.#wraps.set(token, "used");
    return json(w.status, w.body);
  }

  #read(req: Request, mount: string, rawPath: string, query: string): Response {
    if (rawPath.includes("//") || /(^|\/)\.\.?(\/|$)/.test(rawPath)) {
      const clean = rawPath.split("/").filter((s) => s !== "" && s !== ".").join("/");
      return new Response(null, { status: 307, headers: { location: `/v1/${mount}/data/${clean}` } });
    }
    const path = `${mount}/${decodeURIComponent(rawPath)}`;
    if (req.headers.get("x-vault-token") !== this.#token || this.forbidden.has(path)) {
      return json(403, { errors: ["permission denied"] });
    }
    if (this.redirected.has(path)) {
      return new Response(null, {
        status: 307,
        headers: { location: `${this.#foreignUrl}${targetOf(req)}` },
      });
    }
    if (this.sealed) return json(503, { errors: ["Vault is sealed"] });
    const param = new URLSearchParams(query).get("version");
    const vs = this.#secrets.get(path) ?? [];
    let n = vs.length;
    if (param !== null) {
      if (!/^-?\d+$/.test(param)) return json(400, { errors: ["invalid version"] });
      if (Number(param) > 0) n = Number(param);
    }
    const v = vs[n - 1];
    if (v === undefined) return json(404, { errors: [] });
    const gone = v.deleted || v.destroyed;
    const meta = {
      created_time: v.created,
      custom_metadata: null,
      deletion_time: v.deleted ? v.created : "",
      destroyed: v.destroyed,
      version: this.answerVersion ?? n,
    };
    const status = gone ? 404 : 200;
    const data = { data: gone ? null : v.data, metadata: meta };
    const ttl = req.headers.get("x-vault-wrap-ttl");
    if (ttl !== null) {
      const token = `hvs.wrap-${crypto.randomUUID()}`;
      this.#wraps.set(token, { status, body: envelope(data) });
      const info = {
        token,
        accessor: crypto.randomUUID(),
        ttl: parseInt(ttl, 10) || 60,
        creation_time: new Date().toISOString(),
        creation_path: this.creationPath(`${mount}/data/${rawPath}`),
      };
      return json(200, envelope(null, info));
    }
    return json(status, envelope(data));
  }
}
