/**
 * The reference server's HTTP/1.1 front: a small TCP (or TLS) listener on 127.0.0.1 that pipes each
 * connection to `Deno.serve` on a loopback port, and adds what `Deno.serve` lacks (measured: it
 * never cuts a request head trickled one byte at a time, and answers a 1 MiB head with a bare 400):
 *
 * - a request head must arrive whole within `headTimeoutMs` (timed from the connection's accept for
 *   its first request, from the first byte for a later one), else 408 and the connection closes;
 * - a request head over `maxHeadBytes` is answered 431 and the connection closes;
 * - a request body (Content-Length or chunked) must arrive whole within `bodyTimeoutMs` of its
 *   head, else 408 and both connections close (the handler's body read fails: nothing is written).
 *
 * Each client connection costs one upstream connection and two small async loops, so idle
 * keep-alive connections hold no worker. Faults (`maxConnections`, `noHeadTimeout`,
 * `noBodyTimeout`) build the one-fault mutants of the chaos checks.
 *
 * @module
 */
import { ByteSource, type ChunkState, findHeadEnd, parseHead, skipChunked } from "./_front_io.ts";

/** Options of {@linkcode startFront}. */
export interface FrontOptions {
  /** the plain-HTTP port `Deno.serve` listens on (127.0.0.1) */
  upstreamPort: number;
  /** serve TLS (HTTP/1.1 only) with this chain and key; plain TCP when absent */
  tls?: { certChainPem: string; keyPem: string };
  /** a request head must arrive within this @default 10_000 */
  headTimeoutMs?: number;
  /** a request body must arrive within this of its head @default 30_000 */
  bodyTimeoutMs?: number;
  /** a longer head is answered 431 @default 65_536 */
  maxHeadBytes?: number;
  /** fault: accept at most this many connections at once (later ones wait in the backlog) */
  maxConnections?: number;
  /** fault: no time limit on a request head */
  noHeadTimeout?: boolean;
  /** fault: no time limit on a request body */
  noBodyTimeout?: boolean;
  /** fault: a head over `maxHeadBytes` is answered this status (not 431), after this delay (svc.jwt.oversized) */
  oversized?: { status: 431 | 500; delayMs: number };
  /** extra headers on the front's own 408 and 431 answers (e.g. the server's security headers) */
  headers?: Record<string, string>;
}

/** A running front. */
export interface Front {
  /** the port clients connect to */
  readonly port: number;
  /** connections open right now */
  open(): number;
  /** stop accepting and close every connection */
  close(): Promise<void>;
}

const enc = new TextEncoder();

function answer(status: 408 | 431 | 500, extra: Record<string, string>): Uint8Array {
  const [code, text, message] = status === 408
    ? ["request_timeout", "Request Timeout", "the request did not arrive in time"]
    : status === 500
    ? ["internal", "Internal Server Error", "internal error"]
    : ["header_fields_too_large", "Request Header Fields Too Large", "the request head is too large"];
  const rid = crypto.randomUUID();
  const kind = status === 500 ? "server" : "client";
  const body = JSON.stringify({ code, kind, message, correlation_id: rid, details: {} });
  const lines = [
    `HTTP/1.1 ${status} ${text}`,
    "content-type: application/json",
    `content-length: ${enc.encode(body).length}`,
    "connection: close",
    `x-request-id: ${rid}`,
    ...Object.entries(extra).map(([k, v]) => `${k}: ${v}`),
  ];
  return enc.encode(`${lines.join("\r\n")}\r\n\r\n${body}`);
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await conn.write(bytes.subarray(off));
}

function closeQuietly(c: Deno.Conn | undefined): void {
  try {
    c?.close();
  } catch {
    // already closed
  }
}

/**
 * Start a front on 127.0.0.1 (a free port) that pipes to `Deno.serve` on `upstreamPort`.
 *
 * @param opts the upstream port, TLS, limits and faults
 * @returns the running front
 * @example
 * ```ts
 * import { startFront } from "./_front.ts";
 * const ac = new AbortController();
 * const s = Deno.serve({ hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} }, () => new Response("ok"));
 * const f = startFront({ upstreamPort: s.addr.port });
 * const r = await fetch(`http://127.0.0.1:${f.port}/`);
 * if ((await r.text()) !== "ok") throw new Error();
 * await f.close();
 * ac.abort();
 * await s.finished;
 * ```
 */
export function startFront(opts: FrontOptions): Front {
  const headTimeoutMs = opts.noHeadTimeout ? Infinity : opts.headTimeoutMs ?? 10_000;
  const bodyTimeoutMs = opts.noBodyTimeout ? Infinity : opts.bodyTimeoutMs ?? 30_000;
  const maxHead = opts.maxHeadBytes ?? 65_536;
  const extra = opts.headers ?? {};
  const listener: Deno.Listener = opts.tls
    ? Deno.listenTls({
      hostname: "127.0.0.1",
      port: 0,
      cert: opts.tls.certChainPem,
      key: opts.tls.keyPem,
      alpnProtocols: ["http/1.1"],
    })
    : Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  let closed = false;
  let slotFreed: (() => void) | undefined;

  const serve = async (client: Deno.Conn) => {
    const acceptedAt = performance.now();
    const src = new ByteSource(client);
    let upstream: Deno.TcpConn | undefined;
    let piping: Promise<void> | undefined;
    const fail = async (status: 408 | 431 | 500) => {
      await writeAll(client, answer(status, extra)).catch(() => {});
      closeQuietly(upstream);
      closeQuietly(client);
    };
    const tooLarge = async () => {
      const o = opts.oversized ?? { status: 431, delayMs: 0 };
      if (o.delayMs > 0) await new Promise((r) => setTimeout(r, o.delayMs));
      await fail(o.status);
    };
    try {
      for (let first = true;; first = false) {
        // the head: timed from the accept (first request) or from its first byte (later ones)
        let startedAt = first ? acceptedAt : undefined;
        let end = -1;
        for (;;) {
          end = findHeadEnd(src.buffered());
          if (end >= 0) break;
          if (src.buffered().length > maxHead) return await tooLarge();
          const until = startedAt === undefined ? Infinity : startedAt + headTimeoutMs;
          const got = await src.fill(until);
          if (got === "timeout") return await fail(408);
          if (got === "eof") {
            upstream?.closeWrite().catch(() => {});
            await piping;
            return;
          }
          startedAt ??= performance.now();
        }
        if (end > maxHead) return await tooLarge();
        const head = src.take(end);
        const parsed = parseHead(head);
        if (!upstream) {
          upstream = await Deno.connect({ hostname: "127.0.0.1", port: opts.upstreamPort });
          const up = upstream;
          piping = (async () => {
            const buf = new Uint8Array(64 * 1024);
            try {
              for (;;) {
                const n = await up.read(buf);
                if (n === null) break;
                await writeAll(client, buf.subarray(0, n));
              }
            } catch {
              // either side went away
            }
            closeQuietly(client);
            closeQuietly(up);
          })();
        }
        await writeAll(upstream, head);
        const bodyUntil = performance.now() + bodyTimeoutMs;
        if (parsed.chunked) {
          const state: ChunkState = { phase: "size", line: "", left: 0 };
          for (;;) {
            const { used, done } = skipChunked(src.buffered(), state);
            if (used > 0) await writeAll(upstream, src.take(used));
            if (done) break;
            const got = await src.fill(bodyUntil);
            if (got === "timeout") return await fail(408);
            if (got === "eof") return closeQuietly(upstream);
          }
        } else {
          let left = parsed.contentLength;
          while (left > 0) {
            if (src.buffered().length === 0) {
              const got = await src.fill(bodyUntil);
              if (got === "timeout") return await fail(408);
              if (got === "eof") return closeQuietly(upstream);
            }
            const part = src.take(Math.min(left, src.buffered().length));
            left -= part.length;
            await writeAll(upstream, part);
          }
        }
      }
    } catch {
      closeQuietly(upstream);
      closeQuietly(client);
    }
  };

  const accepting = (async () => {
    while (!closed) {
      if (opts.maxConnections !== undefined && conns.size >= opts.maxConnections) {
        await new Promise<void>((r) => slotFreed = r);
        continue;
      }
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch {
        break;
      }
      conns.add(conn);
      serve(conn).finally(() => {
        conns.delete(conn);
        closeQuietly(conn);
        slotFreed?.();
        slotFreed = undefined;
      });
    }
  })();

  return {
    port: (listener.addr as Deno.NetAddr).port,
    open: () => conns.size,
    async close() {
      closed = true;
      try {
        listener.close();
      } catch {
        // already closed
      }
      slotFreed?.();
      for (const c of conns) closeQuietly(c);
      await accepting;
    },
  };
}
