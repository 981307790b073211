import assert from "node:assert/strict";
import { Secret } from "./secret.ts";
import { redactHeaders, redactText } from "./redact.ts";
import { backoffDelay, isRetryableRequest, parseRetryAfter } from "./retry.ts";

const VALUE = "ronc_0123456789abcdef0123456789abcdef";

Deno.test("Secret redacts under String(), template literals, JSON.stringify, Deno.inspect and console.log", () => {
  const s = new Secret(VALUE);
  assert.equal(String(s), "[REDACTED]");
  assert.equal(`${s}`, "[REDACTED]");
  assert.equal("x" + s, "x[REDACTED]");
  assert.equal(JSON.stringify({ token: s }), '{"token":"[REDACTED]"}');
  assert.ok(!Deno.inspect(s).includes(VALUE));
  assert.ok(!Deno.inspect({ nested: { s } }, { depth: 10 }).includes(VALUE));
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => lines.push(args.map((a) => Deno.inspect(a)).join(" "));
  try {
    console.log(s, { s });
  } finally {
    console.log = original;
  }
  assert.ok(lines.length === 1 && !lines[0]?.includes(VALUE));
  assert.equal(s.reveal(), VALUE);
});

Deno.test("Secret.zeroize() drops the value", () => {
  const s = new Secret(VALUE);
  s.zeroize();
  assert.equal(s.zeroized, true);
  assert.throws(() => s.reveal());
});

Deno.test("redactHeaders and redactText scrub credentials", () => {
  const h = redactHeaders(
    {
      Authorization: "Bearer x",
      Cookie: "a=b",
      "Set-Cookie": "c",
      "X-Api-Key": "k",
      "Proxy-Authorization": "p",
      "X-Mine": "m",
    },
    ["x-mine"],
  );
  for (const v of Object.values(h)) assert.equal(v, "[REDACTED]");
  const text = redactText(
    `a ${VALUE} b ${
      encodeURIComponent("s3cr3t/value+")
    } Bearer abcdefghijkl cap:zzzzzzzzzz {"password":"pw"} ?access_token=qq`,
    ["s3cr3t/value+"],
  );
  for (const bad of [VALUE, "s3cr3t", "abcdefghijkl", "zzzzzzzzzz", '"pw"', "qq"]) {
    assert.ok(!text.includes(bad), `${bad} survived: ${text}`);
  }
});

Deno.test("retry policy helpers", async (t) => {
  await t.step("which requests may retry", () => {
    for (const m of ["GET", "head", "OPTIONS"]) assert.ok(isRetryableRequest(m, false));
    for (const m of ["POST", "PUT", "PATCH", "DELETE"]) {
      assert.ok(!isRetryableRequest(m, false));
      assert.ok(isRetryableRequest(m, true));
    }
  });
  await t.step("backoff grows, is capped and jittered", () => {
    // full jitter: uniform in [0, min(cap, base * 2^attempt)]
    assert.equal(backoffDelay(0, 100, 2000, () => 0), 0);
    assert.equal(backoffDelay(0, 100, 2000, () => 0.999), 100);
    assert.equal(backoffDelay(2, 100, 2000, () => 0.999), 400);
    assert.ok(backoffDelay(20, 100, 2000) <= 2000);
  });
  await t.step("Retry-After seconds and HTTP date", () => {
    assert.equal(parseRetryAfter("3", 0), 3000);
    assert.equal(parseRetryAfter(new Date(5_000).toUTCString(), 0), 5000);
    assert.equal(parseRetryAfter(new Date(0).toUTCString(), 9_000), 0);
    assert.equal(parseRetryAfter("-1", 0), undefined);
    assert.equal(parseRetryAfter(null, 0), undefined);
  });
});
