import assert from "node:assert/strict";
import { startReferenceServer } from "../conformance/reference_server/server.ts";
import { JwtKit } from "../conformance/svc/_jwt_kit.ts";
import { svcProfile } from "../conformance/svc/profile.ts";
import { certifyMain } from "./certify.ts";

const serverMain = (args: string[]) => certifyMain(svcProfile, args);

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
    // An http target: HSTS and every TLS probe are n/a (they need https_target).
    const tlsIds = report.results.map((r: { id: string }) => r.id).filter((id: string) =>
      id.startsWith("svc.tls.")
    );
    assert.equal(tlsIds.length, 8);
    assert.deepEqual(
      notPassed.map((r: { id: string }) => r.id).sort(),
      [
        "svc.headers.hsts",
        // no [iso] table: the isolation checks are n/a (conformance/svc/iso_test.ts covers token_envs)
        "svc.iso.concurrent",
        "svc.iso.function-level",
        "svc.iso.list-scoped",
        "svc.iso.object-read",
        "svc.iso.object-write",
        "svc.jwt.audience",
        "svc.jwt.crit",
        "svc.jwt.expired",
        "svc.jwt.missing-exp",
        "svc.jwt.not-yet-valid",
        // the file lists no HS* or ES256/ES384 algorithm (the reference accepts RS256 only)
        "svc.jwt.psychic-signature",
        "svc.jwt.weak-secret",
        ...tlsIds,
        // no --chaos: the svc.chaos checks are n/a (they name `deno task chaos --target`)
        ...report.results.map((r: { id: string }) => r.id).filter((id: string) =>
          id.startsWith("svc.chaos.")
        ),
      ].sort(),
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
