/**
 * A TLS front served by Node's OpenSSL, for what Deno's TLS (rustls) cannot serve: TLS 1.0/1.1,
 * version-pinned servers, weak suites, RSA-1024 keys. It listens on `127.0.0.1:<port>` and pipes
 * each connection's plaintext to a plain TCP listener of the kit (`upstreamPort`), reporting each
 * handshake (or handshake failure) as an event.
 *
 * @module
 */
import { deadline } from "../util/deadline.ts";
import { NODE_HINT, type NodeChild, startNodeScript } from "./_node.ts";

/** A TLS protocol version as Node names it. */
export type TlsVersion = "TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3";

/** Options of {@linkcode startNodeFront}. */
export interface NodeFrontOptions {
  /** the certificate chain to present, PEM (leaf first) */
  certChainPem: string;
  /** the leaf's private key, PEM (sent to Node over stdin, never written to disk) */
  keyPem: string;
  /** the plain TCP port on 127.0.0.1 each connection's plaintext is piped to */
  upstreamPort: number;
  /** the lowest version served @default Node's default ("TLSv1.2") */
  minVersion?: TlsVersion;
  /** the highest version served @default "TLSv1.3" */
  maxVersion?: TlsVersion;
  /** an OpenSSL cipher string (TLS 1.2 and lower, plus TLS 1.3 suite names) @default Node's default */
  ciphers?: string;
  /** append `@SECLEVEL=0` (needed to serve TLS 1.0/1.1, SHA-1, RSA-1024 or weak suites) */
  secLevel0?: boolean;
  /** how long a handshake may take before the connection is dropped @default 10000 */
  handshakeTimeoutMs?: number;
  /** how long it waits for Node to listen @default 10000 */
  startTimeoutMs?: number;
}

/** One connection's outcome, as the front saw it. */
export type FrontEvent =
  | { event: "handshake"; protocol: string; cipher: string; servername: string | null }
  | { event: "tls_error"; message: string; code: string | null };

/** A running front. */
export interface NodeFront {
  /** its port on 127.0.0.1 */
  readonly port: number;
  /** the Node process's id (the leader of its own process group where `setsid` exists) */
  readonly pid: number;
  /** the events so far (at most the newest 1,000), oldest first */
  events(): FrontEvent[];
  /** wait until an event after the first `after` ones arrives (or `timeoutMs` passes) */
  waitForEvent(after: number, timeoutMs: number): Promise<FrontEvent | undefined>;
  /** stop it (its whole process group) */
  close(): Promise<void>;
}

const MAX_EVENTS = 1000;

function parseEvent(line: string): FrontEvent | { port: number } | { fatal: string } | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof v !== "object" || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const str = (x: unknown) => (typeof x === "string" ? x.slice(0, 300) : null);
  if (typeof o.port === "number") return { port: o.port };
  if (o.event === "fatal") return { fatal: str(o.message) ?? "unknown" };
  if (o.event === "handshake") {
    return {
      event: "handshake",
      protocol: str(o.protocol) ?? "unknown",
      cipher: str(o.cipher) ?? "unknown",
      servername: str(o.servername),
    };
  }
  if (o.event === "tls_error") {
    return { event: "tls_error", message: str(o.message) ?? "", code: str(o.code) };
  }
  return undefined;
}

/**
 * Start a Node TLS front on 127.0.0.1 for a kit listener.
 *
 * @param opts the certificate, key, upstream port and TLS settings
 * @returns the front, or `{unavailable}` (with an install hint, or why Node could not serve it)
 * @example
 * ```ts
 * import { startNodeFront } from "./node_front.ts";
 * import { generateCa, issueLeaf } from "../mock/ca.ts";
 * const ca = await generateCa();
 * const leaf = await issueLeaf(ca, { ips: ["127.0.0.1"] });
 * using upstream = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const front = await startNodeFront({ certChainPem: leaf.chainPem, keyPem: leaf.keyPem, upstreamPort: upstream.addr.port });
 * if ("unavailable" in front) console.log(front.unavailable);
 * else await front.close();
 * ```
 */
export async function startNodeFront(opts: NodeFrontOptions): Promise<NodeFront | { unavailable: string }> {
  const child = await startNodeScript("_front.mjs", {
    certChainPem: opts.certChainPem,
    keyPem: opts.keyPem,
    upstreamPort: opts.upstreamPort,
    minVersion: opts.minVersion,
    maxVersion: opts.maxVersion,
    ciphers: opts.ciphers,
    secLevel0: opts.secLevel0 ?? false,
    handshakeTimeoutMs: opts.handshakeTimeoutMs ?? 10_000,
  });
  if ("unavailable" in child) return child;
  const first = await deadline(readPort(child), opts.startTimeoutMs ?? 10_000);
  if (!first.ok || "unavailable" in first.value) {
    const why = first.ok && "unavailable" in first.value
      ? first.value.unavailable
      : "it did not listen in time";
    await child.kill();
    const tail = child.stderrTail();
    return { unavailable: `the Node TLS front could not start: ${why}${tail ? ` (stderr: ${tail})` : ""}` };
  }
  return frontOf(child, first.value.port);
}

async function readPort(child: NodeChild): Promise<{ port: number } | { unavailable: string }> {
  // next(), not for-await: leaving a for-await loop would end the shared line iterator
  for (let r = await child.lines.next(); !r.done; r = await child.lines.next()) {
    const e = parseEvent(r.value);
    if (e && "port" in e) return { port: e.port };
    if (e && "fatal" in e) return { unavailable: e.fatal };
  }
  const st = await child.exited;
  return {
    unavailable: `node exited (code ${st.code}) before listening${st.code === 9 ? `: ${NODE_HINT}` : ""}`,
  };
}

function frontOf(child: NodeChild, port: number): NodeFront {
  const events: FrontEvent[] = [];
  let seen = 0; // events ever received
  const waiters = new Set<() => void>();
  (async () => {
    for await (const line of child.lines) {
      const e = parseEvent(line);
      if (!e || "port" in e || "fatal" in e) continue;
      events.push(e);
      seen++;
      if (events.length > MAX_EVENTS) events.shift();
      for (const w of waiters) w();
    }
  })().catch(() => {});
  let closing: Promise<void> | undefined;
  return {
    port,
    pid: child.pid,
    events: () => [...events],
    async waitForEvent(after, timeoutMs) {
      const pick = () => (seen > after ? events[Math.max(0, events.length - (seen - after))] : undefined);
      if (pick()) return pick();
      let wake = () => {};
      const arrived = new Promise<void>((r) => (wake = r));
      waiters.add(wake);
      try {
        await deadline(arrived, timeoutMs);
      } finally {
        waiters.delete(wake);
      }
      return pick();
    },
    close: () => (closing ??= child.kill()),
  };
}
