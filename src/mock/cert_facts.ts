/**
 * What a certificate is, in the words a report uses: key kind and size, signature algorithm,
 * validity, names. For evidence ("the leaf was an RSA-1024 key signed with SHA-256 by CN=…").
 *
 * @module
 */
import "reflect-metadata";
import * as x509 from "@peculiar/x509";

/** The facts of one certificate. */
export interface CertificateFacts {
  /** the subject DN ("" when empty) */
  readonly subject: string;
  /** the issuer DN */
  readonly issuer: string;
  /** the key: "P-256", "P-384", "RSA-2048", … (the algorithm's name when neither EC nor RSA) */
  readonly key: string;
  /** the signature: "ECDSA with SHA-256", "RSA PKCS#1 v1.5 with SHA-1", … */
  readonly signature: string;
  /** start of validity, ISO 8601 */
  readonly notBefore: string;
  /** end of validity, ISO 8601 */
  readonly notAfter: string;
  /** subject alternative names, as `DNS:x` / `IP:x` */
  readonly san: readonly string[];
  /** issuer equals subject and the certificate verifies with its own key */
  readonly selfSigned: boolean;
  /** one line with all of the above */
  readonly summary: string;
}

function keyOf(alg: Algorithm): string {
  const a = alg as Partial<EcKeyAlgorithm & RsaHashedKeyAlgorithm>;
  if (typeof a.namedCurve === "string") return a.namedCurve;
  if (typeof a.modulusLength === "number") return `RSA-${a.modulusLength}`;
  return alg.name;
}

function signatureOf(alg: Algorithm): string {
  const a = alg as Partial<RsaHashedImportParams & EcdsaParams>;
  const hash = typeof a.hash === "string" ? a.hash : (a.hash as Algorithm | undefined)?.name;
  const name = alg.name === "RSASSA-PKCS1-v1_5" ? "RSA PKCS#1 v1.5" : alg.name;
  return hash === undefined ? name : `${name} with ${hash}`;
}

/**
 * The facts of a certificate.
 *
 * @param pem the certificate, PEM (the first one if a chain)
 * @returns key, signature, validity, names and a one-line summary
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateCa, issueLeaf } from "./ca.ts";
 * import { certificateFacts } from "./cert_facts.ts";
 * const leaf = await issueLeaf(await generateCa(), { ips: ["127.0.0.1"], key: "P-384" });
 * const f = await certificateFacts(leaf.certPem);
 * assert.equal(f.key, "P-384");
 * assert.deepEqual(f.san, ["IP:127.0.0.1"]);
 * ```
 */
export async function certificateFacts(pem: string): Promise<CertificateFacts> {
  const first = pem.slice(0, pem.indexOf("-----END CERTIFICATE-----") + "-----END CERTIFICATE-----".length);
  const cert = new x509.X509Certificate(first);
  const ext = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const san = (ext?.names.toJSON() ?? []).map((n) =>
    `${n.type === "ip" ? "IP" : n.type.toUpperCase()}:${n.value}`
  );
  const selfSigned = cert.subject === cert.issuer &&
    await cert.verify({ publicKey: cert.publicKey, signatureOnly: true }).catch(() => false);
  const key = keyOf(cert.publicKey.algorithm);
  const signature = signatureOf(cert.signatureAlgorithm);
  const notBefore = cert.notBefore.toISOString();
  const notAfter = cert.notAfter.toISOString();
  const subject = cert.subject;
  const issuer = cert.issuer;
  const summary = `${key} key; ${signature}, ${selfSigned ? "self-signed" : `issued by ${issuer}`}; ` +
    `valid ${notBefore} to ${notAfter}; subject ${subject === "" ? "(empty)" : subject}; ` +
    `SAN ${san.length === 0 ? "(none)" : san.join(", ")}`;
  return { subject, issuer, key, signature, notBefore, notAfter, san, selfSigned, summary };
}
