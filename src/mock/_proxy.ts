/**
 * Internal: the mock server's public listeners are TCP (or TLS-terminating) relays in front of one
 * internal plain-HTTP `Deno.serve`. The relay gives every request a stable connection id, tells the
 * app which public listener a request came in on, lets a scenario destroy the client's connection
 * without sending a response (`close: true`), which `Deno.serve` alone cannot do, and pins the
 * protocol to HTTP/1.1 (ALPN), so a connection is what an SDK's connection pool sees and a client
 * that goes away always closes it.
 *
 * @module
 */
import { deadline } from "../util/deadline.ts";
import { errorMessage } from "../util/error_message.ts";

/** PEM certificate chain and private key for a TLS-terminating relay. */
export interface RelayTls {
  cert: string;
  key: string;
}

/** How one TLS handshake on a relay ended (reported only to relays given `onHandshake`). */
export type HandshakeEvent =
  | { readonly ok: true; readonly alpn: string | null }
  | { readonly ok: false; readonly message: string };

/** How long a relay that reports handshakes waits for one before dropping the connection. */
const HANDSHAKE_MS = 10_000;

/** One relayed client connection, as the app sees it. */
export interface RelayedConnection {
  /** the public listener's name ("https", "http", "untrusted", "foreign") */
  readonly listener: string;
  /** `<listener>:<client port>`, stable for the life of the TCP connection */
  readonly id: string;
  /** aborted when the client connection is gone */
  readonly signal: AbortSignal;
  /** tear down both legs at once: the client sees its connection closed without a response */
  destroy(): void;
}

/** A public TCP listener that relays every connection to an upstream port on 127.0.0.1. */
export class Relay {
  readonly #listener: Deno.TcpListener | Deno.TlsListener;
  readonly #name: string;
  readonly #upstreamPort: number;
  readonly #registry: RelayRegistry;
  readonly #open = new Set<RelayedConnection>();
  readonly #pending = new Set<Promise<void>>();
  readonly #accepting: Promise<void>;
  readonly #onHandshake: ((e: HandshakeEvent) => void) | undefined;
  readonly #handshaking = new Set<Deno.TlsConn>();
  #closed = false;

  /**
   * @param name the public listener's name
   * @param hostname where to listen (port is ephemeral)
   * @param upstreamPort the upstream `Deno.serve` port on 127.0.0.1 (plain HTTP)
   * @param registry shared map `<relay's upstream-side local port>` → connection
   * @param tls terminate TLS with this certificate (HTTP/1.1 only), else relay plain TCP
   * @param onHandshake with `tls`: complete each handshake before relaying and report how it ended
   */
  constructor(
    name: string,
    hostname: string,
    upstreamPort: number,
    registry: RelayRegistry,
    tls?: RelayTls,
    onHandshake?: (e: HandshakeEvent) => void,
  ) {
    this.#name = name;
    this.#onHandshake = tls ? onHandshake : undefined;
    this.#upstreamPort = upstreamPort;
    this.#registry = registry;
    this.#listener = tls
      ? Deno.listenTls({ hostname, port: 0, cert: tls.cert, key: tls.key, alpnProtocols: ["http/1.1"] })
      : Deno.listen({ hostname, port: 0, transport: "tcp" });
    this.#accepting = this.#acceptLoop();
  }

  /** the public port */
  get port(): number {
    return this.#listener.addr.port;
  }

  async #acceptLoop(): Promise<void> {
    while (!this.#closed) {
      let conn: Deno.TcpConn | Deno.TlsConn;
      try {
        conn = await this.#listener.accept();
      } catch {
        return; // listener closed
      }
      if (this.#closed) {
        conn.close();
        return;
      }
      const p = this.#relay(conn).catch(() => {});
      this.#pending.add(p);
      p.finally(() => this.#pending.delete(p));
    }
  }

  /** Complete a TLS handshake and report it; false when it failed (the connection is closed). */
  async #handshake(client: Deno.TlsConn, report: (e: HandshakeEvent) => void): Promise<boolean> {
    this.#handshaking.add(client);
    try {
      const r = await deadline(client.handshake(), HANDSHAKE_MS);
      if (r.ok) {
        report({ ok: true, alpn: r.value.alpnProtocol });
        return true;
      }
      report({ ok: false, message: `no handshake within ${HANDSHAKE_MS} ms` });
    } catch (e) {
      report({ ok: false, message: errorMessage(e).slice(0, 300) });
    } finally {
      this.#handshaking.delete(client);
    }
    try {
      client.close();
    } catch { /* already closed */ }
    return false;
  }

  async #relay(client: Deno.TcpConn | Deno.TlsConn): Promise<void> {
    if (this.#onHandshake && "handshake" in client) {
      if (!await this.#handshake(client, this.#onHandshake)) return;
    }
    let upstream: Deno.TcpConn;
    try {
      upstream = await Deno.connect({ hostname: "127.0.0.1", port: this.#upstreamPort });
    } catch {
      client.close();
      return;
    }
    if (this.#closed) {
      client.close();
      upstream.close();
      return;
    }
    const key = String(upstream.localAddr.port);
    const ac = new AbortController();
    let destroyed = false;
    const destroy = () => {
      if (destroyed) return;
      destroyed = true;
      this.#registry.delete(key);
      try {
        client.close();
      } catch { /* already closed */ }
      try {
        upstream.close();
      } catch { /* already closed */ }
      ac.abort();
    };
    const done = Promise.all([pump(client, upstream, stripH2cUpgrade), pump(upstream, client)]).then(
      () => {},
    );
    const entry: RelayedConnection = {
      listener: this.#name,
      id: `${this.#name}:${client.remoteAddr.port}`,
      signal: ac.signal,
      destroy,
    };
    this.#registry.set(key, entry);
    this.#open.add(entry);
    // Either direction ending ends the connection (HTTP clients do not half-close).
    await Promise.race([done, ac.signal.aborted ? Promise.resolve() : once(ac.signal)]);
    destroy();
    await done;
    this.#open.delete(entry);
  }

  /** stop accepting and tear down every open connection */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listener.close();
    for (const c of this.#handshaking) {
      try {
        c.close();
      } catch { /* already closed */ }
    }
    await this.#accepting;
    for (const e of [...this.#open]) e.destroy();
    await Promise.all([...this.#pending]);
  }
}

function once(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

const HEAD_END = new Uint8Array([13, 10, 13, 10]);
const MAX_HEAD = 64 * 1024;

function indexOfBytes(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/**
 * Drop an `h2c` upgrade offer from a request head (`Upgrade: h2c`, `HTTP2-Settings`, and those
 * tokens in `Connection`): the mock speaks HTTP/1.1 only, and RFC 9110 §7.8 lets a server ignore
 * an Upgrade. Without this, `Deno.serve` answers such a request 400 before the app sees it, so a
 * client that sent its token over plain http (the JDK client offers h2c) would look as if it had
 * sent nothing.
 *
 * @param head the request head, up to and including the blank line
 * @returns the head without the offer (unchanged when there is none)
 * @example
 * ```ts
 * import { stripH2cUpgrade } from "./_proxy.ts";
 * const head = "GET / HTTP/1.1\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AA\r\n\r\n";
 * if (stripH2cUpgrade(head) !== "GET / HTTP/1.1\r\n\r\n") throw new Error(JSON.stringify(stripH2cUpgrade(head)));
 * ```
 */
export function stripH2cUpgrade(head: string): string {
  const lines = head.split("\r\n");
  if (!lines.some((l) => /^upgrade:\s*h2c\s*$/i.test(l))) return head;
  const out: string[] = [];
  for (const l of lines) {
    const name = l.slice(0, Math.max(0, l.indexOf(":"))).trim().toLowerCase();
    if (name === "upgrade" || name === "http2-settings") continue;
    if (name === "connection") {
      const kept = l.slice(l.indexOf(":") + 1).split(",").map((t) => t.trim())
        .filter((t) => t !== "" && !/^(upgrade|http2-settings)$/i.test(t));
      if (kept.length > 0) out.push(`Connection: ${kept.join(", ")}`);
      continue;
    }
    out.push(l);
  }
  return out.join("\r\n");
}

/**
 * copy bytes from `src` to `dst` until EOF or an error; never throws. With `rewriteHead`, the
 * connection's first request head (up to 64 KiB) passes through it first.
 */
async function pump(src: Deno.Conn, dst: Deno.Conn, rewriteHead?: (head: string) => string): Promise<void> {
  const buf = new Uint8Array(64 * 1024);
  let pendingHead: Uint8Array | undefined = rewriteHead ? new Uint8Array(0) : undefined;
  while (true) {
    let n: number | null;
    try {
      n = await src.read(buf);
    } catch {
      break;
    }
    if (n === null) break;
    let chunk = buf.subarray(0, n);
    if (pendingHead !== undefined && rewriteHead) {
      const joined = new Uint8Array(pendingHead.length + n);
      joined.set(pendingHead);
      joined.set(chunk, pendingHead.length);
      const end = indexOfBytes(joined, HEAD_END);
      if (end < 0 && joined.length < MAX_HEAD) {
        pendingHead = joined;
        continue;
      }
      pendingHead = undefined;
      if (end >= 0) {
        const head = new TextDecoder("latin1").decode(joined.subarray(0, end + 4));
        const rewritten = rewriteHead(head);
        if (rewritten === head) chunk = joined; // forward the original bytes untouched
        else {
          const headBytes = new TextEncoder().encode(rewritten); // the offer is ASCII; the rest too, or untouched above
          const rest = joined.subarray(end + 4);
          chunk = new Uint8Array(headBytes.length + rest.length);
          chunk.set(headBytes);
          chunk.set(rest, headBytes.length);
        }
      } else chunk = joined;
    }
    try {
      let off = 0;
      while (off < chunk.length) off += await dst.write(chunk.subarray(off));
    } catch {
      break;
    }
  }
  // End of one direction: close the whole pair (the caller's race sees `done` only when both end,
  // so close both here to wake the other pump).
  try {
    src.close();
  } catch { /* already closed */ }
  try {
    dst.close();
  } catch { /* already closed */ }
}

/** The registry shared by relays and the app: `<relay's upstream-side local port>` → connection. */
export type RelayRegistry = Map<string, RelayedConnection>;
