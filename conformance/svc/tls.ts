/**
 * svc.tls.*: the server's TLS, probed from outside (https targets only): no TLS 1.0/1.1, no weak
 * suites, and a certificate chain that names the host, is complete, uses strong keys and
 * signatures and does not expire within 14 days. Versions and the chain are probed with Node's
 * OpenSSL (`src/tls/node_probe.ts`); without Node those checks are `not_applicable` with the
 * install hint. Suites are offered in raw ClientHellos (`src/tls/client_hello.ts`).
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import { type Check, type Verdict, verdict } from "../../src/engine/types.ts";
import type { SvcContext } from "./_context.ts";
import {
  daysUntil,
  keyOf,
  keyText,
  namesHost,
  type PresentedChain,
  readChain,
  sanOf,
  servedCerts,
  signatureHashOf,
} from "./_tls_chain.ts";
import { legacyRefusal, tlsEndpoint, weakSuites } from "./_tls_probe.ts";

/** Days a certificate must still be valid for `svc.tls.expiry`. */
const EXPIRY_MARGIN_DAYS = 14;
/** Every TLS check's time limit: a Node self-test, a control and a probe or two. */
const TLS_TIME_LIMIT_MS = 30_000;

type Meta = Omit<Check<SvcContext>, "run" | "requires" | "timeLimitMs">;

function tlsCheck(meta: Meta, run: (ctx: SvcContext) => Promise<Verdict>): Check<SvcContext> {
  return defineCheck<SvcContext>({
    ...meta,
    requires: ["https_target"],
    timeLimitMs: TLS_TIME_LIMIT_MS,
    run,
  });
}

/** Judge the presented chain with `judge`: a failure reason, or undefined for a pass. */
function chainCheck(
  meta: Meta,
  judge: (chain: PresentedChain, ctx: SvcContext) => Promise<string | undefined> | string | undefined,
): Check<SvcContext> {
  return tlsCheck(meta, async (ctx) => {
    const r = await readChain(ctx.target);
    if (!r.ok) return r.verdict;
    const c = r.chain;
    const notes = [
      `handshake ${c.protocol} ${c.cipher}; chain as presented (leaf first, ${c.certs.length}):`,
      ...c.lines,
      `Node's verification (system roots${ctx.target.caCertPem ? " + the target's ca_cert" : ""}): ${
        c.authorizationError ?? "verified"
      }`,
    ];
    const why = await judge(c, ctx);
    return why === undefined ? verdict.pass(c.log.evidence(notes)) : verdict.fail(why, c.log.evidence(notes));
  });
}

const noTls10 = tlsCheck({
  id: "svc.tls.no-tls10",
  title: "TLS 1.0 is refused",
  level: "MUST",
  source: "004 Load Balancer Security (ssl_protocols TLSv1.2 TLSv1.3); RFC 8996",
  rationale: "TLS 1.0 lacks modern AEAD suites and is open to downgrade and CBC padding attacks (BEAST, " +
    "POODLE-TLS); RFC 8996 forbids it, so a client that can still be talked into it is exposed.",
  mutants: ["allow-tls10"],
}, (ctx) => legacyRefusal(ctx.target, "TLSv1"));

const noTls11 = tlsCheck({
  id: "svc.tls.no-tls11",
  title: "TLS 1.1 is refused",
  level: "MUST",
  source: "004 Load Balancer Security (ssl_protocols TLSv1.2 TLSv1.3); RFC 8996",
  rationale: "TLS 1.1 has the same weaknesses as 1.0 (SHA-1/MD5 in the handshake, no AEAD suites) and is " +
    "deprecated by RFC 8996; accepting it lets an attacker on the path downgrade clients that still offer it.",
  mutants: ["allow-tls11", "allow-tls10"],
}, (ctx) => legacyRefusal(ctx.target, "TLSv1.1"));

const noWeakSuites = tlsCheck({
  id: "svc.tls.no-weak-suites",
  title: "No NULL, anonymous, RC4 or 3DES cipher suite is accepted",
  level: "MUST",
  source: "004 Load Balancer Security (ssl_ciphers: ECDHE/DHE AES-GCM only); RFC 7465; RFC 9325 §4.1",
  rationale: "NULL suites send plaintext, anonymous suites authenticate no one (any man in the middle " +
    "wins), RC4 is broken (RFC 7465) and 3DES falls to Sweet32; a server that picks one when a client " +
    "offers it hands the connection to an attacker who can shape the offer.",
  mutants: ["weak-suites"],
}, (ctx) => weakSuites(ctx.target));

const certHost = chainCheck({
  id: "svc.tls.cert-host",
  title: "The certificate names the target host (SAN) and is within its validity period",
  level: "MUST",
  source: "004 Certificate Management (server certificates with proper SANs); 002 §5.2 TLS Verification; " +
    "RFC 6125 §6",
  rationale:
    "A client that verifies certificates refuses a leaf that does not name the host in its subject " +
    "alternative names (the CN is not consulted) or whose validity has ended or not begun, so such a server " +
    "only works for clients that skip verification.",
  mutants: ["wrong-host-cert", "expired-cert"],
}, (chain, ctx) => {
  const leaf = chain.certs[0];
  if (leaf === undefined) return "no leaf certificate";
  const host = tlsEndpoint(ctx.target).host;
  const problems: string[] = [];
  if (!namesHost(leaf, host)) {
    const san = sanOf(leaf).map((n) => `${n.type}:${n.value}`).join(", ");
    problems.push(`the leaf's SAN (${san || "none"}) does not name ${host}`);
  }
  const now = new Date();
  if (leaf.notAfter < now) {
    problems.push(
      `the leaf expired ${leaf.notAfter.toISOString()} (${(-daysUntil(leaf.notAfter)).toFixed(1)} days ago)`,
    );
  }
  if (leaf.notBefore > now) problems.push(`the leaf is not valid until ${leaf.notBefore.toISOString()}`);
  return problems.length > 0 ? problems.join("; ") : undefined;
});

const chainComplete = chainCheck({
  id: "svc.tls.chain-complete",
  title: "The server sends its whole chain (every intermediate up to a root)",
  level: "MUST",
  source: "004 Certificate Validation (chain validation); RFC 8446 §4.4.2",
  rationale:
    "A server that leaves out an intermediate works only for clients that happen to have it cached " +
    "or fetch it (browsers, sometimes); API clients and SDKs fail to verify the chain and either break or " +
    "get told to turn verification off.",
  mutants: ["incomplete-chain"],
}, (chain) => {
  if (chain.endsInRoot) return undefined;
  const last = chain.certs[chain.certs.length - 1];
  return `the chain stops at ${last?.subject ?? "?"}, issued by ${last?.issuer ?? "?"}, which the server ` +
    "does not send and no trusted root (system roots or the target's ca_cert) provides";
});

const keyStrength = chainCheck({
  id: "svc.tls.key-strength",
  title: "Certificate keys are RSA >= 2048 bits or ECDSA P-256 or stronger",
  level: "MUST",
  source: "004 Certificate Generation (ECDSA secp384r1 keys); CA/Browser Forum Baseline Requirements §6.1.5",
  rationale: "RSA keys under 2048 bits are within reach of factoring and are refused by current clients; " +
    "an attacker who recovers the key impersonates the server.",
  mutants: ["rsa-1024-cert"],
}, async (chain) => {
  const weak: string[] = [];
  for (const [i, c] of servedCerts(chain).entries()) {
    const k = await keyOf(c);
    const ok = k.kind === "RSA"
      ? k.bits >= 2048
      : k.kind === "EC"
      ? ["P-256", "P-384", "P-521"].includes(k.curve)
      : k.kind === "EdDSA";
    if (!ok) weak.push(`[${i}] ${c.subject || "(empty subject)"}: ${keyText(k)}`);
  }
  return weak.length > 0 ? `weak or unrecognised keys: ${weak.join("; ")}` : undefined;
});

const signature = chainCheck({
  id: "svc.tls.signature",
  title: "Certificates are signed with SHA-256 or stronger (no SHA-1, no MD5)",
  level: "MUST",
  source: "004 Certificate Validation; CA/Browser Forum Baseline Requirements §7.1.3",
  rationale: "SHA-1 collisions are practical (SHAttered, 2017), so a SHA-1 signature no longer proves who " +
    "issued a certificate; clients refuse them.",
  mutants: ["sha1-cert"],
}, (chain) => {
  const weak: string[] = [];
  for (const [i, c] of servedCerts(chain).entries()) {
    const h = signatureHashOf(c);
    const ok = h !== undefined && /^(SHA-(256|384|512)|ED25519|ED448)$/i.test(h);
    if (!ok) {
      weak.push(`[${i}] ${c.subject || "(empty subject)"}: ${h ?? "an unrecognised signature algorithm"}`);
    }
  }
  return weak.length > 0 ? `weak signatures: ${weak.join("; ")}` : undefined;
});

const expiry = chainCheck({
  id: "svc.tls.expiry",
  title: `Every certificate in the chain is valid for more than ${EXPIRY_MARGIN_DAYS} days`,
  level: "SHOULD",
  source: "004 Security Checklist (Post-Deployment: certificate expiry monitoring); Certificate Rotation",
  rationale: "A certificate that expires within two weeks without a replacement in place takes the service " +
    "down for every verifying client; monitoring should have rotated it already.",
  mutants: ["short-lived-cert", "expired-cert"],
}, (chain) => {
  const soon = chain.certs
    .map((c, i) => ({ c, i, days: daysUntil(c.notAfter) }))
    .filter((x) => x.days <= EXPIRY_MARGIN_DAYS);
  if (soon.length === 0) return undefined;
  return soon.map((x) =>
    `[${x.i}] ${x.c.subject || "(empty subject)"} ${
      x.days < 0 ? "expired" : "expires"
    } ${x.c.notAfter.toISOString()} ` +
    `(${
      x.days < 0 ? `${(-x.days).toFixed(1)} days ago` : `in ${x.days.toFixed(1)} days`
    }; needs more than ${EXPIRY_MARGIN_DAYS})`
  ).join("; ");
});

/** The checks of this area (svc.tls.*). */
export const checks: readonly Check<SvcContext>[] = [
  noTls10,
  noTls11,
  noWeakSuites,
  certHost,
  chainComplete,
  keyStrength,
  signature,
  expiry,
];
