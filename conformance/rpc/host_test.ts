import assert from "node:assert/strict";
import { MAX_OUTPUT_BYTES, startPlugin, wrongCookie } from "./_host.ts";
import { referenceTarget } from "./_ref_plugin.ts";
import type { RpcTarget } from "./target.ts";

function shTarget(script: string, extra: Partial<RpcTarget> = {}): RpcTarget {
  return {
    ...referenceTarget("/bin/sh"),
    command: ["/bin/sh", "-c", script],
    handshakeTimeoutMs: 2000,
    ...extra,
  };
}

function envOf(stderr: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of stderr.split("\n")) {
    const i = line.indexOf("=");
    if (i > 0) m.set(line.slice(0, i), line.slice(i + 1));
  }
  return m;
}

Deno.test("the host's environment: minimal, fresh owner-only dirs, the cookie three ways, the host variables", async () => {
  Deno.env.set("RON_RPC_TEST_SECRET", "must-not-pass");
  const t = shTarget('echo "1|1|unix|/x|grpc|"; env >&2; pwd >&2; exec sleep 5', {
    env: { EXTRA: "1" },
    cookieKey: "MY_COOKIE",
    cookieValue: "s3cret-value",
    protocolVersions: [1, 3],
  });
  for (const cookie of ["right", "missing", "wrong"] as const) {
    const run = await startPlugin(t, { cookie, clientCertPem: "PEM" });
    try {
      assert.equal(run.handshake.kind, "line");
      await new Promise((r) => setTimeout(r, 100));
      const env = envOf(run.output().stderr);
      assert.equal(env.get("PLUGIN_MAGIC_COOKIE_KEY"), "MY_COOKIE");
      assert.equal(
        env.get("MY_COOKIE"),
        { right: "s3cret-value", missing: undefined, wrong: wrongCookie("s3cret-value") }[cookie],
      );
      assert.equal(env.get("PLUGIN_PROTOCOL_VERSIONS"), "1,3");
      assert.equal(env.get("PLUGIN_CLIENT_CERT"), "PEM");
      assert.equal(env.get("EXTRA"), "1");
      assert.equal(env.get("RON_RPC_TEST_SECRET"), undefined);
      assert.ok(env.get("HOME")?.startsWith(run.root) && env.get("TMPDIR")?.startsWith(run.root));
      assert.ok(run.output().stderr.includes(`${run.root}/cwd`));
      assert.equal((Deno.statSync(run.root).mode ?? 0) & 0o777, 0o700);
    } finally {
      await run.close();
    }
    assert.throws(() => Deno.statSync(run.root), Deno.errors.NotFound);
  }
  Deno.env.delete("RON_RPC_TEST_SECRET");
});

Deno.test("the host bounds what it reads: the handshake line, the output, the time", async () => {
  const flood = await startPlugin(shTarget("head -c 300000 /dev/zero | tr '\\000' 'a'; exec sleep 5"));
  try {
    assert.equal(flood.handshake.kind, "overlong");
    await new Promise((r) => setTimeout(r, 200));
    const o = flood.output();
    assert.ok(
      o.stdout.length <= MAX_OUTPUT_BYTES && o.dropped > 0,
      `${o.stdout.length} kept, ${o.dropped} dropped`,
    );
  } finally {
    await flood.close();
  }
  const t0 = performance.now();
  const silent = await startPlugin(shTarget("exec sleep 30", { handshakeTimeoutMs: 300 }));
  await silent.close();
  assert.equal(silent.handshake.kind, "timeout");
  assert.ok(performance.now() - t0 < 5000);
  const gone = await startPlugin(shTarget("echo bye >&2; exit 3"));
  await gone.close();
  assert.deepEqual(gone.handshake.kind === "exited" ? gone.handshake.code : "not exited", 3);
  const missing = await startPlugin({ ...shTarget(""), command: ["/nonexistent/plugin"] });
  assert.equal(missing.handshake.kind, "spawn-error");
});
