/**
 * `rpc.cert.*`: the plugin's server certificate has a strong key and signature, and (SHOULD) is
 * short-lived (seed 004 § Certificate Rotation, § Certificate Validation).
 *
 * @module
 */
import { type Verdict, verdict } from "../../src/engine/types.ts";
import { type CertificateFacts, certificateFacts } from "../../src/mock/cert_facts.ts";
import { errorMessage } from "../../src/util/error_message.ts";
import { type RpcCheck, rpcCheck, type RpcContext, sharedReady } from "./_context.ts";
import { describeCall, grpcCall, healthRequest } from "./_grpc.ts";
import { derToPem } from "./_handshake.ts";

/** The longest validity a short-lived certificate may have, in days. */
export const SHORT_LIVED_DAYS = 90;

async function serverFacts(
  ctx: RpcContext,
): Promise<{ facts: CertificateFacts; from: string } | { verdict: Verdict }> {
  const r = await sharedReady(ctx);
  if ("verdict" in r) return r;
  let der = r.hs.certDer;
  let from = "the handshake line";
  if (der === undefined) {
    const call = await grpcCall(r.hs.endpoint!, {
      identity: ctx.host,
      path: "/grpc.health.v1.Health/Check",
      body: healthRequest(ctx.target.healthService),
      timeoutMs: 5000,
    });
    der = call.tls?.peerDer;
    from = "the TLS handshake";
    if (der === undefined) {
      return {
        verdict: verdict.error(`cannot judge: no server certificate to read (${describeCall(call)})`),
      };
    }
  }
  try {
    return { facts: await certificateFacts(derToPem(der)), from };
  } catch (e) {
    return {
      verdict: verdict.fail(`the server certificate from ${from} does not parse: ${errorMessage(e)}`),
    };
  }
}

const STRONG_CURVES = new Set(["P-256", "P-384", "P-521", "Ed25519", "Ed448"]);

const strength: RpcCheck = rpcCheck({
  id: "rpc.cert.strength",
  title:
    "The plugin's server certificate has a strong key (EC P-256+, Ed25519, RSA 2048+) and no SHA-1 or MD5 signature",
  level: "MUST",
  source: "004 § Certificate Generation",
  rationale: "A weak key or signature lets an attacker forge the certificate the host pins.",
  requires: ["plugin"],
  mutants: ["weak-cert"],
  async run(ctx) {
    const got = await serverFacts(ctx);
    if ("verdict" in got) return got.verdict;
    const { facts, from } = got;
    const notes = [`from ${from}: ${facts.summary}`];
    const rsa = /^RSA-(\d+)$/.exec(facts.key);
    const strongKey = rsa ? Number(rsa[1]) >= 2048 : STRONG_CURVES.has(facts.key);
    if (!strongKey) return verdict.fail(`the server certificate's key is ${facts.key}`, { notes });
    if (/SHA-1\b|MD5|MD2/i.test(facts.signature)) {
      return verdict.fail(`the server certificate is signed with ${facts.signature}`, { notes });
    }
    return verdict.pass({ notes });
  },
});

const shortLived: RpcCheck = rpcCheck({
  id: "rpc.cert.short-lived",
  title: `The plugin's server certificate is valid for at most ${SHORT_LIVED_DAYS} days`,
  level: "SHOULD",
  source: "004 § Certificate Rotation",
  rationale:
    "An ephemeral AutoMTLS certificate needs no long life; one valid for decades (go-plugin's is ~30 years) is never rotated, so a leaked key stays good.",
  requires: ["plugin"],
  mutants: ["long-lived-cert"],
  async run(ctx) {
    const got = await serverFacts(ctx);
    if ("verdict" in got) return got.verdict;
    const { facts, from } = got;
    const days = (Date.parse(facts.notAfter) - Date.parse(facts.notBefore)) / 86_400_000;
    const notes = [`from ${from}: valid ${facts.notBefore} to ${facts.notAfter} (${days.toFixed(1)} days)`];
    if (days > SHORT_LIVED_DAYS) {
      return verdict.fail(
        `the server certificate is valid for ${Math.round(days)} days (at most ${SHORT_LIVED_DAYS})`,
        {
          notes,
        },
      );
    }
    return verdict.pass({ notes });
  },
});

/** The certificate checks. */
export const checks: readonly RpcCheck[] = [strength, shortLived];
