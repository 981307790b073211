import "reflect-metadata";
import assert from "node:assert/strict";
import * as x509 from "@peculiar/x509";
import { generateCa, issueIntermediate, issueLeaf } from "./ca.ts";

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

Deno.test("issueLeaf() mints each key kind, and an RSA leaf carries keyEncipherment", async () => {
  const ca = await generateCa();
  for (const [key, alg, bits] of [["P-384", "ECDSA", 0], ["RSA-1024", "RSASSA-PKCS1-v1_5", 1024]] as const) {
    const leaf = await issueLeaf(ca, { ips: ["127.0.0.1"], key });
    assert.equal(leaf.key, key);
    const cert = new x509.X509Certificate(leaf.certPem);
    assert.equal(cert.publicKey.algorithm.name, alg);
    if (bits > 0) {
      const pub = await cert.publicKey.export({ name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, ["verify"]);
      assert.equal((pub.algorithm as RsaHashedKeyAlgorithm).modulusLength, bits);
      const ku = cert.getExtension(x509.KeyUsagesExtension);
      assert.ok(ku && (ku.usages & x509.KeyUsageFlags.keyEncipherment) !== 0);
    } else {
      assert.equal((cert.publicKey.algorithm as EcKeyAlgorithm).namedCurve, "P-384");
    }
    assert.equal(await cert.verify({ publicKey: ca.cert.publicKey, signatureOnly: true }), true);
  }
});

Deno.test("issueLeaf() signs with SHA-1 when asked, SHA-256 by default", async () => {
  const ca = await generateCa();
  const sha1 = new x509.X509Certificate((await issueLeaf(ca, { signatureHash: "SHA-1" })).certPem);
  assert.equal(sha1.signatureAlgorithm.hash.name, "SHA-1");
  assert.equal(await sha1.verify({ publicKey: ca.cert.publicKey, signatureOnly: true }), true);
  const plain = new x509.X509Certificate((await issueLeaf(ca)).certPem);
  assert.equal(plain.signatureAlgorithm.hash.name, "SHA-256");
});

Deno.test("an RSA CA signs with the hash it was made with, and refuses another", async () => {
  const ca = await generateCa({ key: "RSA-1024", signatureHash: "SHA-1" });
  assert.equal(ca.key, "RSA-1024");
  const leaf = new x509.X509Certificate((await issueLeaf(ca)).certPem);
  assert.equal(leaf.signatureAlgorithm.name, "RSASSA-PKCS1-v1_5");
  assert.equal(leaf.signatureAlgorithm.hash.name, "SHA-1");
  await assert.rejects(issueLeaf(ca, { signatureHash: "SHA-256" }), /signs with SHA-1 only/);
});

Deno.test("issueLeaf() honours notBefore/notAfter, omitCommonName and selfSigned", async () => {
  const ca = await generateCa();
  const day = 86_400_000;
  const notBefore = new Date(Date.now() - 10 * day);
  const notAfter = new Date(Date.now() - day);
  const expired = new x509.X509Certificate((await issueLeaf(ca, { notBefore, notAfter })).certPem);
  assert.equal(expired.notBefore.getTime(), Math.floor(notBefore.getTime() / 1000) * 1000);
  assert.equal(expired.notAfter.getTime(), Math.floor(notAfter.getTime() / 1000) * 1000);

  const sanOnly = new x509.X509Certificate(
    (await issueLeaf(ca, { dns: ["a.test"], omitCommonName: true })).certPem,
  );
  assert.equal(sanOnly.subject, "");
  const ext = sanOnly.getExtension(x509.SubjectAlternativeNameExtension);
  assert.equal(ext?.critical, true);
  assert.deepEqual(ext?.names.toJSON(), [{ type: "dns", value: "a.test" }]);

  const self = await issueLeaf(ca, { ips: ["127.0.0.1"], selfSigned: true });
  assert.equal(self.chainPem, self.certPem);
  const cert = new x509.X509Certificate(self.certPem);
  assert.equal(cert.issuer, cert.subject);
  assert.equal(await cert.verify({ publicKey: cert.publicKey, signatureOnly: true }), true);
  assert.equal(await cert.verify({ publicKey: ca.cert.publicKey, signatureOnly: true }), false);
});

Deno.test("a leaf under an intermediate: accepted with the full chain, refused with the leaf alone", async () => {
  const root = await generateCa();
  const mid = await issueIntermediate(root);
  assert.equal(mid.chainPem, mid.certPem + root.certPem);
  assert.equal(mid.cert.issuer, root.cert.subject);
  assert.equal(mid.cert.getExtension(x509.BasicConstraintsExtension)?.ca, true);
  const leaf = await issueLeaf(mid, { ips: ["127.0.0.1"] });
  const client = Deno.createHttpClient({ caCerts: [root.certPem] });
  const serve = (cert: string) =>
    Deno.serve(
      { hostname: "127.0.0.1", port: 0, cert, key: leaf.keyPem, onListen: () => {} },
      () => new Response("ok"),
    );
  const [full, bare] = [serve(leaf.chainPem), serve(leaf.certPem)];
  try {
    const res = await fetch(`https://127.0.0.1:${full.addr.port}/`, { client });
    assert.equal(await res.text(), "ok");
    await assert.rejects(fetch(`https://127.0.0.1:${bare.addr.port}/`, { client }));
  } finally {
    client.close();
    await Promise.all([full.shutdown(), bare.shutdown()]);
  }
});
