/**
 * The byte-level parts of the reference server's front (`_front.ts`): a connection's buffered
 * reader with deadlines, where a request head ends, what its head says about the body, and where
 * a chunked body ends.
 *
 * @module
 */

/** Reads a connection into a buffer; a read may be bounded by a deadline (the read stays pending). */
export class ByteSource {
  #conn: Deno.Conn;
  #buf: Uint8Array = new Uint8Array(0);
  #pending: Promise<Uint8Array | null> | undefined;

  /** @param conn the connection to read */
  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /** @returns the bytes read and not taken yet */
  buffered(): Uint8Array {
    return this.#buf;
  }

  /**
   * Take the first `n` buffered bytes.
   *
   * @param n how many
   * @returns them
   */
  take(n: number): Uint8Array {
    const out = this.#buf.slice(0, n);
    this.#buf = this.#buf.subarray(n);
    return out;
  }

  /**
   * Read more, until `until` (a `performance.now()` time; Infinity: no limit).
   *
   * @param until the deadline
   * @returns "data" when bytes were added, "eof" when the peer closed, "timeout" when the deadline passed
   */
  async fill(until: number): Promise<"data" | "eof" | "timeout"> {
    this.#pending ??= (async () => {
      const b = new Uint8Array(16 * 1024);
      const n = await this.#conn.read(b);
      return n === null ? null : b.subarray(0, n);
    })();
    const read = this.#pending;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const left = until - performance.now();
    if (left <= 0) return "timeout";
    const got = Number.isFinite(left)
      ? await Promise.race([
        read,
        new Promise<"timeout">((r) => timer = setTimeout(() => r("timeout"), left)),
      ])
      : await read;
    clearTimeout(timer);
    if (got === "timeout") return "timeout";
    this.#pending = undefined;
    if (got === null) return "eof";
    const all = new Uint8Array(this.#buf.length + got.length);
    all.set(this.#buf);
    all.set(got, this.#buf.length);
    this.#buf = all;
    return "data";
  }
}

/**
 * Where a request head ends (the index after its blank line), or -1.
 *
 * @param b the bytes so far
 * @returns the head's length including CRLFCRLF, or -1
 * @example
 * ```ts
 * import { findHeadEnd } from "./_front_io.ts";
 * const b = new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n\r\nrest");
 * if (findHeadEnd(b) !== b.length - 4) throw new Error();
 * ```
 */
export function findHeadEnd(b: Uint8Array): number {
  for (let i = 3; i < b.length; i++) {
    if (b[i] === 10 && b[i - 1] === 13 && b[i - 2] === 10 && b[i - 3] === 13) return i + 1;
  }
  return -1;
}

/** What a request head says about its body. */
export interface HeadInfo {
  /** Transfer-Encoding ends in chunked */
  chunked: boolean;
  /** Content-Length (0 when absent or not a number) */
  contentLength: number;
}

/**
 * Read the body framing from a request head.
 *
 * @param head the head's bytes
 * @returns chunked, and the Content-Length
 * @example
 * ```ts
 * import { parseHead } from "./_front_io.ts";
 * const h = parseHead(new TextEncoder().encode("POST / HTTP/1.1\r\nContent-Length: 12\r\n\r\n"));
 * if (h.chunked || h.contentLength !== 12) throw new Error();
 * ```
 */
export function parseHead(head: Uint8Array): HeadInfo {
  const text = new TextDecoder("latin1").decode(head);
  let chunked = false;
  let contentLength = 0;
  for (const line of text.split("\r\n").slice(1)) {
    const i = line.indexOf(":");
    if (i < 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    const value = line.slice(i + 1).trim().toLowerCase();
    if (name === "transfer-encoding") chunked = /(?:^|,)\s*chunked\s*$/.test(value);
    if (name === "content-length" && /^\d{1,15}$/.test(value)) contentLength = Number(value);
  }
  return { chunked, contentLength: chunked ? 0 : contentLength };
}

/** Where a chunked body's parser is. */
export interface ChunkState {
  /** reading a size line, a chunk's data, the CRLF after it, or the trailer lines */
  phase: "size" | "data" | "crlf" | "trailer";
  /** the partial line read so far */
  line: string;
  /** data (or CRLF) bytes left in this chunk */
  left: number;
}

/**
 * Walk a chunked body: how many of these bytes belong to it, and whether it ended.
 *
 * @param b the buffered bytes
 * @param s the parser's state (updated)
 * @returns the bytes used, and done when the last chunk and trailers ended
 * @example
 * ```ts
 * import { skipChunked, type ChunkState } from "./_front_io.ts";
 * const s: ChunkState = { phase: "size", line: "", left: 0 };
 * const r = skipChunked(new TextEncoder().encode("3\r\nabc\r\n0\r\n\r\nGET"), s);
 * if (!r.done || r.used !== 15) throw new Error(JSON.stringify(r));
 * ```
 */
export function skipChunked(b: Uint8Array, s: ChunkState): { used: number; done: boolean } {
  let i = 0;
  while (i < b.length) {
    if (s.phase === "data" || s.phase === "crlf") {
      const n = Math.min(s.left, b.length - i);
      i += n;
      s.left -= n;
      if (s.left === 0) {
        if (s.phase === "data") {
          s.phase = "crlf";
          s.left = 2;
        } else s.phase = "size";
      }
      continue;
    }
    const c = b[i++] ?? 0;
    if (c !== 10) {
      if (s.line.length < 4096) s.line += String.fromCharCode(c);
      continue;
    }
    const line = s.line.replace(/\r$/, "");
    s.line = "";
    if (s.phase === "size") {
      const size = parseInt(line.split(";")[0] ?? "", 16);
      if (!Number.isFinite(size) || size <= 0) s.phase = "trailer";
      else {
        s.phase = "data";
        s.left = size;
      }
    } else if (line === "") return { used: i, done: true }; // the blank line after the trailers
  }
  return { used: i, done: false };
}
