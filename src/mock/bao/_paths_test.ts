import assert from "node:assert/strict";
import { parseWrapTtl } from "./_kv.ts";
import { cleanPath, hasDotSegment, parseQuery, parseVersion, pathMatches, unescapePath } from "./_paths.ts";

Deno.test("cleanPath: Go's path.Clean with net/http's trailing slash", () => {
  const cases: [string, string][] = [
    ["/v1/secret/data/myapp/api", "/v1/secret/data/myapp/api"],
    ["/v1/secret/data/x/../myapp/api", "/v1/secret/data/myapp/api"],
    ["/v1/secret/data/myapp//api", "/v1/secret/data/myapp/api"],
    ["/v1/secret/data/myapp/./api", "/v1/secret/data/myapp/api"],
    ["/v1/secret/data/myapp/api/..", "/v1/secret/data/myapp"],
    ["/v1/secret/data/myapp/api/", "/v1/secret/data/myapp/api/"],
    ["/v1/secret/data/%2e%2e/x", "/v1/secret/data/%2e%2e/x"],
    ["/../..", "/"],
    ["", "/"],
  ];
  for (const [p, want] of cases) assert.equal(cleanPath(p), want, p);
});

Deno.test("unescapePath decodes %2F and refuses a malformed escape", () => {
  assert.equal(unescapePath("/v1/secret/data/myapp%2Fapi"), "/v1/secret/data/myapp/api");
  assert.equal(unescapePath("/a+b"), "/a+b");
  assert.equal(unescapePath("/my%zzapp"), undefined);
  assert.equal(unescapePath("/x%ff"), "/x\u00ff");
  assert.ok(hasDotSegment("secret/data/../x") && hasDotSegment("secret/data/./x"));
  assert.ok(!hasDotSegment("secret/data/a..b"));
});

Deno.test("parseVersion reads `version` like OpenBao 2.7.2 (strconv.ParseInt base 0)", () => {
  const v = (raw: string) => parseVersion(parseQuery(raw).get("version"));
  const ok: [string, number][] = [
    ["", 0],
    ["version=", 0],
    ["version=3", 3],
    ["version=0", 0],
    ["version=-1", 0],
    ["version=03", 3],
    ["version=010", 8],
    ["version=0x3", 3],
    ["version=0b11", 3],
    ["version=0o7", 7],
    ["version=1_0", 10],
    ["version=%33", 3],
    ["version=3&", 3],
    ["version=3;x=1", 0],
    ["Version=3", 0],
    ["a=%zz&version=3", 3],
  ];
  for (const [raw, want] of ok) assert.deepEqual(v(raw), { ok: true, version: want }, raw);
  for (
    const raw of ["version=abc", "version=3.0", "version=+3", "version=3%00", "version=%203", "version=1__0"]
  ) {
    const r = v(raw);
    assert.ok(!r.ok && r.error.endsWith("strconv.ParseInt: invalid syntax"), raw);
  }
  const range = v("version=9223372036854775808");
  assert.ok(!range.ok && range.error.endsWith("value out of range"));
  const two = v("version=3&version=2");
  assert.ok(!two.ok && two.error.includes("unconvertible type '[]string'"));
});

Deno.test("parseWrapTtl: seconds or a Go duration", () => {
  assert.deepEqual(parseWrapTtl("60"), { ok: true, seconds: 60 });
  assert.deepEqual(parseWrapTtl("60s"), { ok: true, seconds: 60 });
  assert.deepEqual(parseWrapTtl("1m30s"), { ok: true, seconds: 90 });
  assert.deepEqual(parseWrapTtl("1.5h"), { ok: true, seconds: 5400 });
  assert.deepEqual(parseWrapTtl("0"), { ok: true, seconds: 0 });
  assert.deepEqual(parseWrapTtl("abc"), {
    ok: false,
    error: 'error parsing X-Vault-Wrap-TTL header: time: invalid duration "abc"',
  });
});

Deno.test("pathMatches: exact, or a prefix ending in *", () => {
  assert.ok(pathMatches("secret/data/a", "secret/data/a"));
  assert.ok(!pathMatches("secret/data/a", "secret/data/ab"));
  assert.ok(pathMatches("secret/data/a*", "secret/data/ab"));
});
