/**
 * Ephemeral certificate authorities for the mock server (and anything else in the kit that needs a
 * TLS certificate on loopback): a CA generated in memory (ECDSA P-256 unless asked otherwise),
 * intermediates under it, and leaf certificates they sign. Leaves can be made wrong on purpose
 * (expired, not yet valid, self-signed, RSA-1024, SHA-1 signed, no common name) so the kit can test
 * that clients refuse them. Nothing is ever written to disk; private keys live only in memory, as PEM
 * strings handed to `Deno.serve` / `Deno.listenTls` or a child's stdin (or as non-extractable
 * CryptoKeys, for a CA's own key).
 *
 * @module
 */
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import {
  generateKeys,
  type KeyKind,
  type KindedKeys,
  type SignatureHash,
  signingAlgorithm,
} from "./_ca_keys.ts";

export type { KeyKind, SignatureHash } from "./_ca_keys.ts";

x509.cryptoProvider.set(crypto);

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
/** Where a CA's key pair and kind are kept (not part of the public shape). */
const SIGNERS = new WeakMap<CertificateAuthority, KindedKeys>();

/** An in-memory certificate authority (a root, or an intermediate). Its private key is non-extractable. */
export interface CertificateAuthority {
  /** the CA certificate */
  readonly cert: x509.X509Certificate;
  /** the CA certificate as PEM (give a root to a client as its trusted root) */
  readonly certPem: string;
  /** the CA certificate followed by its issuers' (up to and including the root), PEM */
  readonly chainPem: string;
  /** the CA's key pair (private key non-extractable) */
  readonly keys: CryptoKeyPair;
  /** the CA key's kind */
  readonly key: KeyKind;
  /** the hash this CA signs with unless a leaf asks otherwise */
  readonly signatureHash: SignatureHash;
}

/** A leaf certificate and its private key, both PEM, ready for `Deno.serve({cert, key})`. */
export interface IssuedLeaf {
  /** the leaf certificate alone, PEM (presenting only this leaves out any intermediate) */
  readonly certPem: string;
  /** leaf followed by the issuing CA's chain, PEM (what a server presents); the leaf alone if self-signed */
  readonly chainPem: string;
  /** the leaf's private key, PKCS#8 PEM; keep it in memory only */
  readonly keyPem: string;
  /** the leaf key's kind */
  readonly key: KeyKind;
}

/** Options of {@linkcode generateCa} and {@linkcode issueIntermediate}. */
export interface GenerateCaOptions {
  /**
   * the CA's common name
   * @default "conformance-kit ephemeral CA" (a root), "conformance-kit intermediate CA" (an intermediate)
   */
  commonName?: string;
  /**
   * validity in days (starting one hour in the past, to tolerate clock skew)
   * @default 2
   */
  validityDays?: number;
  /**
   * the CA's key; an RSA CA can sign only with the `signatureHash` it was made with
   * @default "P-256"
   */
  key?: KeyKind;
  /**
   * the hash the CA signs with (its own certificate if a root, and its leaves by default)
   * @default "SHA-256"
   */
  signatureHash?: SignatureHash;
}

/** Options of {@linkcode issueLeaf}. */
export interface IssueLeafOptions {
  /**
   * subject common name
   * @default the first DNS name, else the first IP, else "leaf"
   */
  commonName?: string;
  /**
   * leave the common name out: the subject is empty and the names are in the SAN only
   * @default false
   */
  omitCommonName?: boolean;
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
   * validity in days (starting one hour in the past); `notBefore`/`notAfter` override it
   * @default 2
   */
  validityDays?: number;
  /**
   * start of validity
   * @default one hour ago
   */
  notBefore?: Date;
  /**
   * end of validity
   * @default `validityDays` from now
   */
  notAfter?: Date;
  /**
   * the leaf's key
   * @default "P-256"
   */
  key?: KeyKind;
  /**
   * the hash of the issuer's signature over the leaf (or the leaf's own, if self-signed)
   * @default the issuer's `signatureHash` ("SHA-256" if self-signed)
   */
  signatureHash?: SignatureHash;
  /**
   * sign the leaf with its own key (issuer = subject) instead of with `ca`; `chainPem` is the leaf alone
   * @default false
   */
  selfSigned?: boolean;
}

function validity(days: number, notBefore?: Date, notAfter?: Date): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return {
    notBefore: notBefore ?? new Date(now - HOUR_MS),
    notAfter: notAfter ?? new Date(now + days * DAY_MS),
  };
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

function signerOf(ca: CertificateAuthority): KindedKeys {
  const s = SIGNERS.get(ca);
  if (s === undefined) throw new Error("not a CA made by generateCa() or issueIntermediate()");
  return s;
}

async function caExtensions(keys: CryptoKeyPair, pathLength: number): Promise<x509.Extension[]> {
  return [
    new x509.BasicConstraintsExtension(true, pathLength, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
}

function remember(
  cert: x509.X509Certificate,
  signer: KindedKeys,
  hash: SignatureHash,
  parentChain: string,
): CertificateAuthority {
  const certPem = toPem(cert.rawData, "CERTIFICATE");
  const ca: CertificateAuthority = {
    cert,
    certPem,
    chainPem: certPem + parentChain,
    keys: signer.keys,
    key: signer.kind,
    signatureHash: hash,
  };
  SIGNERS.set(ca, signer);
  return ca;
}

/**
 * Generate a fresh, self-signed certificate authority (ECDSA P-256 unless `key` says otherwise), in memory.
 *
 * @param opts common name, validity, key and signature hash
 * @returns the CA certificate (also as PEM) and its key pair
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateCa } from "./ca.ts";
 * const ca = await generateCa();
 * assert.match(ca.certPem, /^-----BEGIN CERTIFICATE-----/);
 * assert.equal(ca.chainPem, ca.certPem);
 * ```
 */
export async function generateCa(opts: GenerateCaOptions = {}): Promise<CertificateAuthority> {
  const hash = opts.signatureHash ?? "SHA-256";
  const signer = await generateKeys(opts.key ?? "P-256", false, hash);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=${dnValue(opts.commonName ?? "conformance-kit ephemeral CA")}`,
    ...validity(opts.validityDays ?? 2),
    signingAlgorithm: signingAlgorithm(signer, hash),
    keys: signer.keys,
    extensions: await caExtensions(signer.keys, 1),
  });
  return remember(cert, signer, hash, "");
}

/**
 * Issue an intermediate CA under `ca`. Its leaves chain to `ca` only through it: a server that
 * presents a leaf's `certPem` alone (not its `chainPem`) sends an incomplete chain.
 *
 * @param ca the parent authority
 * @param opts common name, validity, key and the hash the intermediate signs its leaves with
 * @returns the intermediate, usable wherever a CA is
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateCa, issueIntermediate, issueLeaf } from "./ca.ts";
 * const root = await generateCa();
 * const mid = await issueIntermediate(root);
 * const leaf = await issueLeaf(mid, { ips: ["127.0.0.1"] });
 * assert.equal(leaf.chainPem, leaf.certPem + mid.certPem + root.certPem);
 * ```
 */
export async function issueIntermediate(
  ca: CertificateAuthority,
  opts: GenerateCaOptions = {},
): Promise<CertificateAuthority> {
  const parent = signerOf(ca);
  const hash = opts.signatureHash ?? "SHA-256";
  const signer = await generateKeys(opts.key ?? "P-256", false, hash);
  const extensions = await caExtensions(signer.keys, 0);
  extensions.push(await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: `CN=${dnValue(opts.commonName ?? "conformance-kit intermediate CA")}`,
    issuer: ca.cert.subject,
    ...validity(opts.validityDays ?? 2),
    signingAlgorithm: signingAlgorithm(parent, ca.signatureHash),
    publicKey: signer.keys.publicKey,
    signingKey: ca.keys.privateKey,
    extensions,
  });
  return remember(cert, signer, hash, ca.chainPem);
}

/**
 * Issue a leaf certificate signed by `ca` (or by itself, with `selfSigned`), with a fresh key.
 *
 * @param ca the issuing authority (from {@linkcode generateCa} or {@linkcode issueIntermediate})
 * @param opts names, usages, validity, key, signature hash of the leaf
 * @returns the leaf (PEM), the chain to present, and the private key (PKCS#8 PEM)
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateCa, issueLeaf } from "./ca.ts";
 * const ca = await generateCa();
 * const leaf = await issueLeaf(ca, { dns: ["localhost"], ips: ["127.0.0.1"] });
 * assert.match(leaf.keyPem, /^-----BEGIN PRIVATE KEY-----/);
 * const old = await issueLeaf(ca, { ips: ["127.0.0.1"], notAfter: new Date(Date.now() - 86_400_000) });
 * assert.equal(old.chainPem, old.certPem + ca.certPem);
 * ```
 */
export async function issueLeaf(ca: CertificateAuthority, opts: IssueLeafOptions = {}): Promise<IssuedLeaf> {
  const dns = opts.dns ?? [];
  const ips = opts.ips ?? [];
  const selfSigned = opts.selfSigned === true;
  const hash = opts.signatureHash ?? (selfSigned ? "SHA-256" : ca.signatureHash);
  const own = await generateKeys(opts.key ?? "P-256", true, hash);
  const issuer = selfSigned ? own : signerOf(ca);
  const usages = (opts.usages ?? ["serverAuth"]).map((u) => x509.ExtendedKeyUsage[u]);
  const names: x509.JsonGeneralName[] = [
    ...dns.map((value) => ({ type: "dns" as const, value })),
    ...ips.map((value) => ({ type: "ip" as const, value })),
  ];
  const subject = opts.omitCommonName === true
    ? ""
    : `CN=${dnValue(opts.commonName ?? dns[0] ?? ips[0] ?? "leaf")}`;
  const keyUsage = x509.KeyUsageFlags.digitalSignature |
    (own.rsaHash === undefined ? 0 : x509.KeyUsageFlags.keyEncipherment);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(keyUsage, true),
    new x509.ExtendedKeyUsageExtension(usages, false),
    await x509.SubjectKeyIdentifierExtension.create(own.keys.publicKey),
  ];
  if (!selfSigned) extensions.push(await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey));
  // RFC 5280 §4.2.1.6: with an empty subject the SAN extension is critical
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names, subject === ""));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject,
    issuer: selfSigned ? subject : ca.cert.subject,
    ...validity(opts.validityDays ?? 2, opts.notBefore, opts.notAfter),
    signingAlgorithm: signingAlgorithm(issuer, hash),
    publicKey: own.keys.publicKey,
    signingKey: issuer.keys.privateKey,
    extensions,
  });
  const certPem = toPem(cert.rawData, "CERTIFICATE");
  const pkcs8 = await crypto.subtle.exportKey("pkcs8", own.keys.privateKey);
  return {
    certPem,
    chainPem: selfSigned ? certPem : certPem + ca.chainPem,
    keyPem: toPem(pkcs8, "PRIVATE KEY"),
    key: own.kind,
  };
}
