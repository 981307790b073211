/**
 * Hostile servers cannot freeze the svc checks, fool them into a pass, or make an echo look like a
 * leak: a target that refuses, resets, closes, answers garbage, HTTP/0.9, 100,000 headers or nothing
 * gets `error` ("cannot judge") on every check, within the time limits; a target whose every error
 * body is a ReDoS bait is judged within the time limits; a target that stores and lists whatever it
 * gets passes the leak checks, while the `sql-concat` mutant still fails.
 */
import assert from "node:assert/strict";
import type { CheckResult } from "../../src/engine/types.ts";
import { startReferenceServer } from "../reference_server/server.ts";
import { certifyTarget } from "./profile.ts";
import { svcChecks } from "./mod.ts";
import type { Target } from "./target.ts";
import { CHAOS_HINT } from "./chaos.ts";
import {
  HOSTILE_KINDS,
  type HostileKind,
  startBaitProxy,
  startEchoStore,
  startHostile,
} from "./testdata/hostile_servers.ts";

/** The svc default per-check time limit, and the runner's grace after it. */
const LIMIT_MS = 15_000;
const GRACE_MS = 2_000;

/**
 * The reference server's target (credentials that can forge every token), pointed elsewhere, and
 * declaring HS256 and ES256/ES384 accepted too so that every svc.jwt probe runs.
 */
async function targetAt(baseUrl: URL): Promise<Target> {
  const ref = await startReferenceServer({ https: false });
  await ref.close();
  const credentials = { ...ref.target.credentials, algorithms: ["RS256", "HS256", "ES256", "ES384"] };
  return { ...ref.target, name: `hostile ${baseUrl.host}`, baseUrl, credentials };
}

function limitOf(id: string): number {
  return svcChecks.find((c) => c.id === id)?.timeLimitMs ?? LIMIT_MS;
}

function within(results: readonly CheckResult[]): string[] {
  return results
    .filter((r) => r.durationMs > limitOf(r.id) + GRACE_MS)
    .map((r) => `${r.id} took ${r.durationMs} ms`);
}

function outcomes(results: readonly CheckResult[]): string {
  return results.map((r) => `${r.id}: ${r.verdict.outcome}`).join("\n");
}

async function againstHostile(kind: HostileKind): Promise<void> {
  const server = startHostile(kind);
  try {
    const t0 = performance.now();
    const results = await certifyTarget(await targetAt(server.baseUrl), { seed: 1, concurrency: 30 });
    const wall = performance.now() - t0;
    assert.equal(results.length, svcChecks.length);
    for (const r of results) {
      const v = r.verdict;
      if (v.outcome === "not_applicable") {
        // only a capability this http target lacks (https_target), or no Toxiproxy for svc.chaos (the run
        // has no --chaos), may make a check not applicable
        if (r.id.startsWith("svc.chaos.")) assert.equal(v.reason, CHAOS_HINT, `${kind}: ${r.id}`);
        else assert.match(v.reason, /^requires capability/, `${kind}: ${r.id}: ${v.reason}`);
        continue;
      }
      assert.equal(v.outcome, "error", `${kind}: ${r.id} is ${v.outcome}, not error:\n${outcomes(results)}`);
      assert.ok(!/\bundefined\b/.test(v.reason), `${kind}: ${r.id}: ${v.reason}`);
    }
    assert.deepEqual(within(results), [], kind);
    assert.ok(wall < LIMIT_MS + 2 * GRACE_MS + 5_000, `${kind}: the run took ${Math.round(wall)} ms`);
  } finally {
    await server.close();
  }
}

for (const kind of HOSTILE_KINDS) {
  Deno.test(`a ${kind} target gets error (cannot judge) on every svc check, in bounded time`, async () => {
    await againstHostile(kind);
  });
}

Deno.test("the reasons say what happened to the probe, with the cause", async () => {
  const refused = startHostile("refused");
  const silent = startHostile("silent");
  try {
    const only = ["svc.methods.trace", "svc.auth.health-public"];
    const [a, b] = await Promise.all([
      certifyTarget(await targetAt(refused.baseUrl), { seed: 1, only }),
      certifyTarget(await targetAt(silent.baseUrl), { seed: 1, only }),
    ]);
    for (const r of a ?? []) {
      assert.equal(r.verdict.outcome, "error");
      if (r.verdict.outcome === "error") assert.match(r.verdict.reason, /connection refused \(.*refused/i);
    }
    for (const r of b ?? []) {
      assert.equal(r.verdict.outcome, "error");
      if (r.verdict.outcome === "error") assert.match(r.verdict.reason, /cannot judge: .*(timed out|closed)/);
    }
  } finally {
    await refused.close();
    await silent.close();
  }
});

Deno.test("a ReDoS bait in every error body (SELECT + 64 KiB of spaces) is judged within the limits", async () => {
  const ref = await startReferenceServer({ https: false });
  const proxy = startBaitProxy(new URL(ref.baseUrl));
  try {
    const t0 = performance.now();
    const results = await certifyTarget({ ...ref.target, baseUrl: proxy.baseUrl }, { seed: 1 });
    const wall = performance.now() - t0;
    assert.equal(results.length, svcChecks.length);
    assert.deepEqual(within(results), []);
    assert.ok(!results.some((r) => r.verdict.outcome === "error" && /time limit/.test(r.verdict.reason)));
    const leak = results.find((r) => r.id === "svc.errors.no-leak");
    assert.equal(leak?.verdict.outcome, "pass", outcomes(results));
    assert.equal(results.find((r) => r.id === "svc.errors.problem")?.verdict.outcome, "fail");
    assert.ok(wall < 2 * LIMIT_MS, `the run took ${Math.round(wall)} ms`);
  } finally {
    await proxy.close();
    await ref.close();
  }
});

Deno.test("a server that stores and lists whatever it gets passes the leak checks (an echo is not a leak)", async () => {
  const store = startEchoStore();
  try {
    const results = await certifyTarget(await targetAt(store.baseUrl), { seed: 1 });
    for (const id of ["svc.input.injection", "svc.errors.no-leak", "svc.prop.fuzz"]) {
      const r = results.find((x) => x.id === id);
      assert.equal(r?.verdict.outcome, "pass", `${id}: ${JSON.stringify(r?.verdict).slice(0, 600)}`);
    }
  } finally {
    await store.close();
  }
});

Deno.test("the sql-concat mutant still fails svc.input.injection", async () => {
  const s = await startReferenceServer({ https: false, fault: "sql-concat" });
  try {
    const [r] = await certifyTarget(s.target, { seed: 1, only: ["svc.input.injection"] });
    assert.equal(r?.verdict.outcome, "fail");
    if (r?.verdict.outcome === "fail") assert.match(r.verdict.reason, /→ 500/);
  } finally {
    await s.close();
  }
});
