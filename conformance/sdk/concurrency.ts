/**
 * `sdk.concurrency.*` — backpressure: a per-client limit on requests in flight (seed 000 §4.3).
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import type { SdkContext } from "../../src/engine/sdk_context.ts";
import { type Check, verdict } from "../../src/engine/types.ts";
import { callFault, gather, request, setup, unobserved } from "./_helpers.ts";

const concurrencyLimit = defineCheck<SdkContext>({
  id: "sdk.concurrency.limit",
  title: "At most max_concurrency requests are in flight (4 of 40 at once)",
  level: "MUST",
  source: "000 §4.3 Per-client concurrency limit",
  rationale:
    "A per-client concurrency limit is how an application keeps bursts of parallel calls from overloading the service it depends on and its own host. An SDK that ignores it opens as many connections as the caller has tasks.",
  requires: ["http", "concurrency"],
  mutants: ["ignore-concurrency"],
  timeLimitMs: 30_000,
  async run(ctx) {
    const s = await setup(ctx, {
      responses: [{ status: 200, delay_ms: 150, body: { kind: "json", value: { ok: true } } }],
    }, { configure: { max_concurrency: 4 } });
    if (!s.ok) return s.verdict;
    const rs = await Promise.all(
      Array.from({ length: 40 }, (_, i) => request(s.setup, { method: "GET", path: `/c/${i}` }, 20_000)),
    );
    const bad = rs.find((r) => r.kind !== "ok");
    if (bad) return callFault("request", bad, s.setup);
    const u = unobserved(s.setup, 40, "the 40 concurrent requests");
    if (u) return u;
    const times = s.setup.scenario.requests().map((q) => q.t).sort((a, b) => a - b);
    // Peak overlap from arrival times: requests arriving within 100 ms of each other overlap
    // (each is held 150 ms), so a window of 100 ms never holds more than max_concurrency arrivals.
    let windowPeak = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while ((times[i] ?? 0) - (times[j] ?? 0) > 100) j++;
      windowPeak = Math.max(windowPeak, i - j + 1);
    }
    const notes = [
      `40 requests, each held 150 ms; max_concurrency=4; peak arrivals within 100 ms: ${windowPeak}`,
    ];
    if (windowPeak > 4) {
      return verdict.fail(
        `at most 4 requests may be in flight; ${windowPeak} arrived within 100 ms while each was held 150 ms`,
        gather(s.setup, { notes }),
      );
    }
    return verdict.pass({ notes });
  },
});

/** The `sdk.concurrency.*` checks, in file order. */
export const checks: readonly Check<SdkContext>[] = [concurrencyLimit];
