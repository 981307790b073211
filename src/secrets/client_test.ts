import assert from "node:assert/strict";
import { generateCa, issueLeaf } from "../mock/ca.ts";
import { FakeBao } from "./_fake_bao.ts";
import { canary, errorOf, harness } from "./_harness.ts";
import { SecretsClient } from "./client.ts";
import { SecretsError } from "./errors.ts";
import { GrantCache } from "./grant_cache.ts";

const URI = "openbao+kv2://secret/app/api";

function code(e: unknown): string {
  return e instanceof SecretsError ? e.code : e === undefined ? "success" : `thrown ${String(e)}`;
}

Deno.test("getSecret() reads over HTTPS with the caller's CA; an untrusted certificate is insecure", async () => {
  const ca = await generateCa();
  const leaf = await issueLeaf(ca, { ips: ["127.0.0.1"] });
  const token = canary();
  const bao = FakeBao.start(token, { cert: leaf.chainPem, key: leaf.keyPem });
  bao.put("secret/app/api", { token: "v1" });
  bao.put("secret/app/api", { token: "v2", other: 1 });
  const base = { vaultAddr: bao.url, token, tenant: "dev", allowedMounts: ["secret"], salt: "s" };
  const pep = { pdpAddr: bao.url, audience: "svc" };
  const ok = new SecretsClient({ ...base, caCertPem: ca.certPem, pep });
  const bad = new SecretsClient({ ...base, maxRetries: 0 });
  try {
    const r = await ok.getSecret(`${URI}#token`, { subject: "a", aud: ["svc"] });
    assert.deepEqual([r.value, r.version], ["v2", 2]);
    const whole = await ok.getSecret(`${URI}?version=1`, { subject: "a", aud: ["svc"] });
    assert.deepEqual([whole.value, whole.version], [{ token: "v1" }, 1]);
    assert.equal(code(await errorOf(bad.getSecret(URI))), "insecure");
  } finally {
    ok.close();
    bad.close();
    await bao.close();
  }
});

Deno.test("an http:// address is refused without allowInsecureHttp; an address that is not a URL is config", () => {
  const base = { token: "t", tenant: "dev", allowedMounts: ["secret"], salt: "s" };
  assert.throws(
    () => new SecretsClient({ ...base, vaultAddr: "http://127.0.0.1:1" }),
    (e) => code(e) === "insecure",
  );
  assert.throws(() => new SecretsClient({ ...base, vaultAddr: "nope" }), (e) => code(e) === "config");
  const pep = { pdpAddr: "http://127.0.0.1:1" };
  assert.throws(
    () => new SecretsClient({ ...base, vaultAddr: "https://127.0.0.1:1", pep }),
    (e) => code(e) === "insecure",
  );
});

Deno.test("every exchange is bounded: stalled headers, a stalled body, a slow PDP", async (t) => {
  const h = harness();
  try {
    h.bao.put("secret/app/api", { v: 1 });
    await t.step("stalled headers time out", async () => {
      h.bao.override = async (req, target) => {
        if (!target.includes("/data/")) return undefined;
        await h.bao.stall(req);
        return new Response(null, { status: 599 });
      };
      const t0 = performance.now();
      const e = await errorOf(h.client({ requestTimeoutMs: 300, maxRetries: 0, pep: null }).getSecret(URI));
      assert.equal(code(e), "timeout");
      assert.ok(performance.now() - t0 < 3_000);
    });
    await t.step("a body that stops half way times out", async () => {
      h.bao.override = (_req, target) => {
        if (!target.includes("/data/")) return undefined;
        let stop: ReturnType<typeof setTimeout> | undefined;
        const body = new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(new TextEncoder().encode('{"data":'));
            stop = setTimeout(() => c.close(), 5_000);
          },
          cancel() {
            clearTimeout(stop);
          },
        });
        return new Response(body, { status: 200 });
      };
      const t0 = performance.now();
      const e = await errorOf(h.client({ requestTimeoutMs: 300, maxRetries: 0, pep: null }).getSecret(URI));
      assert.equal(code(e), "timeout");
      assert.ok(performance.now() - t0 < 3_000);
    });
    await t.step("a slow PDP is an outage within pdpTimeoutMs", async () => {
      h.bao.override = undefined;
      h.bao.pdp = () => ({ delayMs: 1_500, then: { allow: {} } });
      const before = h.bao.counts().kvReads;
      const t0 = performance.now();
      const e = await errorOf(h.client({ pep: { pdpTimeoutMs: 200 } }).getSecret(URI, h.ctx));
      assert.equal(code(e), "pdp_unavailable");
      assert.ok(performance.now() - t0 < 1_400);
      assert.equal(h.bao.counts().kvReads, before);
    });
  } finally {
    await h.close();
  }
});

Deno.test("a body past maxResponseBytes is too_large, declared or streamed", async () => {
  const h = harness();
  try {
    const big = JSON.stringify({ data: { data: { v: "x".repeat(200_000) }, metadata: { version: 1 } } });
    for (const streamed of [false, true]) {
      h.bao.override = () =>
        new Response(streamed ? new Blob([big]).stream() : big, {
          headers: { "content-type": "application/json" },
        });
      const e = await errorOf(h.client({ maxResponseBytes: 65_536, pep: null }).getSecret(URI));
      assert.equal(code(e), "too_large", `streamed: ${streamed}`);
    }
  } finally {
    await h.close();
  }
});

Deno.test("transient failures are retried at most maxRetries times; a 503 ends as sealed", async () => {
  const h = harness();
  try {
    h.bao.put("secret/app/api", { v: 1 });
    h.bao.sealed = true;
    assert.equal(code(await errorOf(h.client({ maxRetries: 2, pep: null }).getSecret(URI))), "sealed");
    assert.equal(h.bao.counts().kvReads, 3);
  } finally {
    await h.close();
  }
});

Deno.test("the PDP gets the canonical URI and the context, and no credential", async () => {
  const h = harness();
  try {
    h.bao.put("secret/app/api", { v: 1 });
    const ctx = { subject: "alice", aud: ["svc", "x"], jti: "j-9", cnfJkt: "jkt-1", mtlsThumbprint: "mt" };
    await h.client().getSecret("OpenBao://secret/app/%61pi?version=1#v", ctx);
    assert.deepEqual(h.bao.pdpQuestions, [{
      subject: "alice",
      tenant: "dev",
      uri: "openbao+kv2://secret/app/api#v?version=1",
      action: "execute",
      binding: "jkt-1",
      audience: ["svc", "x"],
      jti: "j-9",
    }]);
    const pdp = h.bao.requests.find((r) => r.target === "/v1/pdp/authorize");
    assert.ok(pdp && !JSON.stringify(pdp).includes(h.token));
  } finally {
    await h.close();
  }
});

Deno.test("a wrapped read unwraps once, with the wrapping token, and returns the value", async () => {
  const h = harness();
  try {
    h.bao.put("secret/app/api", { v: "wrapped-value" });
    h.bao.pdp = () => ({ allow: { wrap_ttl_s: 30 } });
    const c = h.client();
    const r = await c.getSecret(`${URI}#v`, h.ctx);
    assert.equal(r.value, "wrapped-value");
    const read = h.bao.requests.find((q) => q.target.includes("/data/"));
    const unwrap = h.bao.requests.find((q) => q.target === "/v1/sys/wrapping/unwrap");
    assert.equal(read?.headers["x-vault-wrap-ttl"], "30s");
    assert.ok(unwrap?.headers["x-vault-token"]?.startsWith("hvs.wrap-"));
    assert.equal(h.bao.counts().unwraps, 1);
    assert.equal(c.auditRecords()[0]?.wrapped, true);
  } finally {
    await h.close();
  }
});

Deno.test("refusals that send nothing: a closed client, a wildcard URI, a foreign mount", async () => {
  const h = harness();
  try {
    const c = h.client();
    assert.equal(code(await errorOf(c.getSecret("openbao://secret/app/*", h.ctx))), "wildcard");
    assert.equal(code(await errorOf(c.getSecret("openbao://secretx/app", h.ctx))), "mount_not_allowed");
    c.close();
    assert.equal(code(await errorOf(c.getSecret(URI, h.ctx))), "config");
    assert.equal(h.bao.requests.length, 0);
  } finally {
    await h.close();
  }
});

Deno.test("without a PEP: no PDP question, an allow record; a missing fragment key is not_found", async () => {
  const h = harness();
  try {
    h.bao.put("secret/app/api", { v: 1 });
    const c = h.client({ pep: null });
    assert.equal((await c.getSecret(`${URI}#v`)).value, 1);
    assert.equal(code(await errorOf(c.getSecret(`${URI}#nope`))), "not_found");
    assert.equal(h.bao.counts().pdp, 0);
    assert.deepEqual(c.auditRecords().map((r) => [r.decision, r.code, r.version]), [
      ["allow", null, 1],
      ["allow", "not_found", 1],
    ]);
  } finally {
    await h.close();
  }
});

Deno.test("canary: the token and the value appear only in X-Vault-Token and the returned value", async () => {
  const h = harness();
  try {
    const value = canary();
    h.bao.put("secret/app/api", { v: value });
    h.bao.put("secret/app/api", { v: value });
    h.bao.softDelete("secret/app/api", 1);
    h.bao.forbidden.add("secret/app/forbidden");
    h.bao.redirected.add("secret/app/moved");
    h.bao.pdp = (q) =>
      String(q.uri).includes("denied") ? { deny: `no ${value}` } : { allow: { wrap_ttl_s: 5 } };
    const c = h.client({ maxRetries: 1 });
    const seen: string[] = [];
    for (
      const p of [
        `${URI}#v`,
        `${URI}?version=1`,
        "openbao://secret/app/forbidden",
        "openbao://secret/app/moved",
        "openbao://secret/app/denied",
        "openbao://secret/app/../x",
      ]
    ) {
      const e = await errorOf(c.getSecret(p, h.ctx));
      if (e !== undefined) seen.push(String(e), e instanceof Error ? e.stack ?? "" : "");
    }
    seen.push(...h.logs, JSON.stringify(c.auditRecords()));
    assert.ok(h.logs.length > 0, "debug logging was on");
    for (const s of seen) {
      assert.ok(!s.includes(h.token), `token in: ${s.slice(0, 200)}`);
      assert.ok(!s.includes(value), `value in: ${s.slice(0, 200)}`);
      assert.ok(!s.includes("hvs.wrap-"), `wrapping token in: ${s.slice(0, 200)}`);
    }
    for (const r of h.bao.requests) {
      const { "x-vault-token": _t, ...rest } = r.headers;
      assert.ok(!`${r.target} ${r.body} ${JSON.stringify(rest)}`.includes(h.token), r.target);
    }
    assert.equal(h.bao.counts().foreign, 0);
  } finally {
    await h.close();
  }
});

Deno.test("GrantCache keeps each map bounded: the oldest entry goes first", () => {
  const c = new GrantCache({ now: () => 0, maxEntries: 2 });
  assert.equal(c.replayed("a", 10), false);
  assert.equal(c.replayed("b", 10), false);
  assert.equal(c.replayed("c", 10), false);
  assert.equal(c.replayed("a", 10), false, "a was evicted");
  assert.equal(c.replayed("c", 10), true);
  c.putDeny("k1", 5);
  c.putDeny("k2", 5);
  c.putDeny("k3", 5);
  assert.equal(c.deniedUntil("k1"), undefined);
  assert.equal(c.deniedUntil("k3"), 5);
});
