/**
 * Send one HTTP/1.1 request with its target exactly as given (no dot-segment removal, no
 * re-encoding, unlike `fetch`), and read the whole answer, bounded in bytes and time. The mock
 * OpenBao's tests and its fidelity test use it to send `a/../b` and `a//b` as an SDK might.
 *
 * @module
 */

/** Options of {@linkcode rawRequest}. */
export interface RawRequestOptions {
  /** extra headers (Host, Content-Length and `Connection: close` are added) */
  headers?: Record<string, string>;
  /** the body, sent as UTF-8 */
  body?: string;
  /** CA certificates (PEM) to trust for an `https:` base */
  caCerts?: string[];
  /**
   * the time limit of the whole exchange
   * @default 10000
   */
  timeoutMs?: number;
}

/** The answer. */
export interface RawResponse {
  status: number;
  /** header names lower-cased (a repeated header keeps its last value) */
  headers: Record<string, string>;
  /** the body as UTF-8 (chunked bodies decoded) */
  body: string;
}

/** The most bytes of an answer read. */
const MAX_BYTES = 1024 * 1024;

/**
 * Send `method target` to the origin `base` over a fresh connection and read the answer.
 *
 * @param base an origin, `http://127.0.0.1:PORT` or `https://…`
 * @param method the method
 * @param target the request target, sent verbatim (e.g. "/v1/secret/data/a/../b")
 * @param opts headers, body, CA, time limit
 * @returns the status, headers and body
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startBaoMock } from "./server.ts";
 * import { rawRequest } from "./raw_request.ts";
 * const bao = await startBaoMock();
 * const sc = await bao.scenario();
 * const res = await rawRequest(sc.httpBase, "GET", "/v1/secret/data/a/../b");
 * assert.equal(res.status, 307);
 * assert.equal(res.headers["location"], "/v1/secret/data/b");
 * assert.equal(sc.requests()[0]?.rawPath, "/v1/secret/data/a/../b");
 * await bao.close();
 * ```
 */
export async function rawRequest(
  base: string,
  method: string,
  target: string,
  opts: RawRequestOptions = {},
): Promise<RawResponse> {
  const url = new URL(base);
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  const hostname = url.hostname.replace(/^\[|\]$/g, "");
  const conn: Deno.Conn = url.protocol === "https:"
    ? await Deno.connectTls({ hostname, port, caCerts: opts.caCerts ?? [] })
    : await Deno.connect({ hostname, port });
  const timer = setTimeout(() => conn.close(), opts.timeoutMs ?? 10_000);
  try {
    const body = new TextEncoder().encode(opts.body ?? "");
    const lines = [`${method} ${target} HTTP/1.1`, `Host: ${url.host}`];
    for (const [k, v] of Object.entries(opts.headers ?? {})) lines.push(`${k}: ${v}`);
    if (opts.body !== undefined) lines.push(`Content-Length: ${body.length}`);
    lines.push("Connection: close");
    const head = new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n");
    const out = new Uint8Array(head.length + body.length);
    out.set(head);
    out.set(body, head.length);
    for (let off = 0; off < out.length;) off += await conn.write(out.subarray(off));
    return parse(await readAll(conn));
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed by the timer or the peer */ }
  }
}

async function readAll(conn: Deno.Conn): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  const buf = new Uint8Array(16 * 1024);
  while (size < MAX_BYTES) {
    let n: number | null;
    try {
      n = await conn.read(buf);
    } catch (e) {
      if (size > 0 && e instanceof Deno.errors.UnexpectedEof) break;
      if (size > 0 && e instanceof Deno.errors.ConnectionReset) break;
      throw e;
    }
    if (n === null) break;
    parts.push(buf.slice(0, n));
    size += n;
  }
  const all = new Uint8Array(size);
  let off = 0;
  for (const p of parts) {
    all.set(p, off);
    off += p.length;
  }
  return all;
}

function parse(bytes: Uint8Array): RawResponse {
  const text = new TextDecoder("latin1").decode(bytes);
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) throw new Error(`no complete response head (${bytes.length} bytes)`);
  const [statusLine = "", ...lines] = text.slice(0, end).split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? NaN);
  if (!Number.isInteger(status)) throw new Error(`bad status line: ${statusLine.slice(0, 80)}`);
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const c = l.indexOf(":");
    if (c > 0) headers[l.slice(0, c).trim().toLowerCase()] = l.slice(c + 1).trim();
  }
  let body = bytes.subarray(end + 4); // latin1: one char per byte
  if ((headers["transfer-encoding"] ?? "").toLowerCase().includes("chunked")) body = dechunk(body);
  return { status, headers, body: new TextDecoder().decode(body) };
}

function dechunk(b: Uint8Array): Uint8Array {
  const out: number[] = [];
  const latin = new TextDecoder("latin1");
  let i = 0;
  while (i < b.length) {
    let j = i;
    while (j + 1 < b.length && !(b[j] === 13 && b[j + 1] === 10)) j++;
    const n = parseInt(latin.decode(b.subarray(i, j)).split(";")[0] ?? "", 16);
    if (!Number.isFinite(n) || n === 0) break;
    out.push(...b.subarray(j + 2, j + 2 + n));
    i = j + 2 + n + 2;
  }
  return Uint8Array.from(out);
}
