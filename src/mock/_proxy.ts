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

/** PEM certificate chain and private key for a TLS-terminating relay. */
export interface RelayTls {
  cert: string;
  key: string;
}

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
  #closed = false;

  /**
   * @param name the public listener's name
   * @param hostname where to listen (port is ephemeral)
   * @param upstreamPort the upstream `Deno.serve` port on 127.0.0.1 (plain HTTP)
   * @param registry shared map `<relay's upstream-side local port>` → connection
   * @param tls terminate TLS with this certificate (HTTP/1.1 only), else relay plain TCP
   */
  constructor(
    name: string,
    hostname: string,
    upstreamPort: number,
    registry: RelayRegistry,
    tls?: RelayTls,
  ) {
    this.#name = name;
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

  async #relay(client: Deno.TcpConn | Deno.TlsConn): Promise<void> {
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
    const done = Promise.all([pump(client, upstream), pump(upstream, client)]).then(() => {});
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
    await this.#accepting;
    for (const e of [...this.#open]) e.destroy();
    await Promise.all([...this.#pending]);
  }
}

function once(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

/** copy bytes from `src` to `dst` until EOF or an error; never throws */
async function pump(src: Deno.Conn, dst: Deno.Conn): Promise<void> {
  const buf = new Uint8Array(64 * 1024);
  while (true) {
    let n: number | null;
    try {
      n = await src.read(buf);
    } catch {
      break;
    }
    if (n === null) break;
    try {
      let off = 0;
      while (off < n) off += await dst.write(buf.subarray(off, n));
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
