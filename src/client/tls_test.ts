import "reflect-metadata";
import assert from "node:assert/strict";
import * as x509 from "@peculiar/x509";
import { RonClient } from "./client.ts";
import { RonInsecureTransportError } from "./errors.ts";
import { withFault } from "./_faults.ts";
import { json, startServer } from "./_test_server.ts";

x509.cryptoProvider.set(crypto);

const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

function pem(label: string, der: ArrayBuffer): string {
  const b64 = btoa(String.fromCharCode(...new Uint8Array(der)));
  return `-----BEGIN ${label}-----\n${b64.match(/.{1,64}/g)?.join("\n")}\n-----END ${label}-----\n`;
}

/** An ephemeral CA and a leaf for localhost / 127.0.0.1 (never written to disk). */
async function makePki(): Promise<{ caPem: string; cert: string; key: string }> {
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + 3_600_000);
  const caKeys = await crypto.subtle.generateKey(ALG, true, ["sign", "verify"]);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: "CN=ron-kit test CA",
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  const leafKeys = await crypto.subtle.generateKey(ALG, true, ["sign", "verify"]);
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: "02",
    subject: "CN=localhost",
    issuer: ca.subject,
    notBefore,
    notAfter,
    signingKey: caKeys.privateKey,
    publicKey: leafKeys.publicKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: "dns", value: "localhost" },
        { type: "ip", value: "127.0.0.1" },
      ]),
    ],
  });
  const key = pem("PRIVATE KEY", await crypto.subtle.exportKey("pkcs8", leafKeys.privateKey));
  return { caPem: ca.toString("pem"), cert: leaf.toString("pem"), key };
}

Deno.test("TLS: a custom CA is trusted, an unknown CA is refused, an https → http redirect is refused", async (t) => {
  const pki = await makePki();
  const plain = startServer(() => json(200, { plain: true }));
  const tls = startServer((req) => {
    if (new URL(req.url).pathname === "/down") {
      return new Response(null, { status: 302, headers: { location: `${plain.url}/x` } });
    }
    return json(200, { tls: true });
  }, { cert: pki.cert, key: pki.key });
  const trusted = new RonClient({ baseUrl: tls.url, caCertPem: pki.caPem, token: "ronc_test_token_value" });
  const untrusted = new RonClient({ baseUrl: tls.url, token: "ronc_test_token_value", maxRetries: 0 });
  try {
    await t.step("custom CA", async () => {
      const r = await trusted.request({ method: "GET", path: "/" });
      assert.deepEqual(r.json, { tls: true });
    });
    await t.step("untrusted CA", async () => {
      const before = tls.seen.length;
      await assert.rejects(untrusted.request({ method: "GET", path: "/" }), RonInsecureTransportError);
      assert.equal(tls.seen.length, before);
    });
    await t.step("the ignore-custom-ca fault: the same CA is no longer trusted", async () => {
      const mutant = new RonClient(withFault({
        baseUrl: tls.url,
        caCertPem: pki.caPem,
        token: "ronc_test_token_value",
        maxRetries: 0,
      }, "ignore-custom-ca"));
      try {
        await assert.rejects(mutant.request({ method: "GET", path: "/" }), RonInsecureTransportError);
      } finally {
        mutant.close();
      }
    });
    await t.step("https → http redirect", async () => {
      await assert.rejects(trusted.request({ method: "GET", path: "/down" }), RonInsecureTransportError);
      assert.equal(plain.seen.length, 0);
    });
  } finally {
    trusted.close();
    untrusted.close();
    await tls.close();
    await plain.close();
  }
});
