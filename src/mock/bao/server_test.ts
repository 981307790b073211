import assert from "node:assert/strict";
import { rawRequest } from "./raw_request.ts";
import { startBaoMock } from "./server.ts";
import type { BaoMock, BaoScenario, BaoScript } from "./types.ts";

const SECRET: BaoScript = {
  secrets: [{
    path: "myapp/api",
    versions: [{ data: { token: "v1" } }, { data: { token: "v2" }, state: "deleted" }, {
      data: { token: "v3" },
    }],
  }],
};

async function withMock(fn: (bao: BaoMock) => Promise<void>): Promise<void> {
  const bao = await startBaoMock();
  try {
    await fn(bao);
  } finally {
    await bao.close();
  }
}

async function get(sc: BaoScenario, target: string, headers: Record<string, string> = {}) {
  const r = await rawRequest(sc.httpBase, "GET", target, {
    headers: { "X-Vault-Token": sc.token, ...headers },
  });
  return { status: r.status, headers: r.headers, json: r.body.startsWith("{") ? JSON.parse(r.body) : r.body };
}

Deno.test("HTTPS with the mock's CA, on 127.0.0.1; the foreign origin is 127.0.0.2", async () => {
  await withMock(async (bao) => {
    const sc = await bao.scenario(SECRET);
    assert.match(sc.httpsBase, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.match(sc.foreignBase, /^https:\/\/127\.0\.0\.2:\d+$/);
    const client = Deno.createHttpClient({ caCerts: [bao.caCertPem] });
    try {
      for (const base of [sc.httpsBase, sc.foreignBase]) {
        const res = await fetch(`${base}/v1/secret/data/myapp/api`, {
          client,
          headers: { "X-Vault-Token": sc.token },
        });
        assert.equal(res.status, 200);
        assert.equal((await res.json()).data.metadata.version, 3);
      }
    } finally {
      client.close();
    }
    assert.deepEqual(sc.requests().map((r) => r.listener), ["https", "foreign"]);
  });
});

Deno.test("no raw token is recorded: token headers hashed, every other sighting masked and listed", async () => {
  await withMock(async (bao) => {
    const sc = await bao.scenario(SECRET);
    await rawRequest(sc.httpBase, "POST", `/v1/secret/data/x?t=${encodeURIComponent(sc.token)}`, {
      headers: { "X-Vault-Token": sc.token, Authorization: `Bearer ${sc.token}`, "X-Debug": btoa(sc.token) },
      body: JSON.stringify({ data: { leaked: sc.token } }),
    });
    const [r] = sc.requests();
    assert.ok(r);
    assert.ok(!JSON.stringify(sc.requests()).includes(sc.token));
    assert.equal(r.vaultToken, sc.hashToken(sc.token));
    assert.match(r.vaultToken ?? "", /^hmac:[0-9a-f]{16}$/);
    assert.deepEqual(
      r.sightings.map((s) => [s.token, s.where, s.form]).sort(),
      [
        ["client", "body", "raw"],
        ["client", "header authorization", "raw"],
        ["client", "header x-debug", "base64"],
        ["client", "request line", "raw"], // a canary url-encodes to itself
      ],
    );
    assert.equal(r.route, "kv_write");
    assert.equal(r.status, 200);
  });
});

Deno.test("the request line is recorded as sent: a/../b answers 307, %2F is decoded and served", async () => {
  await withMock(async (bao) => {
    const sc = await bao.scenario(SECRET);
    const dots = await get(sc, "/v1/secret/data/x/../myapp/api?version=3");
    assert.equal(dots.status, 307);
    assert.equal(dots.headers["location"], "/v1/secret/data/myapp/api?version=3");
    const enc = await get(sc, "/v1/secret/data/myapp%2Fapi");
    assert.equal(enc.status, 200);
    assert.deepEqual(sc.requests().map((r) => [r.requestLine, r.rawPath, r.rawQuery, r.route, r.status]), [
      [
        "GET /v1/secret/data/x/../myapp/api?version=3 HTTP/1.1",
        "/v1/secret/data/x/../myapp/api",
        "version=3",
        "kv_read",
        307,
      ],
      ["GET /v1/secret/data/myapp%2Fapi HTTP/1.1", "/v1/secret/data/myapp%2Fapi", "", "kv_read", 200],
    ]);
  });
});

Deno.test("read steps: denied, sealed, raw, another version, then normal reads; the foreign origin takes none", async () => {
  await withMock(async (bao) => {
    const sc = await bao.scenario({
      ...SECRET,
      reads: [{ kind: "denied" }, { kind: "sealed" }, { kind: "raw", status: 418, body: { x: 1 } }, {
        kind: "serve",
        version: 1,
      }],
    });
    const p = "/v1/secret/data/myapp/api?version=3";
    assert.equal((await get(sc, p)).status, 403);
    assert.deepEqual((await get(sc, p)).json, { errors: ["Vault is sealed"] });
    assert.deepEqual((await get(sc, p)).json, { x: 1 });
    assert.equal((await get(sc, p)).json.data.metadata.version, 1);
    assert.equal((await get(sc, p)).json.data.metadata.version, 3);
    const deleted = await get(sc, "/v1/secret/data/myapp/api?version=2");
    assert.equal(deleted.status, 404);
    assert.equal(deleted.json.data.data, null);
    assert.notEqual(deleted.json.data.metadata.deletion_time, "");
  });
});

Deno.test("a redirect step sends the client to the foreign origin with the same path and query", async () => {
  await withMock(async (bao) => {
    const sc = await bao.scenario({ ...SECRET, reads: [{ kind: "redirect", to: "foreign" }] });
    const r = await get(sc, "/v1/secret/data/myapp/api?version=3");
    assert.equal(r.status, 307);
    assert.equal(r.headers["location"], `${sc.foreignHttpBase}/v1/secret/data/myapp/api?version=3`);
    const client = Deno.createHttpClient({ caCerts: [bao.caCertPem] });
    try {
      const sc2 = await bao.scenario({
        ...SECRET,
        reads: [{ kind: "redirect", to: "foreign", status: 302 }],
      });
      const res = await fetch(`${sc2.httpsBase}/v1/secret/data/myapp/api`, {
        client,
        headers: { "X-Vault-Token": sc2.token },
      });
      assert.equal(res.status, 200); // the foreign origin serves the same store
      await res.body?.cancel();
      assert.deepEqual(
        sc2.requests().map((q) => [q.listener, q.status, q.vaultToken === sc2.hashToken(sc2.token)]),
        [
          ["https", 302, true],
          ["foreign", 200, true],
        ],
      );
    } finally {
      client.close();
    }
  });
});

Deno.test("wrapping: wrap_info at the read, one unwrap, the wrapping token masked in records", async () => {
  await withMock(async (bao) => {
    const sc = await bao.scenario({
      ...SECRET,
      reads: [{ kind: "serve", creation_path: "secret/data/other" }],
    });
    const w = await get(sc, "/v1/secret/data/myapp/api?version=2", { "X-Vault-Wrap-TTL": "30s" });
    assert.equal(w.status, 200);
    assert.equal(w.json.wrap_info.creation_path, "secret/data/other");
    assert.equal(w.json.wrap_info.ttl, 30);
    const token = w.json.wrap_info.token as string;
    const unwrap = () =>
      rawRequest(sc.httpBase, "POST", "/v1/sys/wrapping/unwrap", {
        headers: { "X-Vault-Token": sc.token },
        body: JSON.stringify({ token }),
      });
    const first = await unwrap();
    assert.equal(first.status, 404);
    assert.equal(JSON.parse(first.body).data.data, null);
    assert.equal((await unwrap()).status, 400);
    const recs = sc.requests().filter((r) => r.route === "unwrap");
    assert.equal(recs.length, 2);
    assert.ok(!JSON.stringify(recs).includes(token));
    assert.deepEqual(recs[0]?.sightings.map((s) => [s.token, s.where]), [["wrapping", "body"]]);
    // the unwrapped token is the body's, not the client's own X-Vault-Token (secrets.wrap.single-unwrap)
    assert.equal(recs[0]?.unwrapToken, sc.hashToken(token));
    assert.notEqual(recs[0]?.unwrapToken, recs[0]?.vaultToken);
    assert.equal(recs[1]?.unwrapToken, recs[0]?.unwrapToken);
  });
});

Deno.test("wrapping: a wrapping token sent as X-Vault-Token is the one unwrapped", async () => {
  await withMock(async (bao) => {
    const sc = await bao.scenario(SECRET);
    const w = await get(sc, "/v1/secret/data/myapp/api?version=1", { "X-Vault-Wrap-TTL": "30s" });
    const token = w.json.wrap_info.token as string;
    const r = await rawRequest(sc.httpBase, "POST", "/v1/sys/wrapping/unwrap", {
      headers: { "X-Vault-Token": token },
    });
    assert.equal(r.status, 200);
    const rec = sc.requests().find((q) => q.route === "unwrap");
    assert.equal(rec?.unwrapToken, sc.hashToken(token));
    assert.equal(rec?.unwrapToken, rec?.vaultToken);
  });
});

Deno.test("sealed from the start, and setSealed", async () => {
  await withMock(async (bao) => {
    const sc = await bao.scenario({ ...SECRET, sealed: true });
    assert.equal((await get(sc, "/v1/secret/data/myapp/api")).status, 503);
    sc.setSealed(false);
    assert.equal((await get(sc, "/v1/secret/data/myapp/api")).status, 200);
  });
});

Deno.test("permission: unknown token, limited token, denied path", async () => {
  await withMock(async (bao) => {
    const sc = await bao.scenario({
      ...SECRET,
      denied: ["secret/data/myapp/*"],
      limitedTokens: [{ token: "lim", allow: ["secret/data/myapp/api"] }],
    });
    assert.deepEqual((await get(sc, "/v1/secret/data/myapp/api", { "X-Vault-Token": "nope" })).json, {
      errors: ["permission denied"],
    });
    assert.deepEqual((await get(sc, "/v1/secret/data/myapp/api")).json, {
      errors: ["1 error occurred:\n\t* permission denied\n\n"],
    });
    assert.equal((await get(sc, "/v1/secret/data/myapp/api", { "X-Vault-Token": "lim" })).status, 200);
    assert.equal((await get(sc, "/v1/secret/data/other", { "X-Vault-Token": "lim" })).status, 403);
    assert.deepEqual(sc.requests().map((r) => r.sightings.map((s) => s.token)), [[], [], [], []]);
  });
});

Deno.test("in-flight peak: 16 concurrent delayed reads", async () => {
  await withMock(async (bao) => {
    const sc = await bao.scenario({
      ...SECRET,
      reads: Array.from({ length: 16 }, () => ({ kind: "serve", delay_ms: 300 })),
    });
    await Promise.all(Array.from({ length: 16 }, () => get(sc, "/v1/secret/data/myapp/api")));
    assert.equal(sc.inFlightPeak(), 16);
    assert.equal(sc.pdpInFlightPeak(), 0);
    assert.equal(await sc.waitFor(16, 10, "kv_read"), 16);
  });
});

Deno.test("bounds: a body over 1 MiB is 413, a head over 16 KiB is 431, nothing is recorded", async () => {
  await withMock(async (bao) => {
    const sc = await bao.scenario();
    const big = await rawRequest(sc.httpBase, "POST", "/v1/secret/data/x", {
      body: "a".repeat(1024 * 1024 + 1),
    });
    assert.equal(big.status, 413);
    const head = await rawRequest(sc.httpBase, "GET", "/v1/secret/data/x", {
      headers: { "X-Big": "b".repeat(17_000) },
    });
    assert.equal(head.status, 431);
    assert.deepEqual(sc.requests(), []);
  });
});

Deno.test("keep-alive: requests on one connection share its id; release closes the listeners", async () => {
  await withMock(async (bao) => {
    const sc = await bao.scenario(SECRET);
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${sc.httpBase}/v1/secret/data/myapp/api`, {
        headers: { "X-Vault-Token": sc.token },
      });
      await res.body?.cancel();
    }
    const [a, b] = sc.requests();
    assert.equal(a?.connection, b?.connection);
    await sc.release();
    await assert.rejects(fetch(`${sc.httpBase}/v1/secret/data/myapp/api`));
  });
});
