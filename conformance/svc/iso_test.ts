import assert from "node:assert/strict";
import { SignJWT } from "jose";
import { parseTargetFile, resolveTarget, type Target, TargetError } from "./target.ts";
import { certifyTarget } from "./profile.ts";
import { startReferenceServer } from "../reference_server/server.ts";

const EXAMPLE = new URL("./example_target.toml", import.meta.url);

const BASE = `
base_url = "http://127.0.0.1:8080"
[[protected]]
path = "/items"
[write]
path = "/items"
body = { name = "x", quantity = 1 }
[rate_limit]
path = "/optimize"
limit = 5
[credentials]
token_env = "T"
`;

const env = (n: string) => `token-of-${n}`;

Deno.test("the example target's [iso] table resolves: marker field, update body from [write], admin route", async () => {
  const t = await resolveTarget(parseTargetFile(Deno.readTextFileSync(EXAMPLE)), { env });
  assert.equal(t.iso?.resource, "/items/{id}");
  assert.equal(t.iso?.markerField, "name");
  assert.deepEqual(t.iso?.update, { method: "PUT", body: { name: "widget", quantity: 1 } });
  assert.deepEqual(t.iso?.admin, [{ method: "GET", path: "/admin/users" }]);
  assert.equal(t.iso?.tokens, undefined);
});

Deno.test("[iso] token_envs are read from the environment; a bad [iso] names its field", async (t) => {
  const good = `${BASE}[iso]\nresource = "/items/{id}"\ntoken_envs = ["A", "B"]\n`;
  const r = await resolveTarget(parseTargetFile(good), { env });
  assert.deepEqual(r.iso?.tokens, ["token-of-A", "token-of-B"]);
  const cases: [string, string, string][] = [
    ["resource without {id}", good.replace("/items/{id}", "/items"), "iso.resource"],
    ["one identity", good.replace('["A", "B"]', '["A"]'), "iso.token_envs"],
    ["unknown field", `${good}colour = "red"\n`, "iso.colour"],
  ];
  for (const [name, text, field] of cases) {
    await t.step(name, () => {
      assert.throws(() => parseTargetFile(text), (e) => e instanceof TargetError && e.field === field);
    });
  }
  await t.step("marker field that is not a string field of the create body", async () => {
    const text = good.replace(
      'resource = "/items/{id}"',
      'resource = "/items/{id}"\nmarker_field = "quantity"',
    );
    await assert.rejects(
      resolveTarget(parseTargetFile(text), { env }),
      (e) => e instanceof TargetError && e.field === "iso.marker_field",
    );
  });
  await t.step("an unset token variable", async () => {
    await assert.rejects(
      resolveTarget(parseTargetFile(good), { env: (n) => n === "B" ? undefined : "x" }),
      (e) => e instanceof TargetError && e.field === "iso.token_envs",
    );
  });
});

Deno.test("svc.iso.*: not applicable without [iso], or without identities; env-token identities are judged", async () => {
  const s = await startReferenceServer();
  try {
    const { iso: _iso, ...bare } = s.target;
    const none = await certifyTarget(bare, { seed: 1, only: ["svc.iso"] });
    assert.equal(none.length, 5);
    for (const r of none) assert.equal(r.verdict.outcome, "not_applicable", r.id);

    const c = s.target.credentials;
    const key = c.issuerKey;
    assert.ok(key !== undefined && s.target.iso !== undefined);
    const { issuerKey: _k, ...noKey } = c;
    const keyless: Target = { ...s.target, credentials: noKey };
    const noIds = await certifyTarget(keyless, { seed: 1, only: ["svc.iso.object-read"] });
    assert.equal(noIds[0]?.verdict.outcome, "not_applicable");

    // two identities from "environment" tokens (minted here), shared in turn by the 8 workers
    const mint = (sub: string) =>
      new SignJWT({ sub, iss: c.issuer ?? "", aud: c.audience ?? "" }).setProtectedHeader({
        alg: "RS256",
        kid: c.kid ?? "",
      })
        .setIssuedAt().setExpirationTime("5m").sign(key);
    const tokens = [await mint("env-a"), await mint("env-b")];
    const withTokens: Target = {
      ...s.target,
      credentials: { ...noKey, token: await mint("conformance-kit") },
      iso: { ...s.target.iso, tokens },
    };
    const got = await certifyTarget(withTokens, { seed: 1, only: ["svc.iso"] });
    const outcomes = Object.fromEntries(got.map((r) => [r.id, r.verdict.outcome]));
    assert.deepEqual(outcomes, {
      "svc.iso.concurrent": "pass",
      // no admin token and no key to mint one with admin_claims: routes are still judged
      "svc.iso.function-level": "pass",
      "svc.iso.list-scoped": "pass",
      "svc.iso.object-read": "pass",
      "svc.iso.object-write": "pass",
    });
  } finally {
    await s.close();
  }
});
