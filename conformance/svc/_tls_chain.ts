/**
 * The certificate chain a target presents, read once per check with Node's OpenSSL (the chain as
 * sent, leaf first, linked issuer by issuer; Node appends a root from its trust store or the
 * target's `ca_cert` when one matches) and parsed with `@peculiar/x509`: host names, validity,
 * keys, signature hashes, and where the chain stops.
 *
 * @module
 */
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { type Verdict, verdict } from "../../src/engine/types.ts";
import { errorMessage } from "../../src/util/error_message.ts";
import { TLS_PROBE_MS, tlsEndpoint, TlsLog } from "./_tls_probe.ts";
import type { Target } from "./target.ts";

x509.cryptoProvider.set(crypto);

const DAY_MS = 24 * 60 * 60 * 1000;

/** The chain a handshake showed, parsed. */
export interface PresentedChain {
  /** leaf first; each followed by its issuer when the server sent it (or a trusted root matched) */
  certs: x509.X509Certificate[];
  /** whether the last certificate is self-signed (the chain reaches a root) */
  endsInRoot: boolean;
  /** the handshake's protocol and suite */
  protocol: string;
  cipher: string;
  /** Node's verification verdict against system roots and the target's `ca_cert` (null: verified) */
  authorizationError: string | null;
  /** the probe log, for evidence */
  log: TlsLog;
  /** one line per certificate, for evidence */
  lines: string[];
}

/**
 * Read the target's chain with one TLS handshake.
 *
 * @param target the target
 * @returns the chain, or the verdict to return (`not_applicable` without Node, `error` without a handshake)
 */
export async function readChain(
  target: Target,
): Promise<{ ok: true; chain: PresentedChain } | { ok: false; verdict: Verdict }> {
  const log = new TlsLog();
  const r = await log.node("handshake (defaults)", {
    ...tlsEndpoint(target),
    timeoutMs: TLS_PROBE_MS,
    ...(target.caCertPem ? { caPem: [target.caCertPem] } : {}),
  });
  if (r.kind === "unavailable") return { ok: false, verdict: verdict.notApplicable(r.hint) };
  if (r.kind === "refused") {
    return {
      ok: false,
      verdict: verdict.error(
        `cannot judge: no TLS handshake with the target (${r.stage}: ${r.message})`,
        log.evidence(),
      ),
    };
  }
  let certs: x509.X509Certificate[];
  try {
    certs = r.chainDer.map((der) => new x509.X509Certificate(der));
  } catch (e) {
    return {
      ok: false,
      verdict: verdict.error(`cannot parse the presented certificate: ${errorMessage(e)}`, log.evidence()),
    };
  }
  if (certs.length === 0) {
    return {
      ok: false,
      verdict: verdict.error("the handshake completed but showed no certificate", log.evidence()),
    };
  }
  const last = certs[certs.length - 1];
  const endsInRoot = last !== undefined && await selfSigned(last);
  const lines = await Promise.all(certs.map(async (c, i) => `[${i}] ${await describe(c)}`));
  return {
    ok: true,
    chain: {
      certs,
      endsInRoot,
      protocol: r.protocol,
      cipher: r.cipher,
      authorizationError: r.authorizationError,
      log,
      lines,
    },
  };
}

async function selfSigned(c: x509.X509Certificate): Promise<boolean> {
  try {
    return c.subject === c.issuer && await c.isSelfSigned();
  } catch {
    return false;
  }
}

/**
 * The certificates the server's identity rests on: the leaf and its intermediates (a self-signed
 * root after the leaf is the client's trust anchor, judged by its trust store, not here).
 *
 * @param chain the chain
 * @returns leaf first
 */
export function servedCerts(chain: PresentedChain): x509.X509Certificate[] {
  return chain.endsInRoot && chain.certs.length > 1 ? chain.certs.slice(0, -1) : chain.certs;
}

/** The subject alternative names of a certificate (empty when it has none or they cannot be read). */
export function sanOf(c: x509.X509Certificate): { type: string; value: string }[] {
  try {
    const ext = c.getExtension(x509.SubjectAlternativeNameExtension);
    return ext ? ext.names.items.map((n) => ({ type: n.type, value: n.value })) : [];
  } catch {
    return [];
  }
}

function normalizeIp(s: string): string {
  return s.replace(/^\[|\]$/g, "").toLowerCase();
}

/**
 * Whether a certificate's SANs name `host` (RFC 6125: an IP matches an IP SAN; a name matches a
 * DNS SAN, a wildcard only as the whole left-most label; the subject CN is not consulted).
 *
 * @param c the leaf
 * @param host the target's host
 * @returns whether it matches
 */
export function namesHost(c: x509.X509Certificate, host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, "");
  const isIp = /^\d+\.\d+\.\d+\.\d+$/.test(h) || h.includes(":");
  for (const { type, value } of sanOf(c)) {
    if (isIp && type === "ip" && normalizeIp(value) === normalizeIp(h)) return true;
    if (isIp || type !== "dns") continue;
    const v = value.toLowerCase().replace(/\.$/, "");
    if (v === h) return true;
    if (v.startsWith("*.") && !v.slice(2).includes("*")) {
      const dot = h.indexOf(".");
      if (dot > 0 && h.slice(dot + 1) === v.slice(2)) return true;
    }
  }
  return false;
}

/** A certificate's key, as a strength judgement can read it. */
export type KeyInfo =
  | { kind: "RSA"; bits: number }
  | { kind: "EC"; curve: string }
  | { kind: "EdDSA"; name: string }
  | { kind: "other"; name: string };

/**
 * What key a certificate carries.
 *
 * @param c the certificate
 * @returns its kind and size or curve
 */
export async function keyOf(c: x509.X509Certificate): Promise<KeyInfo> {
  const name = c.publicKey.algorithm.name;
  if (/^Ed(25519|448)$/.test(name)) return { kind: "EdDSA", name };
  try {
    const k = await c.publicKey.export();
    const a = k.algorithm as Partial<RsaHashedKeyAlgorithm & EcKeyAlgorithm> & KeyAlgorithm;
    if (typeof a.modulusLength === "number") return { kind: "RSA", bits: a.modulusLength };
    if (typeof a.namedCurve === "string") return { kind: "EC", curve: a.namedCurve };
    return { kind: "other", name: a.name };
  } catch {
    return { kind: "other", name };
  }
}

/** A key in words ("RSA-2048", "P-256"). */
export function keyText(k: KeyInfo): string {
  switch (k.kind) {
    case "RSA":
      return `RSA-${k.bits}`;
    case "EC":
      return k.curve;
    case "EdDSA":
    case "other":
      return k.name;
    default: {
      const never: never = k;
      return String(never);
    }
  }
}

/** The hash of a certificate's signature ("SHA-256"), the scheme's name for EdDSA, else undefined. */
export function signatureHashOf(c: x509.X509Certificate): string | undefined {
  const a = c.signatureAlgorithm as { name?: string; hash?: { name?: string } | string };
  const hash = typeof a.hash === "string" ? a.hash : a.hash?.name;
  if (hash !== undefined) return hash.toUpperCase();
  if (a.name !== undefined && /^Ed(25519|448)$/.test(a.name)) return a.name;
  return undefined;
}

/** Days from now until `d` (negative: past). */
export function daysUntil(d: Date): number {
  return (d.getTime() - Date.now()) / DAY_MS;
}

const iso = (d: Date) => d.toISOString().slice(0, 16) + "Z";

/** One line about a certificate: subject, names, key, signature, validity. */
async function describe(c: x509.X509Certificate): Promise<string> {
  const san = sanOf(c).map((n) => `${n.type}:${n.value}`).join(" ");
  const sig = c.signatureAlgorithm as { name?: string };
  return `subject ${c.subject || "(empty)"}; issuer ${c.issuer}; SAN ${san || "(none)"}; key ${
    keyText(await keyOf(c))
  }; signed ${sig.name ?? "?"}/${signatureHashOf(c) ?? "?"}; valid ${iso(c.notBefore)} → ${iso(c.notAfter)}`;
}
