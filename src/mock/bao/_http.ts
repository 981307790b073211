/**
 * Internal: a small, bounded HTTP/1.1 server over a Deno TCP or TLS listener. It exists so the mock
 * OpenBao sees each request line exactly as the client sent it (`Deno.serve` hands out a parsed URL,
 * with dot segments already removed). Keep-alive, `Content-Length` and chunked bodies,
 * `Expect: 100-continue`; every read is bounded in bytes and in time (see {@linkcode HTTP_LIMITS}).
 *
 * @module
 */

/** The bounds of every connection. */
export const HTTP_LIMITS = {
  /** request line and headers, bytes (431 beyond) */
  headBytes: 16 * 1024,
  /** header lines (431 beyond) */
  headers: 100,
  /** request body, bytes (413 beyond) */
  bodyBytes: 1024 * 1024,
  /** time to receive a whole head once its first byte arrived, or a whole body */
  readMs: 10_000,
  /** time an idle keep-alive connection is kept */
  idleMs: 30_000,
  /** open connections per listener (more are closed at once) */
  connections: 256,
} as const;

/** One parsed request. */
export interface RawHttpRequest {
  /** the request line as sent, without CRLF */
  line: string;
  method: string;
  /** the request target exactly as sent */
  target: string;
  /** header lines in order, names lower-cased, values trimmed */
  headers: [string, string][];
  /** the body (whole: it is bounded by {@linkcode HTTP_LIMITS}.bodyBytes) */
  body: Uint8Array;
}

/** An answer; `null` from a handler destroys the connection instead. */
export interface HttpAnswer {
  status: number;
  headers?: [string, string][];
  body?: string | Uint8Array;
}

/** The connection a request came on. */
export interface HttpConn {
  /** the listener's name */
  listener: string;
  /** `<listener>:<client port>` */
  id: string;
  /** aborted when the connection or the listener closes */
  signal: AbortSignal;
}

/** Answers one request. */
export type HttpHandler = (req: RawHttpRequest, conn: HttpConn) => Promise<HttpAnswer | null>;

const REASONS: Record<number, string> = {
  100: "Continue",
  200: "OK",
  204: "No Content",
  301: "Moved Permanently",
  302: "Found",
  303: "See Other",
  307: "Temporary Redirect",
  308: "Permanent Redirect",
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  413: "Request Entity Too Large",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

const enc = new TextEncoder();
const latin1 = new TextDecoder("latin1");

class Closed extends Error {}
class TooLarge extends Error {
  constructor(readonly status: number) {
    super(`too large (${status})`);
  }
}

/** Buffered, time-bounded reads from a connection (a timeout closes the connection). */
class Reader {
  #buf = new Uint8Array(0);
  readonly #conn: Deno.Conn;
  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  async #more(ms: number): Promise<void> {
    const chunk = new Uint8Array(16 * 1024);
    const timer = setTimeout(() => this.#conn.close(), ms);
    let n: number | null;
    try {
      n = await this.#conn.read(chunk);
    } catch {
      n = null;
    } finally {
      clearTimeout(timer);
    }
    if (n === null) throw new Closed();
    const joined = new Uint8Array(this.#buf.length + n);
    joined.set(this.#buf);
    joined.set(chunk.subarray(0, n), this.#buf.length);
    this.#buf = joined;
  }

  /** Bytes up to and including the first CRLFCRLF (or CRLF when `lineOnly`), at most `max`. */
  async until(marker: Uint8Array, max: number, firstMs: number, restMs: number): Promise<Uint8Array> {
    let first = this.#buf.length === 0;
    while (true) {
      const i = indexOf(this.#buf, marker);
      if (i >= 0 && i + marker.length <= max) return this.take(i + marker.length);
      if (i >= 0 || this.#buf.length >= max) throw new TooLarge(431);
      await this.#more(first ? firstMs : restMs);
      first = false;
    }
  }

  async exactly(n: number, ms: number): Promise<Uint8Array> {
    while (this.#buf.length < n) await this.#more(ms);
    return this.take(n);
  }

  take(n: number): Uint8Array {
    const out = this.#buf.slice(0, n);
    this.#buf = this.#buf.slice(n);
    return out;
  }
}

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

const CRLF = enc.encode("\r\n");
const CRLF2 = enc.encode("\r\n\r\n");

function parseHead(
  text: string,
): { line: string; method: string; target: string; headers: [string, string][] } {
  const lines = text.slice(0, -4).split("\r\n");
  const line = lines[0] ?? "";
  const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/1\.[01]$/.exec(line);
  if (!m?.[1] || !m[2]) throw new TooLarge(400);
  if (lines.length - 1 > HTTP_LIMITS.headers) throw new TooLarge(431);
  const headers: [string, string][] = [];
  for (const l of lines.slice(1)) {
    const c = l.indexOf(":");
    if (c <= 0) throw new TooLarge(400);
    headers.push([l.slice(0, c).trim().toLowerCase(), l.slice(c + 1).trim()]);
  }
  return { line, method: m[1], target: m[2], headers };
}

async function readBody(r: Reader, headers: [string, string][]): Promise<Uint8Array> {
  const te = headers.find(([n]) => n === "transfer-encoding")?.[1].toLowerCase() ?? "";
  if (te.includes("chunked")) {
    const parts: Uint8Array[] = [];
    let size = 0;
    while (true) {
      const sizeLine = latin1.decode(await r.until(CRLF, 1024, HTTP_LIMITS.readMs, HTTP_LIMITS.readMs));
      const n = parseInt(sizeLine.split(";")[0]?.trim() ?? "", 16);
      if (!Number.isFinite(n) || n < 0) throw new TooLarge(400);
      if (n === 0) {
        // trailers, then the final CRLF
        while ((await r.until(CRLF, 8192, HTTP_LIMITS.readMs, HTTP_LIMITS.readMs)).length > 2);
        break;
      }
      size += n;
      if (size > HTTP_LIMITS.bodyBytes) throw new TooLarge(413);
      parts.push(await r.exactly(n, HTTP_LIMITS.readMs));
      await r.exactly(2, HTTP_LIMITS.readMs);
    }
    const out = new Uint8Array(size);
    let off = 0;
    for (const p of parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  }
  const cl = headers.find(([n]) => n === "content-length")?.[1];
  if (cl === undefined) return new Uint8Array(0);
  if (!/^\d{1,15}$/.test(cl)) throw new TooLarge(400);
  const n = Number(cl);
  if (n > HTTP_LIMITS.bodyBytes) throw new TooLarge(413);
  return await r.exactly(n, HTTP_LIMITS.readMs);
}

/**
 * Render a response: status line, the given headers, `Content-Length` and `Connection`.
 *
 * @param a the answer
 * @param keepAlive whether the connection stays open
 * @returns the bytes to write
 */
export function renderAnswer(a: HttpAnswer, keepAlive: boolean): Uint8Array {
  const body = typeof a.body === "string" ? enc.encode(a.body) : a.body ?? new Uint8Array(0);
  const lines = [`HTTP/1.1 ${a.status} ${REASONS[a.status] ?? "Status"}`];
  for (const [n, v] of a.headers ?? []) lines.push(`${n}: ${v}`);
  lines.push(`Date: ${new Date().toUTCString()}`);
  if (a.status !== 204 && a.status !== 304) lines.push(`Content-Length: ${body.length}`);
  lines.push(`Connection: ${keepAlive ? "keep-alive" : "close"}`);
  const head = enc.encode(lines.join("\r\n") + "\r\n\r\n");
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await conn.write(bytes.subarray(off));
}

/** A listener serving {@linkcode HttpHandler} over HTTP/1.1. */
export class Http1Server {
  readonly #listener: Deno.Listener;
  readonly #name: string;
  readonly #handler: HttpHandler;
  readonly #open = new Map<Deno.Conn, AbortController>();
  readonly #pending = new Set<Promise<void>>();
  readonly #accepting: Promise<void>;
  #closed = false;

  /**
   * @param name the listener's name (recorded with each request)
   * @param listener a bound TCP or TLS listener (this server closes it)
   * @param handler answers each request
   */
  constructor(name: string, listener: Deno.Listener, handler: HttpHandler) {
    this.#name = name;
    this.#listener = listener;
    this.#handler = handler;
    this.#accepting = this.#accept();
  }

  /** the bound port */
  get port(): number {
    return (this.#listener.addr as Deno.NetAddr).port;
  }

  async #accept(): Promise<void> {
    while (!this.#closed) {
      let conn: Deno.Conn;
      try {
        conn = await this.#listener.accept();
      } catch {
        return;
      }
      if (this.#closed || this.#open.size >= HTTP_LIMITS.connections) {
        conn.close();
        continue;
      }
      const ac = new AbortController();
      this.#open.set(conn, ac);
      const p = this.#serve(conn, ac.signal).catch(() => {}).finally(() => {
        this.#open.delete(conn);
        ac.abort();
        try {
          conn.close();
        } catch { /* closed already */ }
      });
      this.#pending.add(p);
      p.finally(() => this.#pending.delete(p));
    }
  }

  async #serve(conn: Deno.Conn, signal: AbortSignal): Promise<void> {
    const r = new Reader(conn);
    const info: HttpConn = {
      listener: this.#name,
      id: `${this.#name}:${(conn.remoteAddr as Deno.NetAddr).port}`,
      signal,
    };
    while (!this.#closed) {
      let req: RawHttpRequest;
      try {
        const headBytes = await r.until(CRLF2, HTTP_LIMITS.headBytes, HTTP_LIMITS.idleMs, HTTP_LIMITS.readMs);
        const head = parseHead(latin1.decode(headBytes));
        if (
          head.headers.some(([n, v]) => n === "expect" && v.toLowerCase() === "100-continue") &&
          head.headers.some(([n]) => n === "content-length" || n === "transfer-encoding")
        ) await writeAll(conn, enc.encode("HTTP/1.1 100 Continue\r\n\r\n"));
        req = { ...head, body: await readBody(r, head.headers) };
      } catch (e) {
        if (e instanceof TooLarge) {
          await writeAll(conn, renderAnswer({ status: e.status, body: "" }, false)).catch(() => {});
        }
        return;
      }
      const answer = await this.#handler(req, info);
      if (answer === null || signal.aborted) return;
      const connHeader = req.headers.find(([n]) => n === "connection")?.[1].toLowerCase() ?? "";
      const keep = !connHeader.includes("close") && !req.line.endsWith("HTTP/1.0");
      await writeAll(conn, renderAnswer(answer, keep));
      if (!keep) return;
    }
  }

  /** stop accepting, close every connection, wait for their handlers */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#listener.close();
    } catch { /* closed already */ }
    await this.#accepting;
    for (const [conn, ac] of this.#open) {
      ac.abort();
      try {
        conn.close();
      } catch { /* closed already */ }
    }
    await Promise.all([...this.#pending]);
  }
}
