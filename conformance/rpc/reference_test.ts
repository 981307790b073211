import assert from "node:assert/strict";
import { runChecks } from "../../src/engine/runner.ts";
import { readHandshake } from "./_handshake.ts";
import { decodeAddress } from "./_proc.ts";
import { locateRefPlugin, REF_PLUGIN_HINT, referenceTarget } from "./_ref_plugin.ts";
import { openRpcTarget } from "./_session.ts";
import { rpcAreas } from "./mod.ts";

const checks = Object.values(rpcAreas).flat();

Deno.test("the handshake grammar: go-plugin's line passes, each broken field is named", () => {
  const ok = readHandshake("1|1|tcp|127.0.0.1:10000|grpc|MIIBtzCC");
  assert.deepEqual(ok.problems, []);
  assert.deepEqual(ok.endpoint, { network: "tcp", address: "127.0.0.1:10000" });
  assert.equal(readHandshake("1|1|unix|/tmp/p|grpc|").problems.length, 0, "no certificate: plaintext");
  const bad = (line: string) => readHandshake(line).problems.join("; ");
  assert.match(bad("1|1|unix|/tmp/p|grpc"), /5 fields/);
  assert.match(bad("2|1|unix|/tmp/p|grpc|"), /core protocol version "2"/);
  assert.match(bad("1|x|unix|/tmp/p|grpc|"), /not an integer/);
  assert.match(bad("1|1|udp|/tmp/p|grpc|"), /network "udp"/);
  assert.match(bad("1|1|unix|tmp/p|grpc|"), /absolute socket path/);
  assert.match(bad("1|1|tcp|127.0.0.1|grpc|"), /host:port/);
  assert.match(bad("1|1|unix|/tmp/p|http|"), /protocol "http"/);
  assert.match(bad("1|1|unix|/tmp/p|grpc|MIIB=="), /padded base64/);
  assert.match(bad("1|1|unix|/tmp/p|grpc|-----BEGIN"), /not base64/);
  assert.match(bad("1|1|unix|/tmp/p|grpc|QUJD"), /not a DER certificate/);
});

Deno.test("/proc addresses: IPv4 and IPv6, loopback or not", () => {
  assert.deepEqual(decodeAddress("0100007F:2710", false), { address: "127.0.0.1:10000", loopback: true });
  assert.deepEqual(decodeAddress("00000000:2710", false), { address: "0.0.0.0:10000", loopback: false });
  const any6 = decodeAddress("00000000000000000000000000000000:2711", true);
  assert.equal(any6.loopback, false);
  assert.equal(any6.address, "[::]:10001");
  assert.equal(decodeAddress("00000000000000000000000001000000:2711", true).loopback, true);
  assert.equal(decodeAddress("0000000000000000FFFF00000100007F:2711", true).loopback, true);
});

Deno.test("without Go every rpc check is not applicable, with the install hint", async () => {
  const r = await locateRefPlugin({ go: null, binDir: "/nonexistent" });
  assert.ok(!r.ok && r.kind === "unavailable");
  const opened = await openRpcTarget(referenceTarget("ref-plugin"), 1, r.reason);
  assert.ok(opened.ok);
  const results = await runChecks(checks, {
    concurrency: 4,
    seed: 1,
    capabilities: opened.value.capabilities,
    makeContext: (c, signal, note) => opened.value.makeContext(c, signal, note),
  });
  await opened.value.close();
  for (const res of results) {
    assert.equal(res.verdict.outcome, "not_applicable", res.id);
    if (res.verdict.outcome === "not_applicable" && res.verdict.reason.startsWith("requires capability")) {
      continue;
    }
    assert.ok("reason" in res.verdict && res.verdict.reason.includes(REF_PLUGIN_HINT), res.id);
  }
});

Deno.test("the reference plugin on TCP listens on loopback only, and passes rpc.bind.loopback", async () => {
  const loc = await locateRefPlugin();
  if (!loc.ok) {
    if (Deno.env.get("CI")) throw new Error(loc.reason);
    console.log(`skipped: ${loc.reason}`);
    return;
  }
  const opened = await openRpcTarget(referenceTarget(loc.path, undefined, "tcp"), 1);
  assert.ok(opened.ok);
  const results = await runChecks(checks, {
    concurrency: 4,
    seed: 1,
    only: ["rpc.bind", "rpc.health", "rpc.mtls", "rpc.shutdown"],
    capabilities: opened.value.capabilities,
    makeContext: (c, signal, note) => opened.value.makeContext(c, signal, note),
  });
  await opened.value.close();
  for (const r of results) assert.equal(r.verdict.outcome, "pass", `${r.id}: ${JSON.stringify(r.verdict)}`);
  const bind = results.find((r) => r.id === "rpc.bind.loopback");
  assert.match(JSON.stringify(bind?.verdict), /TCP listeners: 127\.0\.0\.1:\d+/);
});

Deno.test("the kit connects to a plugin on loopback only", async () => {
  const { loopbackHost } = await import("./_context.ts");
  assert.ok(loopbackHost("127.0.0.1:10000") && loopbackHost("[::1]:10000") && loopbackHost("localhost:1"));
  assert.ok(!loopbackHost("10.0.0.1:10000") && !loopbackHost("example.com:443") && !loopbackHost("[::]:1"));
});
