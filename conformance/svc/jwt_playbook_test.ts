import assert from "node:assert/strict";
import { decodeProtectedHeader, jwtVerify } from "jose";
import { startReferenceServer } from "../reference_server/server.ts";
import type { ServerFault } from "../reference_server/faults.ts";
import { certifyTarget } from "./profile.ts";
import { b64url, forgeriesFor, JwtKit } from "./_jwt_kit.ts";
import { weakSecrets } from "./_jwt_weak.ts";
import { startKeyListener } from "./_jwt_listener.ts";

const PLAYBOOK: [ServerFault, string][] = [
  ["trust-embedded-jwk", "svc.jwt.embedded-key"],
  ["fetch-remote-key", "svc.jwt.remote-key"],
  ["kid-lookup-injection", "svc.jwt.kid-injection"],
  ["alg-denylist", "svc.jwt.null-signature"],
  ["no-nbf-check", "svc.jwt.not-yet-valid"],
  ["ignore-crit", "svc.jwt.crit"],
  ["weak-hmac-secret", "svc.jwt.weak-secret"],
  ["psychic-signature", "svc.jwt.psychic-signature"],
];
const IDS = PLAYBOOK.map(([, id]) => id);

Deno.test("the reference server passes every playbook check; each mutant fails exactly its own", async () => {
  const ref = await startReferenceServer();
  try {
    for (const r of await certifyTarget(ref.target, { seed: 3, only: IDS })) {
      assert.equal(r.verdict.outcome, "pass", `${r.id}: ${JSON.stringify(r.verdict)}`);
    }
  } finally {
    await ref.close();
  }
  for (const [fault, id] of PLAYBOOK) {
    const s = await startReferenceServer({ fault });
    try {
      const results = await certifyTarget(s.target, { seed: 3, only: IDS });
      for (const r of results) {
        assert.equal(r.verdict.outcome, r.id === id ? "fail" : "pass", `${fault} on ${r.id}`);
      }
    } finally {
      await s.close();
    }
  }
});

Deno.test("every playbook check has fixture cases, and each builds with an issuer key", async () => {
  const s = await startReferenceServer();
  try {
    const kit = new JwtKit(s.target.credentials);
    for (const id of IDS.filter((i) => i !== "svc.jwt.weak-secret")) {
      const cases = await forgeriesFor(id);
      assert.ok(cases.length > 0, id);
      for (const c of cases) {
        const f = await kit.forge(c.recipe, { remoteKeyBase: "http://127.0.0.2:9" });
        assert.ok(f.ok, `${c.name}: ${f.ok ? "" : f.reason}`);
      }
    }
    const crit = await kit.forge({ kind: "crit_unknown", name: "x-unknown" });
    if (crit.ok) assert.deepEqual(decodeProtectedHeader(crit.token).crit, ["x-unknown"]);
    const kid = await kit.forge({ kind: "kid_injection", kid: "A", repeat: 4096, hmac_key: "" });
    if (kid.ok) {
      assert.equal(String(decodeProtectedHeader(kid.token).kid).length, 4096);
      // an empty HMAC key is the key of one zero byte (HMAC zero-pads short keys)
      await jwtVerify(kid.token, new Uint8Array(1), { algorithms: ["HS256"] });
    }
  } finally {
    await s.close();
  }
});

Deno.test("the weak-secret list is 100 distinct secrets, each minted into one HS256 token", async () => {
  const secrets = await weakSecrets();
  assert.equal(secrets.length, 100);
  assert.equal(new Set(secrets).size, 100);
  const kit = new JwtKit({ token: "a.b.c", alg: "RS256", subject: "s" });
  const claims = { sub: "s" };
  const t = await new JwtKit({
    token: `${b64url(JSON.stringify({ alg: "RS256" }))}.${b64url(JSON.stringify(claims))}.x`,
    alg: "RS256",
    subject: "s",
  }).forge({ kind: "hmac_secret", secret: "secret" });
  assert.ok(t.ok);
  if (t.ok) await jwtVerify(t.token, new TextEncoder().encode("secret"), { algorithms: ["HS256"] });
  assert.equal((await kit.forge({ kind: "hmac_secret", secret: "secret" })).ok, false);
});

Deno.test("the key listener binds loopback 127.0.0.2 only and records each request", async () => {
  const l = await startKeyListener();
  try {
    assert.ok(l.base.startsWith("http://127.0.0.2:"));
    const r = await fetch(`${l.base}/jku/jwks.json`);
    const body = await r.json();
    assert.equal(body.keys.length, 1);
    assert.deepEqual(l.hits, ["GET /jku/jwks.json"]);
  } finally {
    await l.close();
  }
});
