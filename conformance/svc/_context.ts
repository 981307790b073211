/**
 * The context an `svc.*` check runs in, and the bounded HTTP probe every check sends its requests
 * through: each probe has a time limit, only ever goes to the target's origin (anything else is
 * refused; a redirect is returned as it is, never followed), is counted and timed, and is kept (status, headers of interest, a ≤ 500-char body
 * excerpt) for the evidence.
 *
 * @module
 */
import type { BaseContext, Evidence, RecordedRequest } from "../../src/engine/types.ts";
import type { Target } from "./target.ts";
import type { JwtKit } from "./_jwt_kit.ts";
import type { SvcChaos } from "./_chaos_net.ts";
import { errorMessage } from "../../src/util/error_message.ts";

/** What an svc check receives. */
export interface SvcContext extends BaseContext {
  /** the resolved target */
  readonly target: Target;
  /** the bounded HTTP probe (per check) */
  readonly probe: Prober;
  /** valid and forged tokens */
  readonly jwt: JwtKit;
  /** Toxiproxy in front of the target (`deno task chaos`, `certify:server --chaos`); else absent */
  readonly chaos?: SvcChaos;
}

/** One probe request. The path is relative to the target's origin; other origins are refused. */
export interface ProbeRequest {
  method: string;
  /** path, optionally with a query ("/items?q=1") */
  path: string;
  headers?: Record<string, string>;
  /** a bearer token for `Authorization` */
  bearer?: string;
  /** a JSON body (sets Content-Type: application/json) */
  json?: unknown;
  /** a raw text body (Content-Type from headers, default application/json) */
  text?: string;
  /** a streamed body of this many bytes, sent chunked (no Content-Length) */
  stream?: { totalBytes: number; chunkBytes: number; prefix?: string; suffix?: string };
  /** read only the headers, then cancel the body (for streams) @default false */
  headersOnly?: boolean;
  /** @default 5000 */
  timeoutMs?: number;
  /** a label for the evidence ("alg=none", "payload sqli-1") */
  label?: string;
}

/** What a probe got back. `status` 0 means no response (see `error`). */
export interface ProbeResponse {
  status: number;
  /** lower-case header names */
  headers: Record<string, string>;
  /** the body text, at most 64 KiB */
  text: string;
  ms: number;
  error?: string;
}

/** One request/response pair as kept for the evidence. */
export interface Exchange {
  n: number;
  label?: string;
  method: string;
  path: string;
  requestHeaders: Record<string, string>;
  requestBytes: number;
  requestExcerpt: string;
  status: number;
  responseHeaders: Record<string, string>;
  responseExcerpt: string;
  ms: number;
  error?: string;
}

const INTERESTING = [
  "content-type",
  "content-length",
  "www-authenticate",
  "x-request-id",
  "retry-after",
  "allow",
  "access-control-allow-origin",
  "access-control-allow-credentials",
  "access-control-allow-methods",
  "x-content-type-options",
  "x-frame-options",
  "content-security-policy",
  "strict-transport-security",
  "server",
  "x-powered-by",
  "x-xss-protection",
  "cache-control",
  "x-accel-buffering",
];

const MAX_TEXT = 64 * 1024;

/** Mask a bearer value for evidence: JWTs show their header's alg only. */
export function maskAuthorization(v: string): string {
  const m = /^(\S+)\s+(\S+)$/.exec(v);
  if (m === null) return `<redacted ${v.length} chars>`;
  const [, scheme, tok] = m;
  const first = (tok ?? "").split(".")[0] ?? "";
  let alg = "";
  try {
    const h: unknown = JSON.parse(atob(first.replace(/-/g, "+").replace(/_/g, "/")));
    if (h !== null && typeof h === "object" && "alg" in h) alg = ` alg=${String(h.alg)}`;
  } catch { /* not a JWT */ }
  return `${scheme} <token${alg} ${tok?.length ?? 0} chars>`;
}

/** The bounded probe. One per check; `close()` releases its HTTP client. */
export class Prober {
  readonly #base: URL;
  readonly #signal: AbortSignal;
  readonly #client: Deno.HttpClient | undefined;
  readonly #caPem: string | undefined;
  readonly #exchanges: Exchange[] = [];
  #count = 0;
  #totalMs = 0;
  readonly #started = performance.now();

  /**
   * @param base the target's base URL (its origin is the only one probed)
   * @param signal the check's abort signal
   * @param caCertPem a CA to trust for https
   */
  constructor(base: URL, signal: AbortSignal, caCertPem?: string) {
    this.#base = base;
    this.#signal = signal;
    this.#caPem = caCertPem;
    this.#client = caCertPem === undefined ? undefined : Deno.createHttpClient({ caCerts: [caCertPem] });
  }

  /** number of requests sent so far */
  get count(): number {
    return this.#count;
  }

  /** every exchange so far */
  get exchanges(): readonly Exchange[] {
    return this.#exchanges;
  }

  /**
   * The absolute URL of a path on the target; throws for anything that leaves the target's origin.
   *
   * @param path a path starting with "/"
   * @returns the URL
   */
  url(path: string): URL {
    if (!path.startsWith("/") || path.startsWith("//")) throw new Error(`probe refused: not a path: ${path}`);
    const basePath = this.#base.pathname.replace(/\/$/, "");
    const u = new URL(`${this.#base.origin}${basePath}${path}`);
    if (u.origin !== this.#base.origin) throw new Error(`probe refused: ${u.origin} is not the target`);
    return u;
  }

  /**
   * Send one request, bounded in time; never throws for network errors (status 0).
   *
   * @param req the request
   * @returns the response
   */
  async send(req: ProbeRequest): Promise<ProbeResponse> {
    const url = this.url(req.path);
    const headers = new Headers(req.headers ?? {});
    let body: BodyInit | undefined;
    let requestBytes = 0;
    let requestExcerpt = "";
    if (req.bearer !== undefined) headers.set("authorization", `Bearer ${req.bearer}`);
    if (req.json !== undefined) {
      const s = JSON.stringify(req.json);
      body = s;
      requestBytes = new TextEncoder().encode(s).length;
      requestExcerpt = s.slice(0, 500);
      if (!headers.has("content-type")) headers.set("content-type", "application/json");
    } else if (req.text !== undefined) {
      body = req.text;
      requestBytes = new TextEncoder().encode(req.text).length;
      requestExcerpt = req.text.slice(0, 500);
      if (!headers.has("content-type")) headers.set("content-type", "application/json");
    } else if (req.stream !== undefined) {
      const { totalBytes, chunkBytes } = req.stream;
      const te = new TextEncoder();
      const prefix = te.encode(req.stream.prefix ?? "");
      const suffix = te.encode(req.stream.suffix ?? "");
      const fillTotal = Math.max(0, totalBytes - prefix.length - suffix.length);
      let sent = 0;
      let stage = 0;
      body = new ReadableStream<Uint8Array>({
        pull(ctl) {
          if (stage === 0) {
            stage = 1;
            if (prefix.length > 0) return ctl.enqueue(prefix);
          }
          if (stage === 1 && sent < fillTotal) {
            const n = Math.min(chunkBytes, fillTotal - sent);
            sent += n;
            return ctl.enqueue(new Uint8Array(n).fill(0x61));
          }
          if (stage === 1) {
            stage = 2;
            if (suffix.length > 0) return ctl.enqueue(suffix);
          }
          ctl.close();
        },
      });
      requestBytes = totalBytes;
      requestExcerpt = `<${totalBytes} bytes streamed in ${chunkBytes}-byte chunks, no Content-Length>`;
      if (!headers.has("content-type")) headers.set("content-type", "application/json");
    }
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(new Error("probe time limit")), req.timeoutMs ?? 5000);
    const onAbort = () => ctl.abort(new Error("check time limit"));
    if (this.#signal.aborted) onAbort(); // the check is over: send nothing more
    this.#signal.addEventListener("abort", onAbort, { once: true });
    this.#count++;
    const t0 = performance.now();
    let res: ProbeResponse;
    try {
      const init: RequestInit & { client?: Deno.HttpClient } = {
        method: req.method,
        headers,
        signal: ctl.signal,
        redirect: "manual",
      };
      if (body !== undefined) init.body = body;
      if (this.#client !== undefined) init.client = this.#client;
      const r = await fetch(url, init);
      const hs: Record<string, string> = {};
      r.headers.forEach((v, k) => hs[k] = v);
      let text = "";
      if (req.headersOnly || r.body === null) {
        await r.body?.cancel();
      } else {
        text = await readBounded(r.body);
      }
      res = { status: r.status, headers: hs, text, ms: performance.now() - t0 };
    } catch (e) {
      res = { status: 0, headers: {}, text: "", ms: performance.now() - t0, error: errText(e) };
    } finally {
      clearTimeout(timer);
      this.#signal.removeEventListener("abort", onAbort);
    }
    this.#totalMs += res.ms;
    const reqHeaders: Record<string, string> = {};
    headers.forEach((v, k) => reqHeaders[k] = k === "authorization" ? maskAuthorization(v) : v);
    const shown: Record<string, string> = {};
    for (const k of INTERESTING) if (res.headers[k] !== undefined) shown[k] = res.headers[k];
    const ex: Exchange = {
      n: this.#count,
      method: req.method,
      path: url.pathname.slice(0, 300) + url.search.slice(0, 200) + (url.search.length > 200 ? "…" : ""),
      requestHeaders: reqHeaders,
      requestBytes,
      requestExcerpt,
      status: res.status,
      responseHeaders: shown,
      responseExcerpt: res.text.slice(0, 500),
      ms: Math.round(res.ms),
    };
    if (req.label !== undefined) ex.label = req.label;
    if (res.error !== undefined) ex.error = res.error;
    this.#exchanges.push(ex);
    return res;
  }

  /**
   * Build the evidence: the focused exchanges first (then the earliest), at most 12, the request
   * count and time in notes and timings.
   *
   * @param notes notes with numbers
   * @param focus the exchanges that matter most (e.g. the ones that broke the rule)
   * @returns the evidence
   */
  evidence(notes: string[] = [], focus: readonly Exchange[] = []): Evidence {
    const chosen: Exchange[] = [];
    for (const e of [...focus, ...this.#exchanges]) {
      if (chosen.length >= 12) break;
      if (!chosen.includes(e)) chosen.push(e);
    }
    chosen.sort((a, b) => a.n - b.n);
    const elapsed = Math.round(performance.now() - this.#started);
    const requests: RecordedRequest[] = chosen.map((e) => ({
      t: e.n,
      method: e.method,
      path: e.path.split("?")[0] ?? e.path,
      query: e.path.includes("?") ? e.path.slice(e.path.indexOf("?") + 1) : "",
      headers: e.requestHeaders,
      bodySize: e.requestBytes,
      body: e.requestExcerpt,
      connection: `probe-${e.n}`,
      listener: "probe",
    }));
    return {
      requests,
      reply: {
        responses: chosen.map((e) => ({
          n: e.n,
          ...(e.label === undefined ? {} : { label: e.label }),
          status: e.status,
          headers: e.responseHeaders,
          body: e.responseExcerpt,
          ms: e.ms,
          ...(e.error === undefined ? {} : { error: e.error }),
        })),
      },
      timings: { probe_requests: this.#count, probe_ms: Math.round(this.#totalMs), check_ms: elapsed },
      notes: [...notes, `probe requests: ${this.#count} in ${elapsed} ms`],
    };
  }

  /**
   * Send one raw HTTP/1.1 request over a fresh TCP/TLS connection (for methods `fetch` forbids, such
   * as TRACE), bounded in time and size. Never throws for network errors (status 0).
   *
   * @param method the request method
   * @param path the path (same-origin only)
   * @param headers extra request headers
   * @param timeoutMs @default 5000
   * @returns the response (status, headers, body text up to 64 KiB)
   */
  async raw(
    method: string,
    path: string,
    headers: Record<string, string> = {},
    timeoutMs = 5000,
  ): Promise<ProbeResponse> {
    const url = this.url(path);
    const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
    const host = url.hostname.replace(/^\[|\]$/g, "");
    const lines = [
      `${method} ${url.pathname}${url.search} HTTP/1.1`,
      `host: ${url.host}`,
      "connection: close",
    ];
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
    const t0 = performance.now();
    this.#count++;
    let conn: Deno.Conn | undefined;
    const timer = setTimeout(() => conn?.close(), timeoutMs);
    const onAbort = () => conn?.close();
    this.#signal.addEventListener("abort", onAbort, { once: true });
    let res: ProbeResponse;
    try {
      if (this.#signal.aborted) throw new Error("check time limit");
      conn = url.protocol === "https:"
        ? await Deno.connectTls({
          hostname: host,
          port,
          ...(this.#caPem === undefined ? {} : { caCerts: [this.#caPem] }),
        })
        : await Deno.connect({ hostname: host, port });
      await conn.write(new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n"));
      const buf = new Uint8Array(16 * 1024);
      let text = "";
      const dec = new TextDecoder();
      while (text.length < MAX_TEXT) {
        const n = await conn.read(buf);
        if (n === null) break;
        text += dec.decode(buf.subarray(0, n), { stream: true });
      }
      const complete = text.includes("\r\n\r\n");
      const [head = "", ...rest] = complete ? text.split("\r\n\r\n") : [""];
      const [statusLine = "", ...hl] = head.split("\r\n");
      const hs: Record<string, string> = {};
      for (const l of hl) {
        const i = l.indexOf(":");
        if (i > 0) hs[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      const status = Number(/^HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(statusLine)?.[1] ?? 0);
      res = { status, headers: hs, text: rest.join("\r\n\r\n"), ms: performance.now() - t0 };
      if (status === 0) {
        res.error = text === ""
          ? "the connection closed without a reply"
          : !complete && text.startsWith("HTTP/")
          ? `not an HTTP response: the header section did not end within ${text.length} characters`
          : `not an HTTP response: ${JSON.stringify(text.slice(0, 80))}`;
      }
    } catch (e) {
      res = { status: 0, headers: {}, text: "", ms: performance.now() - t0, error: errText(e) };
    } finally {
      clearTimeout(timer);
      this.#signal.removeEventListener("abort", onAbort);
      try {
        conn?.close();
      } catch { /* already closed */ }
    }
    this.#totalMs += res.ms;
    const shown: Record<string, string> = {};
    for (const k of INTERESTING) if (res.headers[k] !== undefined) shown[k] = res.headers[k];
    const ex: Exchange = {
      n: this.#count,
      label: "raw",
      method,
      path: url.pathname + url.search,
      requestHeaders: headers,
      requestBytes: 0,
      requestExcerpt: "",
      status: res.status,
      responseHeaders: shown,
      responseExcerpt: res.text.slice(0, 500),
      ms: Math.round(res.ms),
    };
    if (res.error !== undefined) ex.error = res.error;
    this.#exchanges.push(ex);
    return res;
  }

  /** Release the HTTP client. */
  close(): void {
    this.#client?.close();
  }
}

async function readBounded(body: ReadableStream<Uint8Array>): Promise<string> {
  const reader = body.getReader();
  const dec = new TextDecoder();
  let out = "";
  try {
    while (out.length < MAX_TEXT) {
      const { done, value } = await reader.read();
      if (done) return out;
      out += dec.decode(value, { stream: true });
    }
    await reader.cancel();
    return out.slice(0, MAX_TEXT);
  } finally {
    reader.releaseLock();
  }
}

function errText(e: unknown): string {
  return errorMessage(e).slice(0, 400);
}

/** The last exchange of a prober (the one a check just sent). */
export function last(p: Prober): Exchange {
  const e = p.exchanges[p.exchanges.length - 1];
  if (e === undefined) throw new Error("no exchange yet");
  return e;
}
