import assert from "node:assert/strict";
import { runChecks } from "./runner.ts";
import { type BaseContext, type Check, verdict } from "./types.ts";

function check(id: string, ran: string[]): Check<BaseContext> {
  return {
    id,
    title: id,
    level: "MUST",
    source: "000 §1",
    requires: [],
    mutants: [],
    run: () => {
      ran.push(id);
      return Promise.resolve(verdict.pass());
    },
  };
}

Deno.test("runChecks(): a check the target says it cannot judge is not_applicable with its reason, not run", async () => {
  const ran: string[] = [];
  const rs = await runChecks([check("svc.a.x", ran), check("svc.b.x", ran)], {
    concurrency: 2,
    seed: 1,
    capabilities: new Set(),
    inapplicable: (id) => id === "svc.a.x" ? "the document has no write route" : undefined,
    makeContext: (_c, signal, note) =>
      Promise.resolve({
        ctx: { seed: 1, signal, timeLimitMs: 1000, note },
        dispose: () => Promise.resolve(),
      }),
  });
  assert.deepEqual(ran, ["svc.b.x"]);
  assert.deepEqual(rs[0]?.verdict, { outcome: "not_applicable", reason: "the document has no write route" });
  assert.equal(rs[1]?.verdict.outcome, "pass");
});
