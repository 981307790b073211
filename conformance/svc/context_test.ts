import assert from "node:assert/strict";
import { maskAuthorization, Prober } from "./_context.ts";
import { forgeriesFor, JwtKit } from "./_jwt_kit.ts";
import { decodeProtectedHeader, generateKeyPair } from "jose";
import { hostileOrigins } from "./cors.ts";

Deno.test("the probe refuses anything but the target's origin", () => {
  const p = new Prober(new URL("http://127.0.0.1:8080"), new AbortController().signal);
  try {
    assert.equal(p.url("/items?q=1").href, "http://127.0.0.1:8080/items?q=1");
    for (const bad of ["//evil.test/x", "http://evil.test/", "items", "@evil.test/"]) {
      assert.throws(() => p.url(bad), /probe refused/, bad);
    }
  } finally {
    p.close();
  }
});

Deno.test("a probe to a closed port is status 0 with an error, bounded in time, and counted", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const p = new Prober(new URL(`http://127.0.0.1:${port}`), new AbortController().signal);
  try {
    const r = await p.send({ method: "GET", path: "/", timeoutMs: 2000 });
    assert.equal(r.status, 0);
    assert.ok(r.error);
    assert.equal(p.count, 1);
    const ev = p.evidence(["n=1"]);
    assert.equal(ev.timings?.["probe_requests"], 1);
    assert.ok(ev.notes?.some((n) => n.startsWith("probe requests: 1")));
  } finally {
    p.close();
  }
});

Deno.test("Authorization values are masked in evidence (JWTs show only their alg)", () => {
  const jwt = `${btoa('{"alg":"RS256"}').replace(/=+$/, "")}.e30.sig`;
  assert.equal(maskAuthorization(`Bearer ${jwt}`), `Bearer <token alg=RS256 ${jwt.length} chars>`);
  assert.ok(!maskAuthorization("Bearer secret-token-value").includes("secret"));
});

Deno.test("the JWT kit forges every fixture recipe with an issuer key", async () => {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const { exportSPKI } = await import("jose");
  const kit = new JwtKit({
    issuerKey: privateKey,
    alg: "RS256",
    issuer: "i",
    audience: "a",
    kid: "k",
    subject: "s",
    publicKeyPem: await exportSPKI(publicKey),
  });
  for (
    const id of ["svc.jwt.alg-none", "svc.jwt.hs-confusion", "svc.jwt.expired", "svc.auth.invalid-token"]
  ) {
    const cases = await forgeriesFor(id);
    assert.ok(cases.length > 0, id);
    for (const c of cases) {
      const f = await kit.forge(c.recipe);
      assert.ok(f.ok, `${c.name}: ${f.ok ? "" : f.reason}`);
    }
  }
  const none = await kit.forge({ kind: "alg_none", alg: "nOnE" });
  assert.ok(none.ok && none.token.endsWith("."));
  if (none.ok) assert.equal(decodeProtectedHeader(none.token).alg, "nOnE");
  const hs = await kit.forge({ kind: "hs_confusion", key_form: "pem" });
  if (hs.ok) assert.equal(decodeProtectedHeader(hs.token).alg, "HS256");
});

Deno.test("without an issuer key, claim forgeries are not possible (not_applicable)", async () => {
  const kit = new JwtKit({ token: "opaque-token", alg: "RS256", subject: "s" });
  const f = await kit.forge({ kind: "expired", seconds_ago: 600 });
  assert.equal(f.ok, false);
  assert.equal(await kit.valid(), "opaque-token");
});

Deno.test("hostile origins include null and look-alikes, never a configured origin", () => {
  const o = hostileOrigins(new URL("https://api.example.com"), ["https://app.example.com"]);
  assert.ok(o.includes("null"));
  assert.ok(o.includes("https://example.com.evil.test"));
  assert.ok(o.includes("https://app.example.com.evil.test"));
  assert.ok(o.includes("http://app.example.com"));
  assert.ok(!o.includes("https://app.example.com"));
});

Deno.test("a probe never follows a redirect (not to another host, not at all)", async () => {
  let elsewhere = 0;
  const other = Deno.serve({ hostname: "127.0.0.2", port: 0, onListen() {} }, () => {
    elsewhere++;
    return new Response("followed");
  });
  const target = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response(null, { status: 302, headers: { location: `http://127.0.0.2:${other.addr.port}/` } }),
  );
  const p = new Prober(new URL(`http://127.0.0.1:${target.addr.port}`), new AbortController().signal);
  try {
    const r = await p.send({ method: "GET", path: "/items" });
    assert.equal(r.status, 302);
    assert.equal(elsewhere, 0);
  } finally {
    p.close();
    await target.shutdown();
    await other.shutdown();
  }
});
