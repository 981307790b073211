/**
 * Internal: a small, bounded HTTP/1.1 server over a Deno TCP or TLS listener. It exists so the mock
 * OpenBao sees each request line exactly as the client sent it (`Deno.serve` hands out a parsed URL,
 * with dot segments already removed). Keep-alive, `Content-Length` and chunked bodies,
 * `Expect: 100-continue`; every read is bounded in bytes and in time (see {@linkcode HTTP_LIMITS}).
 *
 * @module
 */
import { HTTP_LIMITS, parseHead, readBody, Reader, TooLarge } from "./_http_read.ts";

export { HTTP_LIMITS };

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
const CRLF2 = enc.encode("\r\n\r\n");

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
