/**
 * Which cipher suites a server accepts, asked the way scanners do: send one TLS 1.2 ClientHello
 * that offers only the suites in question and read the server's first answer. A ServerHello names
 * the suite the server chose from them (it accepts it); an alert or a closed connection is a
 * refusal. No handshake is completed and no key is needed, so suites the local TLS libraries no
 * longer implement (3DES, RC4 in OpenSSL 3 builds) can still be offered. Runs in Deno, no Node.
 *
 * @module
 */
import { deadline } from "../util/deadline.ts";
import { errorMessage } from "../util/error_message.ts";

/** Options of {@linkcode offerSuites}. */
export interface OfferSuitesOptions {
  /** the address to connect to */
  host: string;
  /** the port */
  port: number;
  /** the name sent as SNI (not sent when it is an IP address) */
  servername: string;
  /** the cipher suites to offer (IANA code points), at most 200 */
  suites: readonly number[];
  /** the time limit (connect and answer) */
  timeoutMs: number;
}

/**
 * What the server answered. `accepted`: a ServerHello choosing `suite` (and the protocol `version`
 * it names); `refused`: an alert (`alert` is its description code), a closed connection, or no
 * answer in time (`stage: "timeout"`); `connect` when TCP itself failed.
 */
export type OfferSuitesResult =
  | { kind: "accepted"; suite: number; version: number }
  | { kind: "refused"; stage: "connect" | "handshake" | "timeout"; message: string; alert?: number };

/** IANA names of the suites the kit offers (for evidence). */
export const SUITE_NAMES: Readonly<Record<number, string>> = {
  0x0001: "TLS_RSA_WITH_NULL_MD5",
  0x0002: "TLS_RSA_WITH_NULL_SHA",
  0x003b: "TLS_RSA_WITH_NULL_SHA256",
  0xc001: "TLS_ECDH_ECDSA_WITH_NULL_SHA",
  0xc006: "TLS_ECDHE_ECDSA_WITH_NULL_SHA",
  0xc00b: "TLS_ECDH_RSA_WITH_NULL_SHA",
  0xc010: "TLS_ECDHE_RSA_WITH_NULL_SHA",
  0x0018: "TLS_DH_anon_WITH_RC4_128_MD5",
  0x001b: "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA",
  0x0034: "TLS_DH_anon_WITH_AES_128_CBC_SHA",
  0x003a: "TLS_DH_anon_WITH_AES_256_CBC_SHA",
  0x006c: "TLS_DH_anon_WITH_AES_128_CBC_SHA256",
  0x006d: "TLS_DH_anon_WITH_AES_256_CBC_SHA256",
  0x00a6: "TLS_DH_anon_WITH_AES_128_GCM_SHA256",
  0x00a7: "TLS_DH_anon_WITH_AES_256_GCM_SHA384",
  0xc015: "TLS_ECDH_anon_WITH_NULL_SHA",
  0xc016: "TLS_ECDH_anon_WITH_RC4_128_SHA",
  0xc017: "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA",
  0xc018: "TLS_ECDH_anon_WITH_AES_128_CBC_SHA",
  0xc019: "TLS_ECDH_anon_WITH_AES_256_CBC_SHA",
  0x0004: "TLS_RSA_WITH_RC4_128_MD5",
  0x0005: "TLS_RSA_WITH_RC4_128_SHA",
  0xc002: "TLS_ECDH_ECDSA_WITH_RC4_128_SHA",
  0xc007: "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA",
  0xc00c: "TLS_ECDH_RSA_WITH_RC4_128_SHA",
  0xc011: "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
  0x000a: "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
  0x0013: "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA",
  0x0016: "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA",
  0xc003: "TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA",
  0xc008: "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA",
  0xc00d: "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA",
  0xc012: "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
  0xc02b: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
  0xc02c: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
  0xc02f: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  0xc030: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
  0xcca8: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
  0xcca9: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
  0x009e: "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
  0x009c: "TLS_RSA_WITH_AES_128_GCM_SHA256",
};

/** The weak classes (seed 004: no NULL, anonymous, RC4 or 3DES suites), and a strong control set. */
export const SUITE_CLASSES: Readonly<
  Record<"NULL" | "anonymous" | "RC4" | "3DES" | "strong", readonly number[]>
> = {
  NULL: [0x0001, 0x0002, 0x003b, 0xc001, 0xc006, 0xc00b, 0xc010],
  anonymous: [
    0x0018,
    0x001b,
    0x0034,
    0x003a,
    0x006c,
    0x006d,
    0x00a6,
    0x00a7,
    0xc015,
    0xc016,
    0xc017,
    0xc018,
    0xc019,
  ],
  RC4: [0x0004, 0x0005, 0xc002, 0xc007, 0xc00c, 0xc011],
  "3DES": [0x000a, 0x0013, 0x0016, 0xc003, 0xc008, 0xc00d, 0xc012],
  strong: [0xc02b, 0xc02c, 0xc02f, 0xc030, 0xcca8, 0xcca9, 0x009e, 0x009c],
};

/** A suite's name, or its code point in hex. */
export function suiteName(code: number): string {
  return SUITE_NAMES[code] ?? `0x${code.toString(16).padStart(4, "0")}`;
}

const u16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];
const u24 = (n: number) => [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
const ext = (type: number, body: number[]) => [...u16(type), ...u16(body.length), ...body];
const isIp = (s: string) => /^\d+\.\d+\.\d+\.\d+$/.test(s) || s.includes(":");

/**
 * The bytes of a TLS 1.2 ClientHello record offering `suites` (exported for tests).
 *
 * @param suites the suites (IANA code points)
 * @param servername the SNI name (left out when it is an IP address or empty)
 * @returns the record
 */
export function clientHello(suites: readonly number[], servername: string): Uint8Array {
  const exts: number[] = [];
  if (servername !== "" && !isIp(servername)) {
    const name = [...new TextEncoder().encode(servername)];
    const entry = [0, ...u16(name.length), ...name];
    exts.push(...ext(0x0000, [...u16(entry.length), ...entry]));
  }
  const groups = [0x001d, 0x0017, 0x0018, 0x0019].flatMap(u16); // x25519, P-256, P-384, P-521
  exts.push(...ext(0x000a, [...u16(groups.length), ...groups]));
  exts.push(...ext(0x000b, [1, 0])); // ec_point_formats: uncompressed
  const sigalgs = [0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0203, 0x0201]
    .flatMap(u16);
  exts.push(...ext(0x000d, [...u16(sigalgs.length), ...sigalgs]));
  exts.push(...ext(0xff01, [0])); // renegotiation_info (empty)
  const cs = suites.slice(0, 200).flatMap(u16);
  const random = [...crypto.getRandomValues(new Uint8Array(32))];
  const body = [0x03, 0x03, ...random, 0, ...u16(cs.length), ...cs, 1, 0, ...u16(exts.length), ...exts];
  const hs = [0x01, ...u24(body.length), ...body];
  return new Uint8Array([0x16, 0x03, 0x01, ...u16(hs.length), ...hs]);
}

/** Read the server's first TLS record (at most 16 KiB of it is needed). */
async function firstRecord(conn: Deno.Conn): Promise<{ type: number; body: Uint8Array } | undefined> {
  const buf = new Uint8Array(5 + 16 * 1024 + 2048);
  let have = 0;
  while (true) {
    if (have >= 5) {
      const len = ((buf[3] ?? 0) << 8) | (buf[4] ?? 0);
      const need = Math.min(5 + len, buf.length);
      if (have >= need || have >= 5 + 128) {
        // enough: a ServerHello's suite lies in its first 73 bytes (session id ≤ 32)
        return { type: buf[0] ?? 0, body: buf.subarray(5, Math.min(have, 5 + len)) };
      }
    }
    const n = await conn.read(buf.subarray(have));
    if (n === null) return undefined;
    have += n;
  }
}

/** Judge the server's first record. */
function judge(rec: { type: number; body: Uint8Array } | undefined): OfferSuitesResult {
  if (rec === undefined) {
    return { kind: "refused", stage: "handshake", message: "the server closed the connection" };
  }
  const b = rec.body;
  if (rec.type === 0x15) {
    const alert = b[1] ?? -1;
    return {
      kind: "refused",
      stage: "handshake",
      message: `alert ${alert} (${ALERTS[alert] ?? "unknown"})`,
      alert,
    };
  }
  if (rec.type !== 0x16 || b[0] !== 0x02) {
    return {
      kind: "refused",
      stage: "handshake",
      message: `not a ServerHello (record ${rec.type}, message ${b[0]})`,
    };
  }
  const version = ((b[4] ?? 0) << 8) | (b[5] ?? 0);
  const sid = b[38] ?? 0;
  const at = 39 + sid;
  if (b.length < at + 2) return { kind: "refused", stage: "handshake", message: "a truncated ServerHello" };
  return { kind: "accepted", suite: ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0), version };
}

const ALERTS: Record<number, string> = {
  0: "close_notify",
  10: "unexpected_message",
  40: "handshake_failure",
  47: "illegal_parameter",
  50: "decode_error",
  70: "protocol_version",
  71: "insufficient_security",
  80: "internal_error",
  112: "unrecognized_name",
};

/**
 * Offer `suites` in one TLS 1.2 ClientHello and say whether the server chose one of them.
 *
 * @param opts where, what to offer, and the time limit
 * @returns the suite the server chose, or how it refused
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { clientHello, SUITE_CLASSES } from "./client_hello.ts";
 * const hello = clientHello(SUITE_CLASSES["3DES"], "localhost");
 * assert.equal(hello[0], 0x16); // a handshake record
 * ```
 */
export async function offerSuites(opts: OfferSuitesOptions): Promise<OfferSuitesResult> {
  let conn: Deno.Conn | undefined;
  let over = false;
  const work = (async (): Promise<OfferSuitesResult> => {
    try {
      conn = await Deno.connect({ hostname: opts.host, port: opts.port });
    } catch (e) {
      return { kind: "refused", stage: "connect", message: errorMessage(e) };
    }
    if (over) conn.close(); // connected after the time limit: nothing more to send
    try {
      await conn.write(clientHello(opts.suites, opts.servername));
      return judge(await firstRecord(conn));
    } catch (e) {
      return { kind: "refused", stage: "handshake", message: errorMessage(e) };
    }
  })();
  try {
    const r = await deadline(work, opts.timeoutMs);
    if (r.ok) return r.value;
    return { kind: "refused", stage: "timeout", message: `no answer within ${opts.timeoutMs} ms` };
  } finally {
    over = true;
    try {
      conn?.close(); // a pending read ends; a pending connect closes itself when it lands
    } catch {
      // already closed
    }
  }
}
