/**
 * Internal: the mock's records hold no raw token. Token header values become an HMAC (keyed per mock
 * server, so equal tokens compare equal and nothing can be looked up offline); every known token found
 * anywhere else (request line, other headers, body), in any form the kit's canary scanner knows, is
 * masked and listed as a sighting.
 *
 * @module
 */
import { createHmac } from "node:crypto";
import { findCanarySpans, maskCanaries } from "../../driver/canary.ts";
import type { RawHttpRequest } from "./_http.ts";
import type { BaoRequest, BaoRoute, TokenSighting } from "./types.ts";

/** Body bytes kept per request. */
export const BODY_KEEP_BYTES = 4096;
/** Headers whose values are tokens: kept as hashes only. */
const TOKEN_HEADERS = new Set(["x-vault-token", "authorization"]);

/** A token the records must never hold, with its kind. */
export interface KnownToken {
  value: string;
  kind: TokenSighting["token"];
}

/** Hashes and masks tokens for one mock server. */
export class TokenRedactor {
  readonly #key = crypto.getRandomValues(new Uint8Array(32));

  /**
   * The record's name for a token value.
   *
   * @param value a header value
   * @returns `hmac:<16 hex>`
   */
  hash(value: string): string {
    return `hmac:${createHmac("sha256", this.#key).update(value).digest("hex").slice(0, 16)}`;
  }

  /**
   * Turn a parsed request into a record: tokens hashed or masked, sightings listed.
   *
   * @param req the request as read
   * @param known the tokens to look for
   * @param base the fields the server knows (time, order, listener, route, status)
   * @returns the record
   */
  record(
    req: RawHttpRequest,
    known: readonly KnownToken[],
    base: Pick<BaoRequest, "t" | "seq" | "listener" | "connection" | "route" | "status">,
  ): BaoRequest {
    const values = known.map((k) => k.value).filter((v) => v.length > 0);
    const kindOf = new Map(known.map((k) => [k.value, k.kind]));
    const sightings: TokenSighting[] = [];
    const scan = (text: string, where: string): string => {
      if (values.length === 0 || text === "") return text;
      const spans = findCanarySpans(text, values);
      for (const s of spans) sightings.push({ token: kindOf.get(s.canary) ?? "client", where, form: s.form });
      return spans.length === 0 ? text : maskCanaries(text, values);
    };
    const q = req.target.indexOf("?");
    const headers: [string, string][] = [];
    let vaultToken: string | undefined;
    for (const [name, value] of req.headers) {
      if (TOKEN_HEADERS.has(name)) {
        const h = this.hash(value);
        if (name === "x-vault-token") vaultToken = h;
        else scan(value, `header ${name}`); // a token in Authorization is a sighting too
        headers.push([name, h]);
      } else headers.push([name, scan(value, `header ${name}`)]);
    }
    const bodyText = new TextDecoder().decode(req.body.subarray(0, BODY_KEEP_BYTES));
    const rec: BaoRequest = {
      ...base,
      requestLine: scan(req.line, "request line"),
      method: req.method,
      rawPath: maskCanaries(q < 0 ? req.target : req.target.slice(0, q), values),
      rawQuery: maskCanaries(q < 0 ? "" : req.target.slice(q + 1), values),
      headers,
      bodySize: req.body.length,
      body: scan(bodyText, "body"),
      sightings,
    };
    if (vaultToken !== undefined) rec.vaultToken = vaultToken;
    if (base.route === "unwrap") {
      const inBody = bodyToken(req.body);
      const unwrapToken = inBody !== undefined ? this.hash(inBody) : vaultToken;
      if (unwrapToken !== undefined) rec.unwrapToken = unwrapToken;
    }
    return rec;
  }
}

/** Bounded, waitable request and PDP-call logs of one scenario. */
export class Log<T> {
  readonly items: T[] = [];
  #dropped = 0;
  readonly #max: number;
  readonly #waiters = new Set<() => void>();

  /** @param max the most items kept */
  constructor(max: number) {
    this.#max = max;
  }

  /** items beyond the bound */
  get dropped(): number {
    return this.#dropped;
  }

  /** Keep an item (or count it as dropped), and wake waiters. */
  push(item: T): void {
    if (this.items.length >= this.#max) this.#dropped++;
    else this.items.push(item);
    for (const w of [...this.#waiters]) w();
  }

  /** Resolve with the count of items matching `pred` once it reaches `n`, or after `ms`. */
  waitFor(n: number, ms: number, pred: (t: T) => boolean, stop: AbortSignal): Promise<number> {
    const count = () => this.items.filter(pred).length;
    if (count() >= n || stop.aborted) return Promise.resolve(count());
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        stop.removeEventListener("abort", done);
        resolve(count());
      };
      const check = () => {
        if (count() >= n) done();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      stop.addEventListener("abort", done, { once: true });
      this.#waiters.add(check);
    });
  }
}

/** Counts what is in flight and remembers the peak. */
export class InFlight {
  #now = 0;
  #peak = 0;
  /** the peak so far */
  get peak(): number {
    return this.#peak;
  }
  /** run `f` counted as in flight */
  async run<T>(f: () => Promise<T>): Promise<T> {
    this.#now++;
    this.#peak = Math.max(this.#peak, this.#now);
    try {
      return await f();
    } finally {
      this.#now--;
    }
  }
}

/** A route's name for a decoded API path and method. */
export function routeOf(api: string, method: string): BaoRoute {
  if (api === "pdp/authorize") return "pdp";
  if (api === "sys/wrapping/unwrap") return "unwrap";
  if (api.startsWith("sys/")) return "sys";
  const m = /^[^/]+\/(data|delete|destroy)\//.exec(api);
  if (!m) return "other";
  if (m[1] === "delete") return "kv_delete";
  if (m[1] === "destroy") return "kv_destroy";
  if (method === "GET") return "kv_read";
  if (method === "DELETE") return "kv_delete";
  return "kv_write";
}

/** The string `token` member of a JSON object body (an unwrap's wrapping token), if any. */
function bodyToken(body: Uint8Array): string | undefined {
  if (body.length === 0) return undefined;
  try {
    const v: unknown = JSON.parse(new TextDecoder().decode(body));
    if (typeof v !== "object" || v === null || Array.isArray(v)) return undefined;
    const t = (v as Record<string, unknown>)["token"];
    return typeof t === "string" && t !== "" ? t : undefined;
  } catch {
    return undefined;
  }
}
