import assert from "node:assert/strict";
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { generateCa, issueIntermediate, issueLeaf } from "../../src/mock/ca.ts";
import { startReferenceServer } from "../reference_server/server.ts";
import { keyOf, keyText, namesHost, signatureHashOf } from "./_tls_chain.ts";
import { certifyTarget } from "./profile.ts";
import { checks } from "./tls.ts";
import type { Target } from "./target.ts";

const TLS_IDS = checks.map((c) => c.id);

async function leafFor(opts: Parameters<typeof issueLeaf>[1]): Promise<x509.X509Certificate> {
  const ca = await generateCa();
  return new x509.X509Certificate((await issueLeaf(ca, opts)).certPem);
}

Deno.test("host matching follows RFC 6125: SAN only, IPs exactly, a wildcard for one left-most label", async () => {
  const byIp = await leafFor({ ips: ["127.0.0.1"], commonName: "api.example.com" });
  assert.equal(namesHost(byIp, "127.0.0.1"), true);
  assert.equal(namesHost(byIp, "127.0.0.2"), false);
  assert.equal(namesHost(byIp, "api.example.com"), false, "the CN is not consulted");
  const wild = await leafFor({ dns: ["*.example.com", "Exact.Example.org."] });
  assert.equal(namesHost(wild, "api.example.com"), true);
  assert.equal(namesHost(wild, "a.b.example.com"), false);
  assert.equal(namesHost(wild, "example.com"), false);
  assert.equal(namesHost(wild, "exact.example.org"), true);
  const v6 = await leafFor({ ips: ["::1"] });
  assert.equal(namesHost(v6, "[::1]"), true);
});

Deno.test("keys and signature hashes are read from the certificate", async () => {
  const ca = await generateCa();
  const rsa = new x509.X509Certificate(
    (await issueLeaf(ca, { dns: ["a"], key: "RSA-1024", signatureHash: "SHA-1" })).certPem,
  );
  assert.equal(keyText(await keyOf(rsa)), "RSA-1024");
  assert.equal(signatureHashOf(rsa), "SHA-1");
  const ec = new x509.X509Certificate((await issueLeaf(ca, { dns: ["a"], key: "P-384" })).certPem);
  assert.equal(keyText(await keyOf(ec)), "P-384");
  assert.equal(signatureHashOf(ec), "SHA-256");
  const mid = await issueIntermediate(ca);
  const viaMid = new x509.X509Certificate((await issueLeaf(mid, { dns: ["a"] })).certPem);
  assert.equal(viaMid.issuer, mid.cert.subject);
});

/** A target at `baseUrl` that is not the reference (only the fields the TLS checks read matter). */
async function targetAt(baseUrl: string): Promise<Target> {
  const s = await startReferenceServer({});
  await s.close();
  return { ...s.target, baseUrl: new URL(baseUrl) };
}

Deno.test({
  name:
    "an https target that never answers, or answers in plain HTTP, is error (cannot judge) on every TLS check",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    for (const kind of ["silent", "plain-http"] as const) {
      const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const held: Deno.Conn[] = [];
      const serving = (async () => {
        for await (const c of l) {
          held.push(c);
          if (kind === "plain-http") {
            c.write(new TextEncoder().encode("HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n"))
              .then(() => c.close(), () => {});
          }
        }
      })().catch(() => {});
      try {
        const t0 = performance.now();
        const results = await certifyTarget(await targetAt(`https://127.0.0.1:${l.addr.port}`), {
          seed: 1,
          only: TLS_IDS,
          concurrency: 8,
        });
        assert.equal(results.length, TLS_IDS.length);
        for (const r of results) {
          assert.equal(r.verdict.outcome, "error", `${kind}: ${r.id}: ${JSON.stringify(r.verdict)}`);
          assert.match("reason" in r.verdict ? r.verdict.reason : "", /cannot judge/);
        }
        assert.ok(performance.now() - t0 < 40_000, `${kind}: took ${Math.round(performance.now() - t0)} ms`);
      } finally {
        l.close();
        await serving;
        for (const c of held) {
          try {
            c.close();
          } catch {
            // closed
          }
        }
      }
    }
  },
});

Deno.test({
  name: "the reference server over https passes every svc.tls check; over http they are not applicable",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    for (const https of [true, false]) {
      const s = await startReferenceServer({ https });
      try {
        const results = await certifyTarget(s.target, { seed: 1, only: TLS_IDS });
        for (const r of results) {
          if (https) assert.equal(r.verdict.outcome, "pass", `${r.id}: ${JSON.stringify(r.verdict)}`);
          else assert.match("reason" in r.verdict ? r.verdict.reason : "", /https_target/);
        }
      } finally {
        await s.close();
      }
    }
  },
});
