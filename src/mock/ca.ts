/**
 * Ephemeral certificate authorities for the mock server (and anything else in the kit that needs a
 * TLS certificate on loopback): an ECDSA P-256 CA generated in memory, and leaf certificates it
 * signs. Nothing is ever written to disk; private keys live only in memory, as PEM strings handed to
 * `Deno.serve` / `Deno.listenTls` (or as non-extractable CryptoKeys, for the CA's own key).
 *
 * @module
 */
import "reflect-metadata";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(crypto);

const EC_KEY: EcKeyGenParams = { name: "ECDSA", namedCurve: "P-256" };
const SIGNING: EcdsaParams = { name: "ECDSA", hash: "SHA-256" };
const DAY_MS = 24 * 60 * 60 * 1000;

/** An in-memory certificate authority. Its private key is a non-extractable CryptoKey. */
export interface CertificateAuthority {
  /** the CA certificate */
  readonly cert: x509.X509Certificate;
  /** the CA certificate as PEM (give it to a client as its trusted root) */
  readonly certPem: string;
  /** the CA's key pair (private key non-extractable) */
  readonly keys: CryptoKeyPair;
}

/** A leaf certificate and its private key, both PEM, ready for `Deno.serve({cert, key})`. */
export interface IssuedLeaf {
  /** the leaf certificate alone, PEM */
  readonly certPem: string;
  /** leaf followed by the issuing CA certificate, PEM (what a server presents) */
  readonly chainPem: string;
  /** the leaf's private key, PKCS#8 PEM; keep it in memory only */
  readonly keyPem: string;
}

/** Options of {@linkcode generateCa}. */
export interface GenerateCaOptions {
  /**
   * the CA's common name
   * @default "conformance-kit ephemeral CA"
   */
  commonName?: string;
  /**
   * validity in days (starting one hour in the past, to tolerate clock skew)
   * @default 2
   */
  validityDays?: number;
}

/** Options of {@linkcode issueLeaf}. */
export interface IssueLeafOptions {
  /**
   * subject common name
   * @default the first DNS name, else the first IP, else "leaf"
   */
  commonName?: string;
  /**
   * DNS subject alternative names
   * @default []
   */
  dns?: string[];
  /**
   * IP subject alternative names
   * @default []
   */
  ips?: string[];
  /**
   * extended key usages
   * @default ["serverAuth"]
   */
  usages?: Array<"serverAuth" | "clientAuth">;
  /**
   * validity in days (starting one hour in the past)
   * @default 2
   */
  validityDays?: number;
}

function validity(days: number): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - 60 * 60 * 1000), notAfter: new Date(now + days * DAY_MS) };
}

function randomSerial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f; // positive
  if (bytes[0] === 0) bytes[0] = 1;
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function toPem(der: ArrayBuffer, label: string): string {
  return x509.PemConverter.encode(der, label).trim() + "\n";
}

/** Escape a value for use inside an X.500 name string (RFC 4514). */
function dnValue(value: string): string {
  return value.replace(/[,+"\\<>;=]/g, (c) => `\\${c}`);
}

/**
 * Generate a fresh, self-signed ECDSA P-256 certificate authority, in memory.
 *
 * @param opts common name and validity
 * @returns the CA certificate (also as PEM) and its key pair
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateCa } from "./ca.ts";
 * const ca = await generateCa();
 * assert.match(ca.certPem, /^-----BEGIN CERTIFICATE-----/);
 * ```
 */
export async function generateCa(opts: GenerateCaOptions = {}): Promise<CertificateAuthority> {
  const keys = await crypto.subtle.generateKey(EC_KEY, false, ["sign", "verify"]);
  const name = `CN=${dnValue(opts.commonName ?? "conformance-kit ephemeral CA")}`;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name,
    ...validity(opts.validityDays ?? 2),
    signingAlgorithm: SIGNING,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, certPem: toPem(cert.rawData, "CERTIFICATE"), keys };
}

/**
 * Issue a leaf certificate signed by `ca`, with a fresh ECDSA P-256 key.
 *
 * @param ca the issuing authority (from {@linkcode generateCa})
 * @param opts names, usages and validity of the leaf
 * @returns the leaf (PEM), the chain to present, and the private key (PKCS#8 PEM)
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateCa, issueLeaf } from "./ca.ts";
 * const ca = await generateCa();
 * const leaf = await issueLeaf(ca, { dns: ["localhost"], ips: ["127.0.0.1"] });
 * assert.match(leaf.keyPem, /^-----BEGIN PRIVATE KEY-----/);
 * ```
 */
export async function issueLeaf(ca: CertificateAuthority, opts: IssueLeafOptions = {}): Promise<IssuedLeaf> {
  const dns = opts.dns ?? [];
  const ips = opts.ips ?? [];
  const keys = await crypto.subtle.generateKey(EC_KEY, true, ["sign", "verify"]);
  const usages = (opts.usages ?? ["serverAuth"]).map((u) => x509.ExtendedKeyUsage[u]);
  const names: x509.JsonGeneralName[] = [
    ...dns.map((value) => ({ type: "dns" as const, value })),
    ...ips.map((value) => ({ type: "ip" as const, value })),
  ];
  const cn = opts.commonName ?? dns[0] ?? ips[0] ?? "leaf";
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension(usages, false),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names, false));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: `CN=${dnValue(cn)}`,
    issuer: ca.cert.subject,
    ...validity(opts.validityDays ?? 2),
    signingAlgorithm: SIGNING,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    extensions,
  });
  const certPem = toPem(cert.rawData, "CERTIFICATE");
  const pkcs8 = await crypto.subtle.exportKey("pkcs8", keys.privateKey);
  return { certPem, chainPem: certPem + ca.certPem, keyPem: toPem(pkcs8, "PRIVATE KEY") };
}
