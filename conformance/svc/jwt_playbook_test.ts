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
  ["oversized-token-500", "svc.jwt.oversized"],
  ["oversized-token-slow", "svc.jwt.oversized"],
];
const IDS = PLAYBOOK.map(([, id]) => id);

/** Checks a declared-algorithm list makes not applicable on the reference (RS256 only). */
const NEEDS_ALG = ["svc.jwt.weak-secret", "svc.jwt.psychic-signature"];
/** Checks a mutant fails besides its own: a zeroed ES256 signature is r = s = 0. */
const ALSO_FAILS: Partial<Record<ServerFault, string[]>> = {
  "psychic-signature": ["svc.jwt.null-signature"],
};

Deno.test("the reference server passes every playbook check; each mutant fails exactly its own", async () => {
  const ref = await startReferenceServer();
  try {
    assert.deepEqual(ref.target.credentials.algorithms, ["RS256"]);
    for (const r of await certifyTarget(ref.target, { seed: 3, only: IDS })) {
      const want = NEEDS_ALG.includes(r.id) ? "not_applicable" : "pass";
      assert.equal(r.verdict.outcome, want, `${r.id}: ${JSON.stringify(r.verdict)}`);
    }
    // declared as accepting HS256, ES256 and ES384 (it refuses them all), the probes run and pass
    const wide = { ...ref.target.credentials, algorithms: ["RS256", "HS256", "ES256", "ES384"] };
    const all = await certifyTarget({ ...ref.target, credentials: wide }, { seed: 3, only: IDS });
    for (const r of all) {
      assert.equal(r.verdict.outcome, "pass", `${r.id} (wide): ${JSON.stringify(r.verdict)}`);
    }
  } finally {
    await ref.close();
  }
  for (const [fault, id] of PLAYBOOK) {
    const s = await startReferenceServer({ fault });
    try {
      const results = await certifyTarget(s.target, { seed: 3, only: IDS });
      const fails = [id, ...(ALSO_FAILS[fault] ?? [])];
      for (const r of results) {
        const ok = fails.includes(r.id) ? r.verdict.outcome === "fail" : r.verdict.outcome === "pass" ||
          (r.verdict.outcome === "not_applicable" && NEEDS_ALG.includes(r.id));
        assert.ok(ok, `${fault} on ${r.id}: ${JSON.stringify(r.verdict).slice(0, 300)}`);
      }
    } finally {
      await s.close();
    }
  }
});

Deno.test("every playbook check has fixture cases, and each builds with an issuer key", async () => {
  const s = await startReferenceServer();
  try {
    const kit = new JwtKit({ ...s.target.credentials, algorithms: ["RS256", "ES256", "ES384"] });
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
  const kit = new JwtKit({ token: "a.b.c", alg: "RS256", algorithms: ["RS256", "HS256"], subject: "s" });
  const claims = { sub: "s" };
  const token = `${b64url(JSON.stringify({ alg: "RS256" }))}.${b64url(JSON.stringify(claims))}.x`;
  const t = await new JwtKit({ token, alg: "RS256", algorithms: ["RS256", "HS256"], subject: "s" })
    .forge({ kind: "hmac_secret", secret: "secret" });
  assert.ok(t.ok);
  if (t.ok) await jwtVerify(t.token, new TextEncoder().encode("secret"), { algorithms: ["HS256"] });
  assert.equal((await kit.forge({ kind: "hmac_secret", secret: "secret" })).ok, false);
  // the first HS* the server accepts is the one used; none accepted: the token is not built
  const hs384 = await new JwtKit({ token, alg: "RS256", algorithms: ["HS384", "RS256"], subject: "s" })
    .forge({ kind: "hmac_secret", secret: "secret" });
  if (!hs384.ok) throw new Error(hs384.reason);
  await jwtVerify(hs384.token, new TextEncoder().encode("secret"), { algorithms: ["HS384"] });
  const rsOnly = await new JwtKit({ token, alg: "RS256", subject: "s" }).forge({
    kind: "hmac_secret",
    secret: "x",
  });
  assert.equal(rsOnly.ok, false);
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
