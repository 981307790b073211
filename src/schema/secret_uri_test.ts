import assert from "node:assert/strict";
import fc from "fast-check";
import { parseSecretUri, SECRET_URI_ERROR_CODES } from "./secret_uri.ts";

Deno.test("parseSecretUri() returns the parsed parts", () => {
  const r = parseSecretUri("openbao+kv2://secret/myapp/api#token?version=3", "dev", ["secret"]);
  assert.ok(r.ok);
  assert.deepEqual(r.uri, {
    provider: "openbao",
    engine: "kv2",
    mount: "secret",
    path: ["myapp", "api"],
    fragment: "token",
    params: [["version", "3"]],
    version: 3,
  });
});

Deno.test("canonical secret URIs are fixed points (fast-check, seed 42)", () => {
  const seg = fc.stringMatching(/^[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,8}$/);
  const arb = fc.record({
    scheme: fc.constantFrom("openbao", "OPENBAO+kv2", "hashicorp+KV2", "hashicorp"),
    path: fc.array(seg, { minLength: 1, maxLength: 5 }),
    fragment: fc.option(fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/), { nil: undefined }),
    params: fc.uniqueArray(
      fc.tuple(fc.stringMatching(/^[a-z][a-z0-9_]{0,5}$/), fc.stringMatching(/^[1-9][0-9]{0,4}$/)),
      { selector: ([k]) => k, maxLength: 4 },
    ),
    queryFirst: fc.boolean(),
  });
  fc.assert(
    fc.property(arb, (a) => {
      const frag = a.fragment === undefined ? "" : `#${a.fragment}`;
      const q = a.params.length === 0 ? "" : `?${a.params.map(([k, v]) => `${k}=${v}`).join("&")}`;
      const pointer = `${a.scheme}://secret/${a.path.join("/")}${a.queryFirst ? q + frag : frag + q}`;
      const r = parseSecretUri(pointer, "dev", ["secret"]);
      assert.ok(r.ok, `${pointer}: ${JSON.stringify(r)}`);
      const again = parseSecretUri(r.canonical, "dev", ["secret"]);
      assert.ok(again.ok);
      assert.equal(again.canonical, r.canonical);
      assert.ok(/^(openbao|hashicorp)\+kv2:\/\//.test(r.canonical));
    }),
    { seed: 42, numRuns: 300 },
  );
});

Deno.test("parseSecretUri() never throws and never echoes the pointer (fast-check, seed 42)", () => {
  const marker = "ronc_uri_marker";
  const pointer = fc.oneof(
    fc.string(),
    fc.string().map((s) => `openbao+kv2://secret/${s}${marker}`),
    fc.array(fc.constantFrom("secret", "..", "%2F", "%2e", "*", "", "a", "#x", "?version=1", marker), {
      maxLength: 8,
    }).map((p) => `openbao+kv2://${p.join("/")}`),
  );
  fc.assert(
    fc.property(pointer, fc.string(), (p, tenant) => {
      const r = parseSecretUri(p, tenant, ["secret"]);
      if (!r.ok) {
        assert.ok(SECRET_URI_ERROR_CODES.includes(r.error.code));
        assert.ok(!r.error.message.includes(marker));
      }
    }),
    { seed: 42, numRuns: 300 },
  );
});
