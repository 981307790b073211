/**
 * A server that denies everything (401 with a perfect Problem envelope and every security header,
 * 405 to TRACE) must not look certified: it may pass only the checks whose rule it really meets,
 * and every check whose probes need the kit's valid token to get past auth must say it cannot
 * judge (the baseline positive control), never pass vacuously.
 */
import assert from "node:assert/strict";
import { certifyTarget } from "./profile.ts";
import { parseTargetFile, resolveTarget } from "./target.ts";

const HONEST_PASSES = [
  "svc.auth.required",
  "svc.auth.www-authenticate",
  "svc.cors.closed",
  "svc.headers.framing",
  "svc.headers.no-version",
  "svc.headers.nosniff",
  "svc.headers.xss-legacy",
  "svc.methods.trace",
  "svc.sse.auth",
];

Deno.test("a deny-all server passes only the checks a deny-all server really meets", async () => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const id = crypto.randomUUID();
    const body = JSON.stringify({
      code: "unauthorized",
      kind: "auth",
      message: "no",
      correlation_id: id,
      details: {},
    });
    return new Response(body, {
      status: req.method === "TRACE" ? 405 : 401,
      headers: {
        "content-type": "application/json",
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
        "content-security-policy": "frame-ancestors 'none'",
        "www-authenticate": "Bearer",
        "x-request-id": id,
      },
    });
  });
  try {
    const file = parseTargetFile(`
name = "deny-all"
version = "0"
base_url = "http://127.0.0.1:${server.addr.port}"
health = "/health"
[[protected]]
method = "GET"
path = "/items"
[write]
method = "POST"
path = "/items"
body = { name = "w", quantity = 1 }
[rate_limit]
method = "POST"
path = "/optimize"
limit = 10
window_s = 10
body = { iterations = 1 }
[sse]
path = "/events"
[credentials]
token_env = "DENY_ALL_TOKEN"
`);
    const target = await resolveTarget(file, { env: (n) => n === "DENY_ALL_TOKEN" ? "a.b.c" : undefined });
    const results = await certifyTarget(target, { seed: 1 });
    const passed = results.filter((r) => r.verdict.outcome === "pass").map((r) => r.id).sort();
    assert.deepEqual(passed, HONEST_PASSES);
    assert.ok(results.length >= 30, `expected >= 30 results, got ${results.length}`);
  } finally {
    await server.shutdown();
  }
});
