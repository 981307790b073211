import assert from "node:assert/strict";
import { decodeProtectedHeader } from "jose";
import { parseTargetFile, resolveTarget, TargetError } from "./target.ts";
import { acceptedAlgorithms, signatureBytes } from "./_jwt_algs.ts";
import { b64url, JwtKit } from "./_jwt_kit.ts";

const BASE = `
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
token_env = "T"
`;

Deno.test("credentials.algorithms: optional, defaults to alg, must include alg, known names only", async () => {
  const plain = parseTargetFile(BASE);
  assert.equal(plain.credentials.algorithms, undefined);
  const env = () => "a.b.c";
  const r = await resolveTarget(plain, { env });
  assert.deepEqual(acceptedAlgorithms(r.credentials), ["RS256"]);
  const wide = parseTargetFile(`${BASE}algorithms = ["HS256", "RS256", "ES384", "HS256"]\n`);
  const rw = await resolveTarget(wide, { env });
  assert.deepEqual(acceptedAlgorithms(rw.credentials), ["RS256", "HS256", "ES384"]);
  const bad: [string, string][] = [
    [`${BASE}algorithms = ["HS256"]\n`, "credentials.algorithms"],
    [`${BASE}algorithms = ["none", "RS256"]\n`, "credentials.algorithms.0"],
    [`${BASE}algorithms = []\n`, "credentials.algorithms"],
  ];
  for (const [text, field] of bad) {
    assert.throws(() => parseTargetFile(text), (e) => e instanceof TargetError && e.field === field, text);
  }
});

Deno.test("null signatures: empty or zeroed, as long as a real one of each algorithm", async () => {
  const claims = { sub: "s", exp: 1 };
  const token = `${b64url(JSON.stringify({ alg: "RS256", typ: "JWT" }))}.${b64url(JSON.stringify(claims))}.${
    b64url(new Uint8Array(256).fill(7))
  }`;
  const kit = new JwtKit({ token, alg: "RS256", subject: "s" });
  for (
    const [alg, bytes] of [["RS256", 256], ["ES256", 64], ["ES384", 96], ["HS512", 64], [
      "EdDSA",
      64,
    ]] as const
  ) {
    assert.equal(signatureBytes(alg), bytes);
    const zero = await kit.forge({ kind: "null_signature", form: "zero" }, { alg });
    if (!zero.ok) throw new Error(zero.reason);
    const [h, , sig = ""] = zero.token.split(".");
    assert.equal(decodeProtectedHeader(zero.token).alg, alg);
    assert.equal(atob(sig.replace(/-/g, "+").replace(/_/g, "/")).length, bytes, alg);
    assert.ok(/^A+$/.test(sig), alg);
    if (alg === "RS256") assert.equal(h, token.split(".")[0], "the target's own header is kept");
    const empty = await kit.forge({ kind: "null_signature", form: "empty" }, { alg });
    assert.ok(empty.ok && empty.token.endsWith(".") && decodeProtectedHeader(empty.token).alg === alg);
  }
});

Deno.test("psychic tokens are built only for the ECDSA algorithms the server accepts", async () => {
  const token = `${b64url('{"alg":"RS256"}')}.${b64url('{"sub":"s"}')}.x`;
  const rs = new JwtKit({ token, alg: "RS256", subject: "s" });
  assert.equal((await rs.forge({ kind: "psychic", alg: "ES256", form: "raw" })).ok, false);
  const es = new JwtKit({ token, alg: "RS256", algorithms: ["RS256", "ES256"], subject: "s" });
  assert.equal((await es.forge({ kind: "psychic", alg: "ES256", form: "raw" })).ok, true);
  assert.equal((await es.forge({ kind: "psychic", alg: "ES384", form: "der" })).ok, false);
});
