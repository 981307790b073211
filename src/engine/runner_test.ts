import assert from "node:assert/strict";
import { runChecks, type RunOptions, selected, unmatchedOnly } from "./runner.ts";
import { sdkRun, type SdkRunDeps } from "./sdk_target.ts";
import { type BaseContext, type Check, verdict } from "./types.ts";
import type { DriverSession } from "../driver/types.ts";
import type { MockServer } from "../mock/types.ts";
import type { SdkContext } from "./sdk_context.ts";

function check(id: string, run: Check["run"], extra: Partial<Check> = {}): Check {
  return { id, title: id, level: "MUST", source: "000 §1", requires: [], mutants: [], run, ...extra };
}

function opts(extra: Partial<RunOptions<BaseContext>> = {}): RunOptions<BaseContext> {
  return {
    concurrency: 4,
    seed: 1,
    capabilities: new Set(["http"]),
    makeContext: (_c, signal, note) =>
      Promise.resolve({
        ctx: { seed: 1, signal, timeLimitMs: 1000, note },
        dispose: () => Promise.resolve(),
      }),
    ...extra,
  };
}

Deno.test("runChecks() returns results sorted by id", async () => {
  const rs = await runChecks([
    check("sdk.b.x", () => Promise.resolve(verdict.pass())),
    check("sdk.a.x", () => Promise.resolve(verdict.fail("broke the rule"))),
  ], opts());
  assert.deepEqual(rs.map((r) => r.id), ["sdk.a.x", "sdk.b.x"]);
  assert.equal(rs[0]?.verdict.outcome, "fail");
});

Deno.test("runChecks() marks a missing capability not_applicable, naming it", async () => {
  let ran = false;
  const rs = await runChecks([
    check("sdk.sse.x", () => {
      ran = true;
      return Promise.resolve(verdict.pass());
    }, { requires: ["sse"] }),
  ], opts());
  assert.equal(ran, false);
  const v = rs[0]?.verdict;
  assert.equal(v?.outcome, "not_applicable");
  assert.ok(v?.outcome === "not_applicable" && v.reason.includes('"sse"'));
});

Deno.test("runChecks() turns a thrown exception into error with the message", async () => {
  const rs = await runChecks([check("sdk.a.x", () => Promise.reject(new Error("boom 42")))], opts());
  const v = rs[0]?.verdict;
  assert.ok(v?.outcome === "error" && v.reason === "boom 42");
});

Deno.test("runChecks() records a failed context setup as error", async () => {
  const rs = await runChecks(
    [check("sdk.a.x", () => Promise.resolve(verdict.pass()))],
    opts({ makeContext: () => Promise.reject(new Error("no driver")) }),
  );
  const v = rs[0]?.verdict;
  assert.ok(v?.outcome === "error" && v.reason.includes("no driver"));
});

Deno.test("runChecks() records a hanging check as error after its time limit and disposes", async () => {
  let disposed = 0;
  let sawAbort = false;
  const t0 = performance.now();
  const rs = await runChecks(
    [
      check("sdk.a.hang", () => new Promise(() => {}), { timeLimitMs: 50 }),
      check("sdk.a.abortable", (ctx) =>
        new Promise((resolve) => {
          ctx.signal.addEventListener("abort", () => {
            sawAbort = true;
            resolve(verdict.fail("gave up at the limit"));
          });
        }), { timeLimitMs: 50 }),
    ],
    opts({
      graceMs: 100,
      makeContext: (_c, signal, note) =>
        Promise.resolve({
          ctx: { seed: 1, signal, timeLimitMs: 50, note },
          dispose: () => {
            disposed++;
            return Promise.resolve();
          },
        }),
    }),
  );
  assert.ok(performance.now() - t0 < 5000);
  const hang = rs.find((r) => r.id === "sdk.a.hang")?.verdict;
  assert.ok(hang?.outcome === "error" && hang.reason === "check exceeded its time limit of 50 ms");
  assert.equal(rs.find((r) => r.id === "sdk.a.abortable")?.verdict.outcome, "fail");
  assert.ok(sawAbort);
  assert.equal(disposed, 2);
});

Deno.test("runChecks() bounds a dispose that never ends", async () => {
  const rs = await runChecks(
    [check("sdk.a.x", () => Promise.resolve(verdict.pass()))],
    opts({
      disposeMs: 50,
      makeContext: (_c, signal, note) =>
        Promise.resolve({
          ctx: { seed: 1, signal, timeLimitMs: 50, note },
          dispose: () => new Promise(() => {}),
        }),
    }),
  );
  const v = rs[0]?.verdict;
  assert.ok(v?.outcome === "pass" && v.evidence.notes?.some((n) => n.includes("tearing down")));
});

Deno.test("runChecks() never runs more than `concurrency` checks at once", async () => {
  let inFlight = 0;
  let max = 0;
  const checks = Array.from(
    { length: 12 },
    (_, i) =>
      check(`sdk.c.n${String(i).padStart(2, "0")}`, async () => {
        inFlight++;
        max = Math.max(max, inFlight);
        await new Promise((r) => setTimeout(r, 10));
        inFlight--;
        return verdict.pass();
      }),
  );
  const progress: number[] = [];
  const rs = await runChecks(checks, opts({ concurrency: 3, onProgress: (_r, done) => progress.push(done) }));
  assert.equal(rs.length, 12);
  assert.equal(max, 3);
  assert.deepEqual(progress, Array.from({ length: 12 }, (_, i) => i + 1));
});

Deno.test("runChecks() attaches notes and honours --only", async () => {
  const rs = await runChecks([
    check("sdk.a.x", (ctx) => {
      ctx.note("configured read_ms=300");
      return Promise.resolve(verdict.fail("x", { notes: ["first"] }));
    }),
    check("sdk.b.y", () => Promise.resolve(verdict.pass())),
  ], opts({ only: ["sdk.a"] }));
  assert.equal(rs.length, 1);
  const v = rs[0]?.verdict;
  assert.ok(v?.outcome === "fail");
  assert.deepEqual(v.evidence.notes, ["first", "configured read_ms=300"]);
});

Deno.test("selected() and unmatchedOnly() match ids and prefixes", () => {
  assert.ok(selected("sdk.a.b", undefined));
  assert.ok(selected("sdk.a.b", ["sdk.a.b"]));
  assert.ok(!selected("sdk.a.bc", ["sdk.a.b"]));
  assert.deepEqual(unmatchedOnly(["sdk.a", "sdk.z"], ["sdk.a.b"]), ["sdk.z"]);
});

function fakeDeps(opts: { failStart?: boolean } = {}) {
  const closed: string[] = [];
  let n = 0;
  const session = (): DriverSession => {
    const name = `d${n++}`;
    return {
      hello: { protocol: 1, name: "fake", version: "1.0", language: "ts", capabilities: ["http"] },
      call: () => Promise.resolve({ kind: "no_reply", ms: 0 }),
      output: () => [],
      dirs: { cwd: "/tmp", home: "/tmp", tmp: "/tmp" },
      scan: () => Promise.resolve([]),
      close: () => {
        closed.push(name);
        return Promise.resolve();
      },
    };
  };
  const mock: MockServer = {
    caCertPem: "",
    ports: { https: 1, http: 2, untrusted: 3, foreign: 4 },
    scenario: () => {
      throw new Error("not in this fake");
    },
    close: () => {
      closed.push("mock");
      return Promise.resolve();
    },
  };
  let c = 0;
  const deps: SdkRunDeps = {
    startMockServer: () => Promise.resolve(mock),
    startDriver: () =>
      Promise.resolve(
        opts.failStart ? { ok: false, detail: "exec failed" } : { ok: true, session: session() },
      ),
    newCanary: () => `ronc_${String(c++).padStart(32, "0")}`,
  };
  return { deps, closed };
}

Deno.test("sdkRun() gives each check a context, collects canaries and closes drivers", async () => {
  const { deps, closed } = fakeDeps();
  const checks: Check<SdkContext>[] = [{
    id: "sdk.a.x",
    title: "t",
    level: "MUST",
    source: "000",
    requires: ["http"],
    mutants: [],
    run: async (ctx) => {
      ctx.newCanary();
      await ctx.startDriver();
      return verdict.pass();
    },
  }];
  const out = await sdkRun({ driverCommand: ["fake"], seed: 3, checks, deps });
  assert.ok(out.ok);
  assert.equal(out.target.name, "fake");
  assert.equal(out.canaries.length, 1);
  assert.equal(out.results[0]?.verdict.outcome, "pass");
  assert.deepEqual(closed, ["d0", "d1", "mock"]);
});

Deno.test("sdkRun() reports a driver that does not start as exit code 2", async () => {
  const { deps, closed } = fakeDeps({ failStart: true });
  const out = await sdkRun({ driverCommand: ["nope"], seed: 3, checks: [], deps });
  assert.ok(!out.ok && out.code === 2 && out.detail.includes("exec failed"));
  assert.deepEqual(closed, ["mock"]);
});
