import "reflect-metadata";
import assert from "node:assert/strict";
import * as x509 from "@peculiar/x509";
import { generateCa, issueLeaf } from "./ca.ts";

Deno.test("generateCa() makes a P-256 CA with keyCertSign and a non-extractable key", async () => {
  const ca = await generateCa({ commonName: "test CA" });
  const cert = new x509.X509Certificate(ca.certPem);
  assert.equal(cert.subject, "CN=test CA");
  assert.equal(cert.issuer, cert.subject);
  const bc = cert.getExtension(x509.BasicConstraintsExtension);
  assert.equal(bc?.ca, true);
  const ku = cert.getExtension(x509.KeyUsagesExtension);
  assert.ok(ku && (ku.usages & x509.KeyUsageFlags.keyCertSign) !== 0);
  assert.equal(ca.keys.privateKey.extractable, false);
  assert.equal(await cert.verify({ publicKey: cert.publicKey, signatureOnly: true }), true);
});

Deno.test("issueLeaf() carries the SANs, serverAuth and the CA's signature", async () => {
  const ca = await generateCa();
  const leaf = await issueLeaf(ca, { dns: ["localhost"], ips: ["127.0.0.1", "127.0.0.2"] });
  const cert = new x509.X509Certificate(leaf.certPem);
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  assert.deepEqual(san?.names.toJSON(), [
    { type: "dns", value: "localhost" },
    { type: "ip", value: "127.0.0.1" },
    { type: "ip", value: "127.0.0.2" },
  ]);
  const eku = cert.getExtension(x509.ExtendedKeyUsageExtension);
  assert.deepEqual([...(eku?.usages ?? [])], [x509.ExtendedKeyUsage.serverAuth]);
  assert.equal(cert.getExtension(x509.BasicConstraintsExtension)?.ca, false);
  assert.equal(cert.issuer, ca.cert.subject);
  assert.equal(await cert.verify({ publicKey: ca.cert.publicKey, signatureOnly: true }), true);
  assert.ok(leaf.chainPem.startsWith(leaf.certPem) && leaf.chainPem.endsWith(ca.certPem));
  assert.match(leaf.keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
});

Deno.test("issueLeaf() can make client certificates (clientAuth)", async () => {
  const ca = await generateCa();
  const leaf = await issueLeaf(ca, { commonName: "plugin-a", usages: ["clientAuth"] });
  const cert = new x509.X509Certificate(leaf.certPem);
  assert.equal(cert.subject, "CN=plugin-a");
  assert.deepEqual([...(cert.getExtension(x509.ExtendedKeyUsageExtension)?.usages ?? [])], [
    x509.ExtendedKeyUsage.clientAuth,
  ]);
  assert.equal(cert.getExtension(x509.SubjectAlternativeNameExtension), null);
});

Deno.test("a leaf serves TLS that a client trusting only its CA accepts", async () => {
  const [ca, other] = await Promise.all([generateCa(), generateCa()]);
  const leaf = await issueLeaf(ca, { ips: ["127.0.0.1"] });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, cert: leaf.chainPem, key: leaf.keyPem, onListen: () => {} },
    () => new Response("ok"),
  );
  const good = Deno.createHttpClient({ caCerts: [ca.certPem] });
  const bad = Deno.createHttpClient({ caCerts: [other.certPem] });
  try {
    const res = await fetch(`https://127.0.0.1:${server.addr.port}/`, { client: good });
    assert.equal(await res.text(), "ok");
    await assert.rejects(fetch(`https://127.0.0.1:${server.addr.port}/`, { client: bad }));
  } finally {
    good.close();
    bad.close();
    await server.shutdown();
  }
});
