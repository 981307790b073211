/**
 * `sdk.correlation.*` — request correlation (seed 001 §9).
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import type { SdkContext } from "../../src/engine/sdk_context.ts";
import { type Check, type Verdict, verdict } from "../../src/engine/types.ts";
import { callFault, gather, request, setup, unobserved } from "./_helpers.ts";
import { judged, type Seen } from "./_judge.ts";

const requestId = defineCheck<SdkContext>({
  id: "sdk.correlation.request-id",
  title: "Each request carries a unique X-Request-ID",
  level: "SHOULD",
  source: "001 §9 Include X-Request-ID for correlation",
  rationale:
    "A unique X-Request-ID on each request lets the client's and the server's logs be joined for one call. Without it, or with ids reused, an incident cannot be followed across the two.",
  requires: ["http"],
  mutants: ["constant-request-id"],
  run: (ctx) => judged(ctx, reusedIds, () => body(ctx)),
});

/** The judge: a request seen without an X-Request-ID, or with one another request already used. */
function reusedIds(seen: readonly Seen[]): Verdict | undefined {
  const s = seen[0];
  if (!s) return undefined;
  const ids = s.scenario.requests().map((q) => q.headers["x-request-id"]);
  const missing = ids.filter((x) => x === undefined || x === "").length;
  const distinct = new Set(ids).size;
  if (missing === 0 && distinct === ids.length) return undefined;
  return verdict.fail(
    `each request must carry a unique X-Request-ID; ${missing} missing, ${distinct} distinct of ${ids.length}`,
    gather(s),
  );
}

async function body(ctx: SdkContext): Promise<Verdict> {
  const s = await setup(ctx, { responses: [{ status: 200, body: { kind: "json", value: { ok: true } } }] });
  if (!s.ok) return s.verdict;
  for (let i = 0; i < 5; i++) {
    const r = await request(s.setup, { method: "GET", path: `/r/${i}` });
    if (r.kind !== "ok") return callFault("request", r, s.setup);
  }
  const u = unobserved(s.setup, 5, "the 5 requests");
  if (u) return u;
  const n = s.setup.scenario.requests().length;
  return reusedIds([s.setup]) ?? verdict.pass(
    gather(s.setup, { notes: [`${n} requests, ${n} distinct X-Request-IDs`] }),
  );
}

/** The `sdk.correlation.*` checks, in file order. */
export const checks: readonly Check<SdkContext>[] = [requestId];
