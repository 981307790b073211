import assert from "node:assert/strict";
import { rawRequest } from "./raw_request.ts";
import { caseValue, kvReads, requestLines, secretCase, sentVersions, tokenTrail } from "./scenario.ts";
import { startBaoMock } from "./server.ts";
import type { BaoMock, BaoScenario, PdpRequest } from "./types.ts";

const URI = "openbao+kv2://secret/myapp/api#token?version=2";

async function withMock(fn: (bao: BaoMock) => Promise<void>): Promise<void> {
  const bao = await startBaoMock();
  try {
    await fn(bao);
  } finally {
    await bao.close();
  }
}

const call = (over: Partial<PdpRequest> = {}): PdpRequest => ({
  subject: "svc-a",
  tenant: "dev",
  uri: URI,
  action: "execute",
  binding: "jkt-1",
  audience: ["crud.secrets"],
  jti: "j-1",
  ...over,
});

async function authorize(sc: BaoScenario, body: unknown) {
  const r = await rawRequest(sc.httpBase, "POST", "/v1/pdp/authorize", {
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: r.status, json: JSON.parse(r.body) };
}

Deno.test("secretCase: versions with their states and caseValue data", async () => {
  await withMock(async (bao) => {
    const sc = await bao.scenario(secretCase({ uri: URI, versions: ["live", "live", "destroyed"] }));
    const read = (v: number) =>
      fetch(`${sc.httpBase}/v1/secret/data/myapp/api?version=${v}`, {
        headers: { "X-Vault-Token": sc.token },
      });
    const two = await read(2);
    assert.deepEqual((await two.json()).data.data, caseValue(URI, 2));
    const three = await read(3);
    assert.equal(three.status, 404);
    assert.equal((await three.json()).data.metadata.destroyed, true);
    assert.deepEqual(sentVersions(sc), ["2", "3"]);
    assert.deepEqual(kvReads(sc).map((r) => r.status), [200, 404]);
  });
});

Deno.test("secretCase: other-version serves a version other than the pinned one, once", async () => {
  await withMock(async (bao) => {
    const sc = await bao.scenario(
      secretCase({ uri: URI, versions: ["live", "live"], reads: "other-version" }),
    );
    const v = async () =>
      (await (await fetch(`${sc.httpBase}/v1/secret/data/myapp/api?version=2`, {
        headers: { "X-Vault-Token": sc.token },
      })).json()).data.metadata.version;
    assert.equal(await v(), 1);
    assert.equal(await v(), 2);
    assert.throws(
      () => secretCase({ uri: "openbao+kv2://secret/a#k", reads: "other-version" }),
      /two versions/,
    );
    assert.throws(() => secretCase({ uri: "openbao+kv2://secret/../a" }), /dot_segment/);
  });
});

Deno.test("PDP: allow with the grant's defaults, the call recorded as sent", async () => {
  await withMock(async (bao) => {
    const sc = await bao.scenario(secretCase({ uri: URI, wrapTtlS: 30 }));
    const r = await authorize(sc, call());
    assert.equal(r.status, 200);
    assert.equal(r.json.decision, "allow");
    assert.match(r.json.grant.id, /^g-/);
    assert.deepEqual({ ...r.json.grant, id: "" }, {
      id: "",
      ttl_ms: 300_000,
      max_uses: 1,
      audience: "crud.secrets",
      binding: "jkt-1",
      wrap_ttl_s: 30,
    });
    const [c] = sc.pdpCalls();
    assert.deepEqual(c?.request, call());
    assert.equal(c?.answer, "allow");
    assert.equal(c?.grant?.id, r.json.grant.id);
    assert.deepEqual(requestLines(sc, "pdp"), ["POST /v1/pdp/authorize HTTP/1.1"]);
  });
});

Deno.test("PDP: deny, outage, a malformed call, answers in order then the last repeats, setPdp", async () => {
  await withMock(async (bao) => {
    const sc = await bao.scenario({ pdp: [{ decision: "deny", reason: "no" }, { decision: "outage" }] });
    assert.deepEqual(await authorize(sc, call()), { status: 200, json: { decision: "deny", reason: "no" } });
    const bad = await authorize(sc, { ...call(), action: "read" });
    assert.equal(bad.status, 400);
    assert.equal((await authorize(sc, call())).status, 503);
    assert.equal((await authorize(sc, call())).status, 503);
    sc.setPdp((req, n) =>
      req.jti === "ok" ? { decision: "allow", grant: { max_uses: n } } : { decision: "deny" }
    );
    assert.equal((await authorize(sc, call({ jti: "ok" }))).json.grant.max_uses, 3);
    assert.equal((await authorize(sc, call({ jti: "x" }))).json.decision, "deny");
    assert.deepEqual(sc.pdpCalls().map((c) => [c.n, c.answer, c.problem ?? ""]), [
      [0, "deny", ""],
      [1, "invalid", 'action must be "execute"'],
      [2, "outage", ""],
      [3, "outage", ""],
      [4, "allow", ""],
      [5, "deny", ""],
    ]);
  });
});

Deno.test("PDP: slow answers overlap (pdpInFlightPeak) and are not counted as vault requests", async () => {
  await withMock(async (bao) => {
    const sc = await bao.scenario(secretCase({ uri: URI, pdp: "slow", slowMs: 300 }));
    const t0 = performance.now();
    const all = await Promise.all(Array.from({ length: 4 }, () => authorize(sc, call())));
    assert.ok(performance.now() - t0 >= 280);
    assert.ok(all.every((r) => r.json.decision === "allow"));
    assert.equal(sc.pdpInFlightPeak(), 4);
    assert.equal(sc.inFlightPeak(), 0);
    assert.equal(kvReads(sc).length, 0);
  });
});

Deno.test("tokenTrail: the token in the URL and on the foreign origin are both visible", async () => {
  await withMock(async (bao) => {
    const sc = await bao.scenario(secretCase({ uri: URI, reads: "redirect-foreign" }));
    const first = await rawRequest(sc.httpBase, "GET", "/v1/secret/data/myapp/api?version=2", {
      headers: { "X-Vault-Token": sc.token },
    });
    assert.equal(first.status, 307);
    await rawRequest(sc.foreignHttpBase, "GET", `/v1/secret/data/myapp/api?token=${sc.token}`);
    assert.deepEqual(tokenTrail(sc).map((e) => [e.seq, e.listener, e.route, e.how]), [
      [0, "http", "kv_read", "x-vault-token"],
      [1, "foreign-http", "kv_read", "request line"],
    ]);
  });
});

Deno.test("secretCase: denied and sealed last (a retry gets the same answer); no versions is a missing path", async () => {
  await withMock(async (bao) => {
    const read = (sc: BaoScenario) =>
      rawRequest(sc.httpBase, "GET", "/v1/secret/data/myapp/api", { headers: { "X-Vault-Token": sc.token } });
    const denied = await bao.scenario(secretCase({ uri: URI, reads: "denied" }));
    assert.deepEqual([(await read(denied)).status, (await read(denied)).status], [403, 403]);
    const sealed = await bao.scenario(secretCase({ uri: URI, reads: "sealed" }));
    assert.deepEqual([(await read(sealed)).status, (await read(sealed)).status], [503, 503]);
    const missing = await bao.scenario(secretCase({ uri: URI, versions: [] }));
    const r = await read(missing);
    assert.deepEqual([r.status, JSON.parse(r.body)], [404, { errors: [] }]);
  });
});
