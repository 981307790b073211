/**
 * The reference server's TLS: the certificate it presents (a P-256 leaf for 127.0.0.1 and
 * localhost, valid 90 days, from an ephemeral CA valid a year) and, for the TLS mutants, the one
 * thing that is wrong. Mutants Deno's TLS (rustls) cannot serve (TLS 1.0/1.1, weak suites, an
 * RSA-1024 key) run behind a Node TLS front (`src/tls/node_front.ts`) that pipes plaintext to the
 * server listening on plain HTTP. Keys stay in memory (the front gets them over its stdin).
 *
 * @module
 */
import { generateCa, issueIntermediate, issueLeaf } from "../../src/mock/ca.ts";
import type { NodeFrontOptions } from "../../src/tls/node_front.ts";
import type { ServerFault } from "./faults.ts";

/** What the reference server presents over https. */
export interface ReferenceTls {
  /** the root the target trusts (`ca_cert`) */
  caPem: string;
  /** the chain presented, PEM, leaf first */
  chainPem: string;
  /** the leaf's private key, PEM */
  keyPem: string;
  /** when set, serve through a Node front with these settings (Deno's TLS cannot) */
  front?: Pick<NodeFrontOptions, "minVersion" | "ciphers" | "secLevel0">;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const NAMES = { dns: ["localhost"], ips: ["127.0.0.1"] };

let correct: Promise<ReferenceTls> | undefined;

/**
 * The reference server's TLS material, for the correct server (minted once per process) or a TLS
 * mutant (minted per start). Other faults get the correct material.
 *
 * @param fault the server's fault, if any
 * @returns the CA, chain, key and (for some mutants) the Node front's settings
 */
export async function referenceTls(fault: ServerFault | undefined): Promise<ReferenceTls> {
  const ca = () => generateCa({ commonName: "reference-server test CA", validityDays: 365 });
  const plain = async (): Promise<ReferenceTls> => {
    const root = await ca();
    const leaf = await issueLeaf(root, { ...NAMES, validityDays: 90 });
    return { caPem: root.certPem, chainPem: leaf.chainPem, keyPem: leaf.keyPem };
  };
  const withLeaf = async (opts: Parameters<typeof issueLeaf>[1]): Promise<ReferenceTls> => {
    const root = await ca();
    const leaf = await issueLeaf(root, { ...NAMES, validityDays: 90, ...opts });
    return { caPem: root.certPem, chainPem: leaf.chainPem, keyPem: leaf.keyPem };
  };
  switch (fault) {
    case "allow-tls10":
      return { ...await plain(), front: { minVersion: "TLSv1", secLevel0: true } };
    case "allow-tls11":
      return { ...await plain(), front: { minVersion: "TLSv1.1", secLevel0: true } };
    case "weak-suites":
      // ALL adds anonymous (and 3DES/RC4 where this OpenSSL has them); eNULL adds NULL encryption
      return { ...await plain(), front: { ciphers: "ALL:eNULL", secLevel0: true } };
    case "expired-cert":
      return await withLeaf({
        notBefore: new Date(Date.now() - 30 * DAY_MS),
        notAfter: new Date(Date.now() - DAY_MS),
      });
    case "wrong-host-cert":
      return await withLeaf({ dns: ["wrong-host.invalid"], ips: [] });
    case "incomplete-chain": {
      const root = await ca();
      const mid = await issueIntermediate(root, { validityDays: 365 });
      const leaf = await issueLeaf(mid, { ...NAMES, validityDays: 90 });
      return { caPem: root.certPem, chainPem: leaf.certPem, keyPem: leaf.keyPem };
    }
    case "rsa-1024-cert":
      return { ...await withLeaf({ key: "RSA-1024" }), front: { secLevel0: true } };
    case "sha1-cert":
      return await withLeaf({ signatureHash: "SHA-1" });
    case "short-lived-cert":
      return await withLeaf({ validityDays: 7 });
    default:
      correct ??= plain();
      return await correct;
  }
}
