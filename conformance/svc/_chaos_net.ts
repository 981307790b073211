/**
 * Raw HTTP/1.1 over one TCP (or TLS) connection through a Toxiproxy proxy, for the `svc.chaos.*`
 * checks: dial, write a request byte by byte, read a response head or a whole response, watch for
 * the server closing; and a health sampler (p95) that runs beside them. Every read is bounded.
 *
 * @module
 */
import type { Target } from "./target.ts";
import { errorMessage } from "../../src/util/error_message.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** The SVC chaos environment a check gets (`SvcContext.chaos`): fresh proxies in front of the target. */
export interface SvcChaos {
  /** e.g. "toxiproxy-server 2.12.0" */
  readonly version: string;
  /** a fresh proxy in front of the target's host and port (removed when the check ends) */
  proxy(): Promise<SvcChaosProxy>;
}

/** One proxy in front of the target. */
export interface SvcChaosProxy {
  /** the port the kit connects to, on 127.0.0.1 */
  readonly listenPort: number;
  /** add a toxic (`limit_data`, `latency`, …) */
  addToxic(t: {
    type: "latency" | "timeout" | "reset_peer" | "slicer" | "limit_data" | "bandwidth" | "slow_close";
    stream?: "upstream" | "downstream";
    attributes: Record<string, number>;
  }): Promise<void>;
  /** one line for evidence */
  describe(): string;
}

/**
 * Connect to a proxy's port; TLS (verified against the target's host name and CA) for an https target.
 *
 * @param target the target (its scheme, host name and CA)
 * @param port the proxy's port on 127.0.0.1
 * @returns the connection
 */
export async function dial(target: Target, port: number): Promise<Deno.Conn> {
  const tcp = await Deno.connect({ hostname: "127.0.0.1", port });
  if (target.baseUrl.protocol !== "https:") return tcp;
  const hostname = target.baseUrl.hostname.replace(/^\[|\]$/g, "");
  return await Deno.startTls(tcp, {
    hostname,
    ...(target.caCertPem === undefined ? {} : { caCerts: [target.caCertPem] }),
  });
}

/** Close without throwing. */
export function closeQuietly(c: Deno.Conn | undefined): void {
  try {
    c?.close();
  } catch {
    // already closed
  }
}

/**
 * Write all of `bytes`.
 *
 * @param c the connection
 * @param bytes what to write
 */
export async function writeAll(c: Deno.Conn, bytes: Uint8Array | string): Promise<void> {
  const b = typeof bytes === "string" ? enc.encode(bytes) : bytes;
  let off = 0;
  while (off < b.length) off += await c.write(b.subarray(off));
}

/** What the server did to a connection the kit was trickling into. */
export interface Ending {
  /** ms from `since` until the server answered or closed; undefined: neither within the bound */
  ms?: number;
  /** the status it answered with, if any (408, 400, …); 0: closed with no answer */
  status?: number;
}

/**
 * Resolve when the server answers (a status line) or closes the connection, or at `untilMs`.
 *
 * @param c the connection
 * @param since the `performance.now()` the time is counted from
 * @param untilMs give up at this `performance.now()`
 * @returns when and how the connection ended
 */
export async function watchEnding(c: Deno.Conn, since: number, untilMs: number): Promise<Ending> {
  const buf = new Uint8Array(4096);
  let text = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((r) => timer = setTimeout(() => r("late"), Math.max(0, untilMs - since)));
  try {
    for (;;) {
      const n = await Promise.race([c.read(buf).catch(() => null), late]);
      if (n === "late") return {};
      if (n === null) {
        const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
        return { ms: performance.now() - since, status: m ? Number(m[1]) : 0 };
      }
      text += dec.decode(buf.subarray(0, n));
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      if (m) return { ms: performance.now() - since, status: Number(m[1]) };
    }
  } finally {
    clearTimeout(timer);
  }
}

/** A response read off a raw connection. */
export interface RawResponse {
  status: number;
  /** lower-case names */
  headers: Record<string, string>;
  body: string;
}

/**
 * Read one whole response (Content-Length, chunked, or up to the close), bounded in time and size.
 *
 * @param c the connection
 * @param ms the time limit
 * @returns the response, or undefined when none arrived whole in time
 */
export async function readResponse(c: Deno.Conn, ms: number): Promise<RawResponse | undefined> {
  const until = performance.now() + ms;
  let bytes = new Uint8Array(0);
  const buf = new Uint8Array(16 * 1024);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((r) => timer = setTimeout(() => r("late"), ms));
  try {
    for (;;) {
      const text = dec.decode(bytes);
      const end = text.indexOf("\r\n\r\n");
      let eof = false;
      if (end >= 0) {
        const lines = text.slice(0, end).split("\r\n");
        const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? "");
        const headers: Record<string, string> = {};
        for (const l of lines.slice(1)) {
          const i = l.indexOf(":");
          if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
        }
        const body = text.slice(end + 4);
        const cl = headers["content-length"];
        const done = cl !== undefined
          ? enc.encode(body).length >= Number(cl)
          : /chunked/i.test(headers["transfer-encoding"] ?? "")
          ? /(?:^|\r\n)0\r\n(?:[^\r\n]+\r\n)*\r\n$/.test(body)
          : false;
        if (m && done) return { status: Number(m[1]), headers, body };
      }
      if (performance.now() > until || bytes.length > 4 * 1024 * 1024) return undefined;
      const n = await Promise.race([c.read(buf).catch(() => null), late]);
      if (n === "late") return undefined;
      if (n === null) eof = true;
      else {
        const all = new Uint8Array(bytes.length + n);
        all.set(bytes);
        all.set(buf.subarray(0, n), bytes.length);
        bytes = all;
      }
      if (eof) {
        const t = dec.decode(bytes);
        const m = /^HTTP\/1\.[01] (\d{3})/.exec(t);
        const e = t.indexOf("\r\n\r\n");
        return m && e >= 0 ? { status: Number(m[1]), headers: {}, body: t.slice(e + 4) } : undefined;
      }
    }
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The head of a request to the target (Host from its base URL), with a bearer token if given.
 *
 * @param target the target
 * @param method e.g. "GET"
 * @param path e.g. "/health"
 * @param extra more header lines ("Content-Length: 12")
 * @param bearer a token for Authorization
 * @returns the head, CRLF-terminated, without the blank line
 */
export function requestHead(
  target: Target,
  method: string,
  path: string,
  extra: readonly string[] = [],
  bearer?: string,
): string {
  const lines = [
    `${method} ${path} HTTP/1.1`,
    `Host: ${target.baseUrl.host}`,
    "User-Agent: ron-conformance-kit (svc.chaos)",
    ...(bearer === undefined ? [] : [`Authorization: Bearer ${bearer}`]),
    ...extra,
  ];
  return `${lines.join("\r\n")}\r\n`;
}

/** Health latencies sampled while a check's slow clients are open. */
export interface HealthSamples {
  /** each sample's ms (a failure counts as the sampler's time limit) */
  ms: number[];
  /** samples that failed (no answer, or not 2xx) */
  failures: string[];
}

/**
 * Sample the health route (a fresh GET every `everyMs`, each bounded) until `stop` aborts.
 *
 * @param target the target
 * @param stop ends the sampling
 * @param everyMs the gap between samples
 * @param limitMs each sample's time limit
 * @returns the samples
 */
export async function sampleHealth(
  target: Target,
  stop: AbortSignal,
  everyMs: number,
  limitMs: number,
): Promise<HealthSamples> {
  const out: HealthSamples = { ms: [], failures: [] };
  const client = target.caCertPem === undefined
    ? undefined
    : Deno.createHttpClient({ caCerts: [target.caCertPem] });
  const url = new URL(target.health, target.baseUrl);
  try {
    while (!stop.aborted) {
      const t0 = performance.now();
      try {
        const init: RequestInit & { client?: Deno.HttpClient } = { signal: AbortSignal.timeout(limitMs) };
        if (client) init.client = client;
        const res = await fetch(url, init);
        await res.body?.cancel();
        out.ms.push(performance.now() - t0);
        if (res.status < 200 || res.status >= 300) out.failures.push(`HTTP ${res.status}`);
      } catch (e) {
        out.ms.push(limitMs);
        if (out.failures.length < 5) out.failures.push(errorMessage(e));
      }
      const wait = everyMs - (performance.now() - t0);
      if (wait > 0) {
        await new Promise<void>((r) => {
          const t = setTimeout(r, wait);
          stop.addEventListener("abort", () => {
            clearTimeout(t);
            r();
          }, { once: true });
        });
      }
    }
  } finally {
    client?.close();
  }
  return out;
}

/**
 * The p-th percentile (nearest rank) of some numbers.
 *
 * @param xs the numbers
 * @param p 0..100
 * @returns the percentile, or NaN for none
 * @example
 * ```ts
 * import { percentile } from "./_chaos_net.ts";
 * if (percentile([1, 2, 3, 4, 100], 95) !== 100 || percentile([5], 50) !== 5) throw new Error();
 * ```
 */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
}
