import assert from "node:assert/strict";
import { exportJWK, exportSPKI, generateKeyPair } from "jose";
import { loadTarget, parseTargetFile, targetCapabilities, TargetError } from "./target.ts";

const EXAMPLE = new URL("./example_target.toml", import.meta.url);

const GOOD = `
base_url = "http://127.0.0.1:8080"
[[protected]]
path = "/items"
[write]
path = "/items"
body = { name = "x" }
[rate_limit]
path = "/optimize"
limit = 5
[credentials]
token_env = "SVC_TARGET_TEST_TOKEN"
`;

Deno.test("the shipped example target parses, with its defaults", () => {
  const f = parseTargetFile(Deno.readTextFileSync(EXAMPLE));
  assert.equal(f.body_limit, 65536);
  assert.equal(f.rate_limit.limit, 10);
  assert.equal(f.sse?.path, "/events");
  assert.equal(f.credentials.token_env, "ITEMS_API_TOKEN");
});

Deno.test("a minimal target gets defaults: health /health, body limit 64 KiB, no CORS origins", () => {
  const f = parseTargetFile(GOOD);
  assert.equal(f.health, "/health");
  assert.equal(f.body_limit, 65536);
  assert.deepEqual(f.cors_allowed_origins, []);
  assert.equal(f.write.method, "POST");
});

Deno.test("a bad target file names the field", async (t) => {
  const cases: [string, string, string][] = [
    ["not TOML", "base_url = ", ""],
    ["bad base_url", GOOD.replace('"http://127.0.0.1:8080"', '"ftp://x"'), "base_url"],
    ["no protected route", GOOD.replace('[[protected]]\npath = "/items"\n', ""), "protected"],
    [
      "protected path without slash",
      GOOD.replace('path = "/items"\n[write]', 'path = "items"\n[write]'),
      "protected.0.path",
    ],
    ["write without body", GOOD.replace('body = { name = "x" }\n', ""), "write.body"],
    ["rate limit without limit", GOOD.replace("limit = 5\n", ""), "rate_limit.limit"],
    [
      "no credentials source",
      GOOD.replace('token_env = "SVC_TARGET_TEST_TOKEN"\n', 'kid = "k"\n'),
      "credentials.token_env",
    ],
    ["unknown top-level field", `bodylimit = 5\n${GOOD}`, "bodylimit"],
    ["unknown credentials field", GOOD + 'token = "literal"\n', "credentials.token"],
    ["negative body limit", `body_limit = -1\n${GOOD}`, "body_limit"],
    ["limit of the wrong type", GOOD.replace("limit = 5", 'limit = "five"'), "rate_limit.limit"],
  ];
  for (const [name, text, field] of cases) {
    await t.step(name, () => {
      assert.throws(() => parseTargetFile(text), (e: unknown) => {
        assert.ok(e instanceof TargetError, String(e));
        assert.equal(e.field, field, e.message);
        if (field !== "") assert.match(e.message, new RegExp(`field "${field.replace(/\./g, "\\.")}"`));
        if (name === "limit of the wrong type") assert.doesNotMatch(e.message, /required/);
        return true;
      });
    });
  }
});

Deno.test("loadTarget() reads the env token, key files and names the failing field", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
    await Deno.writeTextFile(`${dir}/issuer.jwk`, JSON.stringify(await exportJWK(privateKey)));
    await Deno.writeTextFile(`${dir}/pub.pem`, await exportSPKI(publicKey));
    const withKeys = GOOD.replace(
      'token_env = "SVC_TARGET_TEST_TOKEN"\n',
      'issuer_private_key = "issuer.jwk"\npublic_key = "pub.pem"\naudience = "a"\n',
    );
    await Deno.writeTextFile(`${dir}/t.toml`, withKeys);
    const t = await loadTarget(`${dir}/t.toml`);
    assert.ok(t.credentials.issuerKey);
    assert.match(t.credentials.publicKeyPem ?? "", /BEGIN PUBLIC KEY/);
    assert.deepEqual([...targetCapabilities(t)].sort(), ["http"]);

    await Deno.writeTextFile(`${dir}/env.toml`, GOOD);
    await assert.rejects(() => loadTarget(`${dir}/env.toml`, { env: () => undefined }), (e: unknown) => {
      assert.ok(e instanceof TargetError && e.field === "credentials.token_env", String(e));
      return true;
    });
    const ok = await loadTarget(`${dir}/env.toml`, {
      env: (n) => (n === "SVC_TARGET_TEST_TOKEN" ? "tok" : undefined),
    });
    assert.equal(ok.credentials.token, "tok");

    await Deno.writeTextFile(`${dir}/missing.toml`, withKeys.replace("issuer.jwk", "nope.jwk"));
    await assert.rejects(() => loadTarget(`${dir}/missing.toml`), (e: unknown) => {
      assert.ok(e instanceof TargetError && e.field === "credentials.issuer_private_key", String(e));
      return true;
    });
    await Deno.writeTextFile(`${dir}/badkey.jwk`, "not a key");
    await Deno.writeTextFile(`${dir}/badkey.toml`, withKeys.replace("issuer.jwk", "badkey.jwk"));
    await assert.rejects(() => loadTarget(`${dir}/badkey.toml`), (e: unknown) => {
      assert.ok(e instanceof TargetError && e.field === "credentials.issuer_private_key", String(e));
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
