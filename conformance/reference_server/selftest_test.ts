import assert from "node:assert/strict";
import { serverMain, serverSelftest } from "../../src/cli/server.ts";
import { serverMutants, unknownServerMutants } from "../mutants/server.ts";
import { SERVER_FAULTS } from "./faults.ts";
import { startReferenceServer } from "./server.ts";
import { JwtKit } from "../svc/_jwt_kit.ts";
import { svcChecks } from "../svc/mod.ts";

Deno.test("every mutant a check names exists, and every fault is named by a check", () => {
  assert.deepEqual(unknownServerMutants(), []);
  for (const f of SERVER_FAULTS) {
    assert.ok(svcChecks.some((c) => c.mutants.includes(f)), `no check names ${f}`);
  }
  for (const c of svcChecks) assert.ok(c.mutants.length > 0, `${c.id} names no mutant`);
});

Deno.test("selftest: the reference passes every svc check, each mutant fails every check that names it", async () => {
  const t0 = performance.now();
  const rows = await serverSelftest({ seed: 1 });
  const ms = performance.now() - t0;
  const bad = rows.filter((r) => !r.ok);
  assert.deepEqual(bad, [], JSON.stringify(bad, null, 2));
  assert.equal(rows.length, 1 + serverMutants().length);
  const ref = rows.find((r) => r.mutant === "server:reference");
  assert.equal(ref?.caught.length, svcChecks.length, "the HTTPS reference runs every check");
  assert.ok(ms < 60_000, `selftest took ${ms} ms`);
});

Deno.test("certify:server with a target file (env token + public key file) passes the reference; a bad file exits 2", async () => {
  const s = await startReferenceServer({});
  const dir = await Deno.makeTempDir();
  const envName = `SVC_SELFTEST_TOKEN_${crypto.randomUUID().slice(0, 8).toUpperCase()}`;
  try {
    const token = await new JwtKit(s.target.credentials).valid();
    Deno.env.set(envName, token);
    await Deno.writeTextFile(`${dir}/pub.pem`, s.target.credentials.publicKeyPem ?? "");
    const toml = `name = "reference via file"
base_url = "${s.baseUrl}"
lookup = "/items/{id}"
[[protected]]
path = "/items"
[write]
path = "/items"
body = { name = "widget", quantity = 1 }
[rate_limit]
method = "POST"
path = "/optimize"
limit = 10
window_s = 10
body = { iterations = 1 }
[sse]
path = "/events"
[credentials]
token_env = "${envName}"
public_key = "pub.pem"
`;
    await Deno.writeTextFile(`${dir}/target.toml`, toml);
    const code = await serverMain(["--target", `${dir}/target.toml`, "--out", `${dir}/out`, "--seed", "7"]);
    const report = JSON.parse(await Deno.readTextFile(`${dir}/out/report.json`));
    const notPassed = report.results.filter((r: { outcome: string }) => r.outcome !== "pass");
    // Without the issuer key the kit cannot mint expired / no-exp / wrong-aud tokens: those are n/a.
    for (const r of notPassed) assert.equal(r.outcome, "not_applicable", JSON.stringify(r));
    assert.deepEqual(
      notPassed.map((r: { id: string }) => r.id).sort(),
      ["svc.headers.hsts", "svc.jwt.audience", "svc.jwt.expired", "svc.jwt.missing-exp"],
    );
    assert.equal(code, 0);

    await Deno.writeTextFile(`${dir}/bad.toml`, toml.replace("limit = 10\n", 'limit = "ten"\n'));
    assert.equal(await serverMain(["--target", `${dir}/bad.toml`, "--out", `${dir}/out2`]), 2);
    assert.equal(await serverMain(["--bogus"]), 2);
  } finally {
    Deno.env.delete(envName);
    await s.close();
    await Deno.remove(dir, { recursive: true });
  }
});
