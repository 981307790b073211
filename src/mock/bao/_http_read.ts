/**
 * Internal: the reading half of `_http.ts`: buffered, bounded, time-limited reads of request heads
 * and bodies.
 *
 * @module
 */
import type { RawHttpRequest } from "./_http.ts";

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

const enc = new TextEncoder();
const latin1 = new TextDecoder("latin1");

/** The peer closed the connection, or a read timed out (which closes it). */
export class Closed extends Error {}
/** A request to refuse with this status (400, 413, 431), then close. */
export class TooLarge extends Error {
  constructor(readonly status: number) {
    super(`too large (${status})`);
  }
}

/** Buffered, time-bounded reads from a connection (a timeout closes the connection). */
export class Reader {
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

/** Parse a request head (request line and headers, up to the blank line). */
export function parseHead(text: string): Omit<RawHttpRequest, "body"> {
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

/** Read a request's body (Content-Length or chunked), bounded. */
export async function readBody(r: Reader, headers: [string, string][]): Promise<Uint8Array> {
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
