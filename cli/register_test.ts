import assert from "node:assert/strict";
import { CheckFailure, registerCertificationWith } from "./register.ts";
import type { SdkRunDeps } from "../src/engine/sdk_target.ts";
import type { Check } from "../src/engine/types.ts";
import type { SdkContext } from "../src/engine/sdk_context.ts";

function deps(counter: { starts: number }): SdkRunDeps {
  return {
    startMockServer: () =>
      Promise.resolve({
        caCertPem: "",
        ports: { https: 1, http: 2, untrusted: 3, foreign: 4 },
        scenario: () => {
          throw new Error("unused");
        },
        close: () => Promise.resolve(),
      }),
    startDriver: () => {
      counter.starts++;
      return Promise.resolve({
        ok: true,
        session: {
          hello: { protocol: 1, name: "fake", version: "1", language: "ts", capabilities: [] },
          call: () => Promise.resolve({ kind: "no_reply", ms: 0 }),
          output: () => [],
          dirs: { cwd: "", home: "", tmp: "" },
          scan: () => Promise.resolve([]),
          close: () => Promise.resolve(),
        },
      });
    },
    newCanary: () => "ronc_" + "5".repeat(32),
  };
}

function check(id: string, run: Check<SdkContext>["run"]): Check<SdkContext> {
  return { id, title: id, level: "MUST", source: "000", requires: [], mutants: [], run };
}

Deno.test("registerCertificationWith() registers one test per id and runs the certification once", async (t) => {
  const counter = { starts: 0 };
  const defs: Deno.TestDefinition[] = [];
  await registerCertificationWith({
    driver: "fake 'a b'",
    only: ["sdk.a", "sdk.b"],
    register: (d) => void defs.push(d),
  }, {
    checks: [
      check("sdk.b.ok", () => Promise.resolve({ outcome: "pass", evidence: {} })),
      check("sdk.a.leak", (ctx) => {
        const c = ctx.newCanary();
        return Promise.resolve({ outcome: "fail", reason: `leaked ${c}`, evidence: { notes: [c] } });
      }),
      check("sdk.c.skip", () => Promise.resolve({ outcome: "pass", evidence: {} })),
    ],
    deps: deps(counter),
  });
  assert.deepEqual(defs.map((d) => d.name), ["sdk.a.leak", "sdk.b.ok"]);
  assert.equal(defs[0]?.sanitizeOps, false);
  const err = await Promise.resolve().then(() => defs[0]!.fn!(t)).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof CheckFailure);
  assert.ok(err.message.includes("fail: leaked <canary>"));
  assert.ok(!err.message.includes("5".repeat(32)));
  await defs[1]!.fn!(t);
  assert.equal(counter.starts, 1); // one hello for the whole run
});
