/**
 * `sdk.concurrency.*` — backpressure: a per-client limit on requests in flight (seed 000 §4.3).
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import type { SdkContext } from "../../src/engine/sdk_context.ts";
import { type Check, type Verdict, verdict } from "../../src/engine/types.ts";
import { callFault, gather, request, setup, unobserved } from "./_helpers.ts";
import { judged, type Seen } from "./_judge.ts";

const concurrencyLimit = defineCheck<SdkContext>({
  id: "sdk.concurrency.limit",
  title: "At most max_concurrency requests are in flight (4 of 40 at once)",
  level: "MUST",
  source: "000 §4.3 Per-client concurrency limit",
  rationale:
    "A per-client concurrency limit is how an application keeps bursts of parallel calls from overloading the service it depends on and its own host. An SDK that ignores it opens as many connections as the caller has tasks.",
  requires: ["http", "concurrency"],
  mutants: ["ignore-concurrency"],
  timeLimitMs: 40_000,
  run: (ctx) => judged(ctx, tooMany, () => body(ctx)),
});

/** Each request is held this long; arrivals within {@linkcode WINDOW_MS} overlap for sure. */
const HOLD_MS = 400;
/** The window: HOLD_MS minus a 200 ms margin for the kit's own scheduling of arrival stamps. */
const WINDOW_MS = 200;
const LIMIT = 4;
const REQUESTS = 40;

/** The most arrivals within any {@linkcode WINDOW_MS} window of a scenario's log. */
function windowPeak(s: Seen): number {
  const times = s.scenario.requests().map((q) => q.t).sort((a, b) => a - b);
  let peak = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while ((times[i] ?? 0) - (times[j] ?? 0) > WINDOW_MS) j++;
    peak = Math.max(peak, i - j + 1);
  }
  return peak;
}

function rule(peak: number): string {
  return `${REQUESTS} requests, each held ${HOLD_MS} ms; max_concurrency=${LIMIT}; peak arrivals within ${WINDOW_MS} ms: ${peak} (bound ${LIMIT}; the window is the hold minus a ${
    HOLD_MS - WINDOW_MS
  } ms margin)`;
}

/** The judge: more than LIMIT arrivals within a window, so more than LIMIT were in flight. */
function tooMany(seen: readonly Seen[]): Verdict | undefined {
  const s = seen[0];
  if (!s) return undefined;
  const peak = windowPeak(s);
  if (peak <= LIMIT) return undefined;
  return verdict.fail(
    `at most ${LIMIT} requests may be in flight; ${peak} arrived within ${WINDOW_MS} ms while each was held ${HOLD_MS} ms (margin ${
      HOLD_MS - WINDOW_MS
    } ms)`,
    gather(s, { notes: [rule(peak)] }),
  );
}

async function body(ctx: SdkContext): Promise<Verdict> {
  const s = await setup(ctx, {
    responses: [{ status: 200, delay_ms: HOLD_MS, body: { kind: "json", value: { ok: true } } }],
  }, {
    // 10 rounds of 400 ms queue behind the limit: a total timeout far above that
    configure: { max_concurrency: LIMIT, timeouts: { connect_ms: 2_000, read_ms: 3_000, total_ms: 20_000 } },
  });
  if (!s.ok) return s.verdict;
  const rs = await Promise.all(
    Array.from({ length: REQUESTS }, (_, i) => request(s.setup, { method: "GET", path: `/c/${i}` }, 25_000)),
  );
  // An SDK may refuse requests over its limit (an SDK error): only the wire decides this rule.
  const bad = rs.find((r) => r.kind === "no_reply" || r.kind === "driver_fault");
  if (bad) return callFault("request", bad, s.setup);
  const refused = rs.filter((r) => r.kind === "sdk_error").length;
  const u =
    unobserved(s.setup, REQUESTS - refused, `the ${REQUESTS - refused} requests the SDK did not refuse`) ??
      unobserved(s.setup, 2 * LIMIT, `at least ${2 * LIMIT} of the ${REQUESTS} concurrent requests`);
  if (u) return u;
  const notes = [
    rule(windowPeak(s.setup)),
    ...(refused > 0 ? [`${refused} request(s) refused by the SDK`] : []),
  ];
  return tooMany([s.setup]) ?? verdict.pass({ notes });
}

/** The `sdk.concurrency.*` checks, in file order. */
export const checks: readonly Check<SdkContext>[] = [concurrencyLimit];
