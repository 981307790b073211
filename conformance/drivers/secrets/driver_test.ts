/**
 * The secrets driver as a subprocess, through the kit's own driver host (fresh HOME and TMPDIR,
 * reply validation, canary scan), against the in-test fake vault + PDP over HTTPS: the ops, the
 * error mapping, and mutants that leak through output or disk (which only a process shows).
 *
 * @module
 */
import assert from "node:assert/strict";
import { generateCa, issueLeaf } from "../../../src/mock/ca.ts";
import { startDriver } from "../../../src/driver/host.ts";
import type { DriverSession } from "../../../src/driver/types.ts";
import { FakeBao } from "../../../src/secrets/_fake_bao.ts";
import { canary } from "../../../src/secrets/_harness.ts";
import { secretDigest } from "../../../src/secrets/digest.ts";
import { secretsDriverCommand } from "../../mutants/secrets.ts";

const CALL_MS = 15_000;

async function setup(mutant?: string) {
  const ca = await generateCa();
  const leaf = await issueLeaf(ca, { ips: ["127.0.0.1"] });
  const token = canary();
  const value = canary();
  const bao = FakeBao.start(token, { cert: leaf.chainPem, key: leaf.keyPem });
  bao.put("secret/app/api", { v: value, n: 1 });
  const started = await startDriver({
    command: secretsDriverCommand(mutant),
    canaries: () => [token, value],
    caCertPem: ca.certPem,
  });
  if (!started.ok) {
    await bao.close();
    throw new Error(started.detail);
  }
  const s: DriverSession = started.session;
  const configure = async (extra: Record<string, unknown> = {}) => {
    const r = await s.call("configure", {
      secrets: {
        vault_addr: bao.url,
        token,
        tenant: "dev",
        allowed_mounts: ["secret"],
        salt: "salt-1",
        audience: "svc",
        pdp_addr: bao.url,
        ...extra,
      },
      ca_cert_pem: ca.certPem,
      debug: true,
      timeouts: { connect_ms: 2_000, read_ms: 3_000, total_ms: 6_000 },
    }, CALL_MS);
    assert.equal(r.kind, "ok", JSON.stringify(r));
    return r.kind === "ok" ? r.result.client : "";
  };
  return {
    s,
    bao,
    token,
    value,
    configure,
    async close() {
      await s.close();
      await bao.close();
    },
  };
}

const CTX = { subject: "alice", aud: ["svc"] };

Deno.test("the secrets driver: hello, configure, get_secret (digest, reveal), audit_records, errors, no leak", async () => {
  const t = await setup();
  try {
    assert.deepEqual(
      [...t.s.hello.capabilities].sort(),
      ["secret_uri", "secrets_audit", "secrets_grants", "secrets_kv", "secrets_uri"],
    );
    const client = await t.configure();
    const r = await t.s.call("get_secret", { client, uri: "openbao://secret/app/api#v", ctx: CTX }, CALL_MS);
    assert.ok(r.kind === "ok", JSON.stringify(r));
    assert.deepEqual(r.result, { version: 1, digest: await secretDigest(t.value) });
    const shown = await t.s.call("get_secret", {
      client,
      uri: "openbao://secret/app/api",
      ctx: CTX,
      reveal: true,
    }, CALL_MS);
    assert.ok(shown.kind === "ok");
    assert.deepEqual(shown.result.value, { v: t.value, n: 1 });
    const bad = await t.s.call("get_secret", { client, uri: "openbao://secret/app/../x", ctx: CTX }, CALL_MS);
    assert.ok(bad.kind === "sdk_error");
    assert.deepEqual([bad.error.type, bad.error.code], ["secret", "dot_segment"]);
    const missing = await t.s.call("get_secret", { client, uri: "openbao://secret/none", ctx: CTX }, CALL_MS);
    assert.ok(missing.kind === "sdk_error");
    assert.deepEqual([missing.error.type, missing.error.code, missing.error.status], [
      "secret",
      "not_found",
      404,
    ]);
    const audit = await t.s.call("audit_records", { client }, CALL_MS);
    assert.ok(audit.kind === "ok");
    assert.deepEqual(audit.result.records.map((x) => [x.decision, x.code ?? null]), [
      ["allow", null],
      ["allow", null],
      ["allow", "not_found"],
    ]);
    const canonical = await t.s.call("parse_secret_uri", {
      pointer: "OpenBao://secret/a/b?x=1&version=2#k",
      tenant_id: "dev",
      allowed_mounts: ["secret"],
    }, CALL_MS);
    assert.deepEqual(canonical.kind === "ok" && canonical.result, {
      canonical: "openbao+kv2://secret/a/b#k?version=2&x=1",
    });
    const req = await t.s.call("request", { client, method: "GET", path: "/" }, CALL_MS);
    assert.ok(req.kind === "sdk_error" && req.error.type === "unsupported");
    assert.ok((await t.s.call("close", { client }, CALL_MS)).kind === "ok");
    const closed = await t.s.call(
      "get_secret",
      { client, uri: "openbao://secret/app/api", ctx: CTX },
      CALL_MS,
    );
    assert.ok(closed.kind === "sdk_error" && closed.error.type === "config");
    assert.ok(t.s.output().length > 0, "debug lines on stderr");
    assert.deepEqual(await t.s.scan([t.token]), []);
    const values = await t.s.scan([t.value]);
    assert.deepEqual(
      values.map((l) => l.where),
      ["reply to get_secret"],
      "the value only in the reveal reply",
    );
    const outside = t.bao.requests.filter((q) => {
      const { "x-vault-token": _t, ...rest } = q.headers;
      return `${q.target} ${q.body} ${JSON.stringify(rest)}`.includes(t.token);
    });
    assert.deepEqual(outside, []);
  } finally {
    await t.close();
  }
});

Deno.test("the secrets driver's mutants that leak through a process: log-token (stderr), token-cache-file (HOME)", async (t) => {
  for (const [mutant, where] of [["log-token", "stderr"], ["token-cache-file", "HOME"]]) {
    await t.step(mutant ?? "", async () => {
      const x = await setup(mutant);
      try {
        const client = await x.configure();
        const r = await x.s.call(
          "get_secret",
          { client, uri: "openbao://secret/app/api#v", ctx: CTX },
          CALL_MS,
        );
        assert.equal(r.kind, "ok");
        const leaks = await x.s.scan([x.token]);
        assert.ok(leaks.some((l) => l.where.includes(where ?? "")), JSON.stringify(leaks));
      } finally {
        await x.close();
      }
    });
  }
});
