/**
 * One TLS handshake made by Node's OpenSSL: a client that can still offer TLS 1.0/1.1 and weak
 * suites (with `secLevel0`), and that shows the certificate chain the server presented. It sends
 * no application data. Used to probe servers (`svc.tls.*`) and to test fronts.
 *
 * @module
 */
import { base64ToBytes } from "../util/base64.ts";
import { deadline } from "../util/deadline.ts";
import { startNodeScript } from "./_node.ts";
import type { TlsVersion } from "./node_front.ts";

/** Options of {@linkcode probeTls}. */
export interface ProbeTlsOptions {
  /** the address to connect to */
  host: string;
  /** the port */
  port: number;
  /** the name sent as SNI (not sent when it is an IP address) */
  servername: string;
  /** the lowest version offered @default Node's default ("TLSv1.2") */
  minVersion?: TlsVersion;
  /** the highest version offered @default "TLSv1.3" */
  maxVersion?: TlsVersion;
  /** an OpenSSL cipher string to offer @default Node's default */
  ciphers?: string;
  /** append `@SECLEVEL=0` (needed to offer TLS 1.0/1.1 or weak suites) */
  secLevel0?: boolean;
  /** extra trust anchors, PEM: Node appends a matching root to `chainDer` (see below) */
  caPem?: string[];
  /** the whole probe's time limit, handshake included */
  timeoutMs: number;
  /** connect to this Unix socket instead of `host`:`port` (a plugin's socket) */
  path?: string;
  /** a client certificate (PEM) and its key, for a server that requires one */
  clientCertPem?: string;
  /** the client certificate's key (PEM) */
  clientKeyPem?: string;
  /** ALPN protocols to offer, e.g. ["h2"] */
  alpn?: string[];
}

/**
 * A probe's outcome. `handshake`: the server completed a handshake; `chainDer` is the chain as Node
 * links it from what the server sent, leaf first, each certificate followed by its issuer when one
 * was sent (or is a trusted root: system roots or `caPem`); `authorizationError` is Node's
 * verification verdict (null when the chain verified; host names are not checked). `refused`: no
 * handshake; `stage` says whether TCP connected (`connect`), the handshake failed (`handshake`) or
 * the server said nothing in time (`timeout`). `unavailable`: the probe could not run (no Node,
 * or this Node's OpenSSL cannot offer what was asked), with a hint.
 */
export type ProbeTlsResult =
  | {
    kind: "handshake";
    protocol: string;
    cipher: string;
    chainDer: Uint8Array<ArrayBuffer>[];
    authorizationError: string | null;
  }
  | { kind: "refused"; stage: "connect" | "handshake" | "timeout"; message: string }
  | { kind: "unavailable"; hint: string };

function parse(line: string): ProbeTlsResult | { error: string } {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return { error: `unreadable probe output: ${line.slice(0, 200)}` };
  }
  const o = (typeof v === "object" && v !== null ? v : {}) as Record<string, unknown>;
  const str = (x: unknown, d = "") => (typeof x === "string" ? x.slice(0, 300) : d);
  switch (o.kind) {
    case "handshake":
      return {
        kind: "handshake",
        protocol: str(o.protocol, "unknown"),
        cipher: str(o.cipher, "unknown"),
        chainDer: Array.isArray(o.chainDer)
          ? o.chainDer.filter((x): x is string => typeof x === "string").slice(0, 10).map(base64ToBytes)
          : [],
        authorizationError: typeof o.authorizationError === "string" ? str(o.authorizationError) : null,
      };
    case "refused": {
      const stage = o.stage === "connect" || o.stage === "timeout" ? o.stage : "handshake";
      return { kind: "refused", stage, message: str(o.message) };
    }
    case "unavailable":
      return { kind: "unavailable", hint: str(o.hint) };
    default:
      return { error: str(o.message, `unexpected probe output: ${line.slice(0, 200)}`) };
  }
}

/**
 * Make one TLS handshake with Node and say what happened.
 *
 * @param opts where, what to offer, and the time limit
 * @returns the handshake (protocol, suite, chain), the refusal, or why the probe could not run
 * @throws Error when the probe itself failed (it crashed, or its output was unreadable): a kit fault
 * @example
 * ```ts
 * import { probeTls } from "./node_probe.ts";
 * using closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const port = closed.addr.port;
 * closed.close();
 * const r = await probeTls({ host: "127.0.0.1", port, servername: "localhost", timeoutMs: 3000 });
 * if (r.kind === "handshake") throw new Error("nothing listens there");
 * ```
 */
export async function probeTls(opts: ProbeTlsOptions): Promise<ProbeTlsResult> {
  const child = await startNodeScript("_probe.mjs", {
    host: opts.host,
    port: opts.port,
    servername: opts.servername,
    minVersion: opts.minVersion,
    maxVersion: opts.maxVersion,
    ciphers: opts.ciphers,
    secLevel0: opts.secLevel0 ?? false,
    caPem: opts.caPem ?? [],
    timeoutMs: opts.timeoutMs,
    ...(opts.path !== undefined ? { path: opts.path } : {}),
    ...(opts.clientCertPem !== undefined && opts.clientKeyPem !== undefined
      ? { certPem: opts.clientCertPem, keyPem: opts.clientKeyPem }
      : {}),
    ...(opts.alpn !== undefined ? { alpn: opts.alpn } : {}),
  });
  if ("unavailable" in child) return { kind: "unavailable", hint: child.unavailable };
  try {
    const first = await deadline(child.lines.next(), opts.timeoutMs + 3000);
    if (!first.ok) throw new Error(`the Node TLS probe gave no answer within ${opts.timeoutMs + 3000} ms`);
    if (first.value.done) {
      await deadline(child.exited, 1000);
      const tail = child.stderrTail();
      throw new Error(`the Node TLS probe exited without an answer${tail ? `: ${tail.slice(-500)}` : ""}`);
    }
    const r = parse(first.value.value);
    if ("error" in r) throw new Error(`the Node TLS probe failed: ${r.error}`);
    return r;
  } finally {
    await child.kill();
  }
}
