/**
 * go-plugin's handshake line, `CORE|APP|NETWORK|ADDRESS|PROTOCOL|CERT`: a strict reading (every
 * problem, for `rpc.handshake.grammar`) and the usable parts (network, address, certificate) the
 * other probes connect with. Internal to the rpc profile.
 *
 * @module
 */
import { base64ToBytes, bytesToBase64 } from "../../src/util/base64.ts";

/** Where the plugin serves. */
export interface Endpoint {
  network: "unix" | "tcp";
  /** a socket path, or `host:port` */
  address: string;
}

/** A handshake line, read. */
export interface Handshake {
  /** the line as printed */
  line: string;
  /** what breaks go-plugin's grammar (empty when none) */
  problems: string[];
  /** the app protocol version, when it is an integer */
  appVersion?: number;
  /** where to connect, when the network and address are usable */
  endpoint?: Endpoint;
  /** "grpc" or "netrpc", when it is one of them */
  protocol?: "grpc" | "netrpc";
  /** the server certificate (DER), when the sixth field decodes */
  certDer?: Uint8Array<ArrayBuffer>;
}

const B64_RAW = /^[A-Za-z0-9+/]+$/;

/** Decode standard base64, padded or not; undefined when it is not base64. */
function fromBase64(s: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(s)) return undefined;
  const padded = s.replace(/=+$/, "");
  try {
    return base64ToBytes(padded + "=".repeat((4 - padded.length % 4) % 4));
  } catch {
    return undefined;
  }
}

function tcpAddress(a: string): boolean {
  const m = /^(\[[0-9a-fA-F:.]+\]|[0-9.]+|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(a);
  return m !== null && Number(m[2]) >= 1 && Number(m[2]) <= 65535;
}

/**
 * Read a handshake line strictly (go-plugin v1.8.0's client: six fields; core version 1; the app
 * version an integer; network `unix` or `tcp`; a unix address an absolute path, a tcp one
 * `host:port`; protocol `grpc` or `netrpc`; the certificate empty or unpadded standard base64 of a
 * DER certificate, which starts with an ASN.1 SEQUENCE).
 *
 * @param line the first line the plugin printed
 * @returns the parts and every problem
 * @example
 * ```ts
 * import { readHandshake } from "./_handshake.ts";
 * const h = readHandshake("1|1|unix|/tmp/plugin1|grpc|MIIB");
 * if (h.problems.length !== 0 || h.endpoint?.address !== "/tmp/plugin1") throw new Error(h.problems.join());
 * if (readHandshake("1|1|unix|/tmp/p|grpc|MIIB==").problems.length === 0) throw new Error("padding");
 * ```
 */
export function readHandshake(line: string): Handshake {
  const problems: string[] = [];
  const f = line.split("|");
  const h: Handshake = { line, problems };
  if (f.length !== 6) problems.push(`${f.length} fields, not 6`);
  const [core, app, network, address, protocol, cert] = f;
  if (core !== "1") problems.push(`core protocol version ${JSON.stringify(core ?? "")}, not "1"`);
  if (app !== undefined && /^\d{1,9}$/.test(app)) h.appVersion = Number(app);
  else problems.push(`app protocol version ${JSON.stringify(app ?? "")} is not an integer`);
  if (network === "unix" || network === "tcp") {
    const ok = network === "unix" ? (address ?? "").startsWith("/") : tcpAddress(address ?? "");
    if (ok) h.endpoint = { network, address: address ?? "" };
    else {
      problems.push(
        `address ${JSON.stringify(address ?? "")} is not ${
          network === "unix" ? "an absolute socket path" : "host:port"
        }`,
      );
    }
  } else problems.push(`network ${JSON.stringify(network ?? "")} is not "unix" or "tcp"`);
  if (protocol === "grpc" || protocol === "netrpc") h.protocol = protocol;
  else problems.push(`protocol ${JSON.stringify(protocol ?? "")} is not "grpc" or "netrpc"`);
  if (cert !== undefined && cert !== "") {
    const der = fromBase64(cert);
    if (der !== undefined && der[0] === 0x30) h.certDer = der;
    if (!B64_RAW.test(cert)) {
      problems.push(
        /=$/.test(cert) && der !== undefined
          ? "the certificate is padded base64 (go-plugin decodes it unpadded: RawStdEncoding)"
          : "the certificate field is not base64",
      );
    } else if (der === undefined || der[0] !== 0x30) {
      problems.push("the certificate field is not a DER certificate");
    }
  }
  return h;
}

/**
 * The DER bytes as unpadded base64 (for comparing with what a server presented).
 *
 * @param der the bytes
 * @returns the text
 */
export function rawBase64(der: Uint8Array): string {
  return bytesToBase64(der).replace(/=+$/, "");
}

/**
 * A DER certificate as PEM.
 *
 * @param der the certificate
 * @returns the PEM text
 */
export function derToPem(der: Uint8Array): string {
  const b64 = rawBase64(der);
  const padded = b64 + "=".repeat((4 - b64.length % 4) % 4);
  return `-----BEGIN CERTIFICATE-----\n${
    padded.match(/.{1,64}/g)?.join("\n") ?? ""
  }\n-----END CERTIFICATE-----\n`;
}
