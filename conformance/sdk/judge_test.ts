/**
 * `judged`: every way a check's body can end without judging its rule (an error, a throw, the
 * time limit) first asks the check's judge what was already observed.
 */
import assert from "node:assert/strict";
import type { SdkContext } from "../../src/engine/sdk_context.ts";
import { type Verdict, verdict } from "../../src/engine/types.ts";
import { judged, wentThroughJudge } from "./_judge.ts";
import { sdkAreas } from "./mod.ts";

function fakeCtx(): { ctx: SdkContext; limit: AbortController } {
  const limit = new AbortController();
  return { ctx: { signal: limit.signal, timeLimitMs: 50 } as unknown as SdkContext, limit };
}

const leaked = () => verdict.fail("the token was logged");
const nothing = () => undefined;

function reason(v: Verdict): string {
  return v.outcome === "pass" ? "" : v.reason;
}

Deno.test("a violation seen before the time limit is a fail; without one the limit is an error", async () => {
  for (const [judge, outcome] of [[leaked, "fail"], [nothing, "error"]] as const) {
    const { ctx, limit } = fakeCtx();
    const v = judged(ctx, judge, () => new Promise<Verdict>(() => {}));
    setTimeout(() => limit.abort(), 20);
    const got = await v;
    assert.equal(got.outcome, outcome);
    assert.match(reason(got), /time limit of 50 ms was reached/);
  }
});

Deno.test("a violation seen before a throw, an error or a not_applicable is a fail", async () => {
  const bodies = [
    () => Promise.reject(new Error("driver did not start")),
    () => Promise.resolve(verdict.error("driver did not answer request within 8000 ms")),
    () => Promise.resolve(verdict.notApplicable("unsupported")),
  ];
  for (const body of bodies) {
    const v = await judged(fakeCtx().ctx, leaked, body);
    assert.equal(v.outcome, "fail");
    assert.match(reason(v), /^the token was logged; then the check ended early: /);
  }
});

Deno.test("a body's own pass or fail stands; a judge that breaks leaves the error as it was", async () => {
  const pass = await judged(fakeCtx().ctx, leaked, () => Promise.resolve(verdict.pass()));
  assert.equal(pass.outcome, "pass");
  const broken = await judged(fakeCtx().ctx, () => {
    throw new Error("judge broke");
  }, () => Promise.resolve(verdict.error("hang")));
  assert.deepEqual(broken, verdict.error("hang"));
});

Deno.test("every sdk check runs through judged (errors.ts is another area owner's: listed, not required)", async () => {
  const missing: string[] = [];
  for (const [area, checks] of Object.entries(sdkAreas)) {
    for (const check of checks) {
      const { ctx, limit } = fakeCtx();
      limit.abort();
      Object.assign(ctx, {
        seed: 1,
        note: () => {},
        newCanary: () => `ronc_${"0".repeat(32)}`,
        startDriver: () => Promise.reject(new Error("stub: no driver")),
        mock: {
          caCertPem: "",
          ports: { https: 1, http: 1, untrusted: 1, foreign: 1 },
          scenario: () => {
            throw new Error("stub: no mock");
          },
        },
      });
      const v = await check.run(ctx).catch((e: unknown) => verdict.error(String(e)));
      assert.notEqual(v.outcome, "pass", check.id);
      if (!wentThroughJudge(ctx) && area !== "errors") missing.push(check.id);
    }
  }
  assert.deepEqual(missing, []);
});
