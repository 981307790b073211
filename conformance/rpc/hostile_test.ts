import assert from "node:assert/strict";
import { runChecks } from "../../src/engine/runner.ts";
import { referenceTarget } from "./_ref_plugin.ts";
import { openRpcTarget } from "./_session.ts";
import { rpcAreas } from "./mod.ts";
import type { RpcTarget } from "./target.ts";

const checks = Object.values(rpcAreas).flat();

function fake(script: string, marker: string): RpcTarget {
  const path = new URL(`./testdata/${script}`, import.meta.url).pathname;
  return {
    ...referenceTarget("/bin/sh"),
    name: script,
    command: ["/bin/sh", path, marker],
    handshakeTimeoutMs: 1000,
  };
}

function leftovers(marker: string): number[] {
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      if (Deno.readTextFileSync(`/proc/${e.name}/cmdline`).includes(marker)) out.push(Number(e.name));
    } catch {
      // gone
    }
  }
  return out;
}

for (const script of ["hang.sh", "garbage.sh", "never_exits.sh", "flood.sh"]) {
  Deno.test(`a hostile plugin (${script}) gets error verdicts, not passes; the run completes and nothing of it is left`, async () => {
    const marker = `ron-rpc-test-${crypto.randomUUID()}`;
    const opened = await openRpcTarget(fake(script, marker), 1);
    assert.ok(opened.ok);
    const t0 = performance.now();
    const results = await runChecks(checks, {
      concurrency: 6,
      seed: 1,
      capabilities: opened.value.capabilities,
      makeContext: (c, signal, note) => opened.value.makeContext(c, signal, note),
    });
    await opened.value.close();
    const secs = (performance.now() - t0) / 1000;
    assert.equal(results.length, checks.length);
    const passed = results.filter((r) => r.verdict.outcome === "pass").map((r) => r.id);
    // never_exits.sh prints a well-formed line naming a socket nobody serves: only what the line
    // and its silence show can pass
    const allowed = script === "never_exits.sh"
      ? ["rpc.cookie.not-printed", "rpc.handshake.grammar", "rpc.handshake.version"]
      : [];
    assert.deepEqual(passed.filter((id) => !allowed.includes(id)), [], `${script}: no other check may pass`);
    const errors = results.filter((r) => r.verdict.outcome === "error").length;
    assert.ok(errors >= 10, `${script}: most checks cannot judge (${errors} errors)`);
    assert.ok(secs < 60, `${script}: the run took ${secs.toFixed(1)} s`);
    const grammar = results.find((r) => r.id === "rpc.handshake.grammar")?.verdict.outcome;
    assert.equal(grammar, { "garbage.sh": "fail", "never_exits.sh": "pass" }[script] ?? "error");
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(leftovers(marker), [], `${script}: processes left`);
  });
}
