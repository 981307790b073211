/**
 * One gRPC unary call to a plugin over TLS (or plaintext), the way go-plugin's host makes it:
 * `node:tls` (Deno's own TLS refuses go-plugin's CA:TRUE leaf and cannot start TLS on a Unix
 * socket) with ALPN `h2`, then `node:http2` on that socket; a 5-byte length prefix and a protobuf
 * body. Bounded in time and bytes. In TLS 1.3 a server's refusal of the client certificate arrives
 * after the client thinks the handshake is done, so a call is the way to see it. Internal to the rpc
 * profile.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import http2 from "node:http2";
import net from "node:net";
import tls from "node:tls";
import { errorMessage } from "../../src/util/error_message.ts";
import type { Endpoint } from "./_handshake.ts";

/** A client certificate and its key, PEM. */
export interface Identity {
  certPem: string;
  keyPem: string;
}

/** What the TLS handshake showed. */
export interface TlsFacts {
  protocol: string;
  alpn: string | false;
  /** the leaf the server presented, DER */
  peerDer?: Uint8Array<ArrayBuffer>;
}

/** How a call ended. */
export type CallOutcome =
  | {
    kind: "answer";
    grpcStatus: number | undefined;
    grpcMessage: string;
    message?: Uint8Array;
    tls?: TlsFacts;
  }
  | { kind: "refused"; stage: "connect" | "tls" | "call"; message: string; tls?: TlsFacts }
  | { kind: "timeout"; stage: "connect" | "tls" | "call"; tls?: TlsFacts };

/** Options of {@linkcode grpcCall}. */
export interface CallOptions {
  /** TLS with this client identity; `null`: TLS without a client certificate; absent: plaintext */
  identity?: Identity | null;
  /** e.g. "/grpc.health.v1.Health/Check" */
  path: string;
  /** the protobuf message */
  body: Uint8Array;
  /** the whole call's time limit */
  timeoutMs: number;
}

const MAX_REPLY = 64 * 1024;

function connectOptions(ep: Endpoint): { path: string } | { host: string; port: number } {
  if (ep.network === "unix") return { path: ep.address };
  const i = ep.address.lastIndexOf(":");
  return { host: ep.address.slice(0, i).replace(/^\[|\]$/g, ""), port: Number(ep.address.slice(i + 1)) };
}

/**
 * Make one unary call and say how it ended. Never throws.
 *
 * @param ep where the plugin serves
 * @param o the TLS identity, the method, the message and the time limit
 * @returns the answer (gRPC status and message), a refusal with its stage, or a timeout
 */
export function grpcCall(ep: Endpoint, o: CallOptions): Promise<CallOutcome> {
  return new Promise((resolve) => {
    let stage: "connect" | "tls" | "call" = "connect";
    let facts: TlsFacts | undefined;
    let session: http2.ClientHttp2Session | undefined;
    let socket: net.Socket | undefined;
    let settled = false;
    const finish = (r: CallOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      try {
        session?.destroy();
        socket?.destroy();
      } catch {
        // already closed
      }
      resolve(facts !== undefined && !("tls" in r && r.tls) ? { ...r, tls: facts } : r);
    };
    const timer = setTimeout(() => finish({ kind: "timeout", stage }), o.timeoutMs);
    const fail = (e: unknown) => finish({ kind: "refused", stage, message: errorMessage(e).slice(0, 300) });
    const call = (sock: net.Socket) => {
      stage = "call";
      session = http2.connect("http://localhost", { createConnection: () => sock });
      session.on("error", fail);
      const frame = new Uint8Array(5 + o.body.length);
      new DataView(frame.buffer).setUint32(1, o.body.length);
      frame.set(o.body, 5);
      const req = session.request({
        ":method": "POST",
        ":path": o.path,
        "content-type": "application/grpc",
        te: "trailers",
      });
      const chunks: Uint8Array[] = [];
      let size = 0;
      let status: number | undefined;
      let message = "";
      const take = (h: http2.IncomingHttpHeaders) => {
        const s = h["grpc-status"];
        if (typeof s === "string") status = Number(s);
        const m = h["grpc-message"];
        if (typeof m === "string") message = decodeURIComponent(m).slice(0, 300);
      };
      req.on("response", take);
      req.on("trailers", take);
      req.on("data", (c: Uint8Array) => {
        size += c.length;
        if (size <= MAX_REPLY) chunks.push(c);
        else fail(new Error(`reply larger than ${MAX_REPLY} bytes`));
      });
      req.on("error", fail);
      req.on("end", () => {
        const all = new Uint8Array(Math.min(size, MAX_REPLY));
        let at = 0;
        for (const c of chunks) {
          all.set(c.subarray(0, all.length - at), at);
          at += c.length;
        }
        const len = all.length >= 5 ? new DataView(all.buffer).getUint32(1) : -1;
        const msg = len >= 0 && all.length >= 5 + len ? all.slice(5, 5 + len) : undefined;
        finish({
          kind: "answer",
          grpcStatus: status,
          grpcMessage: message,
          ...(msg ? { message: msg } : {}),
        });
      });
      req.end(Buffer.from(frame));
    };
    try {
      if (o.identity === undefined) {
        socket = net.connect(connectOptions(ep));
        socket.on("connect", () => call(socket as net.Socket));
        socket.on("error", fail);
        return;
      }
      const t = tls.connect({
        ...connectOptions(ep),
        servername: "localhost",
        ALPNProtocols: ["h2"],
        rejectUnauthorized: false,
        ...(o.identity ? { cert: o.identity.certPem, key: o.identity.keyPem } : {}),
      } as tls.ConnectionOptions);
      socket = t;
      t.on("connect", () => stage = "tls");
      t.on("secureConnect", () => {
        const raw = t.getPeerCertificate()?.raw;
        facts = {
          protocol: t.getProtocol() ?? "unknown",
          alpn: t.alpnProtocol ?? false,
          ...(raw ? { peerDer: new Uint8Array(raw) } : {}),
        };
        call(t);
      });
      t.on("error", fail);
    } catch (e) {
      fail(e);
    }
  });
}

/**
 * The protobuf `grpc.health.v1.HealthCheckRequest{service}`.
 *
 * @param service the service name
 * @returns the message
 */
export function healthRequest(service: string): Uint8Array {
  const name = new TextEncoder().encode(service);
  if (name.length === 0) return new Uint8Array();
  const len: number[] = [];
  let n = name.length;
  while (n > 0x7f) {
    len.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  len.push(n);
  return new Uint8Array([0x0a, ...len, ...name]);
}

/** The health status names (grpc.health.v1.HealthCheckResponse.ServingStatus). */
export const SERVING_STATUS = ["UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"] as const;

/**
 * The `status` field (1, varint) of a HealthCheckResponse; 0 (UNKNOWN) when absent.
 *
 * @param msg the message
 * @returns the status number, or undefined when the message is not one
 */
export function healthStatus(msg: Uint8Array): number | undefined {
  let i = 0;
  let status = 0;
  while (i < msg.length) {
    const tag = msg[i++] ?? 0;
    if (tag === 0x08) {
      let v = 0;
      let shift = 0;
      for (;;) {
        const b = msg[i++];
        if (b === undefined) return undefined;
        v |= (b & 0x7f) << shift;
        if ((b & 0x80) === 0) break;
        shift += 7;
      }
      status = v;
    } else return undefined;
  }
  return status;
}

/**
 * One line for a reason: how a call ended.
 *
 * @param r the outcome
 * @returns e.g. "refused during the TLS handshake: …"
 */
export function describeCall(r: CallOutcome): string {
  switch (r.kind) {
    case "answer":
      return `answered: gRPC status ${r.grpcStatus ?? "(none)"}${r.grpcMessage ? ` (${r.grpcMessage})` : ""}`;
    case "refused":
      return `refused ${
        r.stage === "connect"
          ? "the connection"
          : r.stage === "tls"
          ? "during the TLS handshake"
          : "after the TLS handshake"
      }: ${r.message}`;
    case "timeout":
      return `no answer in time (at the ${r.stage} stage)`;
    default: {
      const never: never = r;
      return String(never);
    }
  }
}
