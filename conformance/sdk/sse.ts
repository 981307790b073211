/**
 * `sdk.sse.*` — streaming guardrails (seed 000 §4.2). Ending in time is the rule
 * under test, so a missing reply at the bound is a `fail`.
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import type { SdkContext } from "../../src/engine/sdk_context.ts";
import { type Check, verdict } from "../../src/engine/types.ts";
import type { CallResult } from "../../src/driver/types.ts";
import { CALL_MS, callFault, gather, type Setup, setup, sleep, unobserved } from "./_helpers.ts";

function subscribe(
  s: Setup,
  params: { path: string; max_events?: number; max_duration_ms?: number },
  timeoutMs: number,
): Promise<CallResult<"subscribe">> {
  return s.session.call("subscribe", { client: s.client, ...params }, timeoutMs);
}

const ENDLESS = {
  responses: [{ status: 200, body: { kind: "sse" as const, endless: true, interval_ms: 20 } }],
};

const maxEvents = defineCheck<SdkContext>({
  id: "sdk.sse.max-events",
  title: "A subscription stops after max_events on an endless stream",
  level: "MUST",
  source: "000 §4.2 Max duration or max events per subscription",
  rationale:
    "A subscription without an event limit is a loop the server controls. max_events lets the caller take a fixed amount of work and know the stream will end.",
  requires: ["http", "sse"],
  mutants: ["sse-unbounded"],
  async run(ctx) {
    const s = await setup(ctx, ENDLESS);
    if (!s.ok) return s.verdict;
    const r = await subscribe(s.setup, { path: "/events", max_events: 5 }, 5_000);
    if (r.kind === "no_reply") {
      return verdict.fail(
        `a subscription with max_events=5 must end; no reply after ${r.ms} ms (an event every 20 ms)`,
        gather(s.setup),
      );
    }
    if (r.kind !== "ok") return callFault("subscribe", r, s.setup);
    const u = unobserved(s.setup, 1, "the stream request");
    if (u) return u;
    const n = r.result.events.length;
    if (n !== 5 || r.result.end !== "max_events") {
      return verdict.fail(
        `max_events=5 on an endless stream must deliver exactly 5 events with end=max_events; got ${n} events, end=${r.result.end}`,
        gather(s.setup),
      );
    }
    return verdict.pass(gather(s.setup, { notes: [`${n} events, end=${r.result.end}, ${r.ms} ms`] }));
  },
});

const maxDuration = defineCheck<SdkContext>({
  id: "sdk.sse.max-duration",
  title: "A subscription stops after max_duration_ms",
  level: "MUST",
  source: "000 §4.2 Max duration per subscription",
  rationale:
    "A stream that never ends ties up a connection and whatever consumes it. A duration limit guarantees the subscription is released even while the server keeps sending.",
  requires: ["http", "sse"],
  mutants: ["sse-unbounded"],
  async run(ctx) {
    const s = await setup(ctx, ENDLESS);
    if (!s.ok) return s.verdict;
    const r = await subscribe(
      s.setup,
      { path: "/events", max_duration_ms: 500, max_events: 1_000_000 },
      3_000,
    );
    if (r.kind === "no_reply") {
      return verdict.fail(
        `max_duration_ms=500 must end the subscription within 3000 ms; no reply after ${r.ms} ms`,
        gather(s.setup),
      );
    }
    if (r.kind !== "ok") return callFault("subscribe", r, s.setup);
    const u = unobserved(s.setup, 1, "the stream request");
    if (u) return u;
    if (r.result.events.length === 0) {
      return verdict.error(
        "cannot judge: an event comes every 20 ms, yet the SDK reported none in 500 ms",
        gather(s.setup),
      );
    }
    if (r.result.end !== "max_duration") {
      return verdict.fail(
        `max_duration_ms=500 must end with end=max_duration; got end=${r.result.end}`,
        gather(s.setup),
      );
    }
    return verdict.pass(
      gather(s.setup, { notes: [`${r.result.events.length} events, ended after ${r.ms} ms (bound 3000)`] }),
    );
  },
});

const reconnectBounded = defineCheck<SdkContext>({
  id: "sdk.sse.reconnect-bounded",
  title: "A dropped stream is reconnected a bounded number of times, with backoff",
  level: "MUST",
  source: "000 §4.2 Backoff/reconnect logic with bounded attempts; §7.4 streaming disconnects",
  rationale:
    "Reconnecting without limit or delay turns a dropped stream into a tight loop of new connections that hammers the server and burns the caller's CPU. Bounded attempts with backoff let a broken stream fail cleanly.",
  requires: ["http", "sse"],
  mutants: ["sse-reconnect-forever"],
  async run(ctx) {
    const s = await setup(ctx, { responses: [{ status: 200, body: { kind: "sse", events: [{ n: 1 }] } }] });
    if (!s.ok) return s.verdict;
    const MAX_CONNECTIONS = 11;
    let settled = false;
    const call = subscribe(s.setup, { path: "/drops", max_events: 1_000, max_duration_ms: 20_000 }, 10_000)
      .then((r) => {
        settled = true;
        return r;
      });
    while (!settled && !ctx.signal.aborted) {
      const n = s.setup.scenario.requests().length;
      if (n > MAX_CONNECTIONS) {
        return verdict.fail(
          `reconnects must be bounded (≤ ${
            MAX_CONNECTIONS - 1
          }); the SDK opened ${n} connections to a stream that drops after 1 event`,
          gather(s.setup),
        );
      }
      await sleep(20, ctx.signal);
    }
    const r = await call;
    if (r.kind === "no_reply") {
      return verdict.fail(
        `a stream that always drops must end after bounded reconnects; no reply after ${r.ms} ms`,
        gather(s.setup),
      );
    }
    if (r.kind !== "ok") return callFault("subscribe", r, s.setup);
    const u = unobserved(s.setup, 1, "the stream request");
    if (u) return u;
    const ts = s.setup.scenario.requests().map((q) => q.t);
    const gaps = ts.slice(1).map((t, i) => t - (ts[i] ?? t));
    const notes = [`${ts.length} connection(s), gaps ms: ${gaps.join(", ") || "none"}, end=${r.result.end}`];
    if (ts.length > MAX_CONNECTIONS) {
      return verdict.fail(
        `reconnects must be bounded (≤ ${MAX_CONNECTIONS - 1}); saw ${ts.length} connections`,
        gather(s.setup, { notes }),
      );
    }
    if (gaps.length >= 2 && gaps.every((g) => g < 5)) {
      return verdict.fail(
        "reconnects must back off; every reconnect came within 5 ms of the drop",
        gather(s.setup, { notes }),
      );
    }
    return verdict.pass(gather(s.setup, { notes }));
  },
});

const lastEventId = defineCheck<SdkContext>({
  id: "sdk.sse.last-event-id",
  title: "A reconnect resumes with Last-Event-ID",
  level: "SHOULD",
  source: "000 §4.2 Disconnect detection and reconnect",
  rationale:
    "Without Last-Event-ID the server cannot resume where the stream broke, so events are lost or replayed on every reconnect. Sending it is what makes reconnection safe for the application.",
  requires: ["http", "sse"],
  mutants: [],
  async run(ctx) {
    const s = await setup(ctx, {
      responses: [{ status: 200, body: { kind: "sse", events: [{ n: 1 }, { n: 2 }, { n: 3 }] } }],
    });
    if (!s.ok) return s.verdict;
    const r = await subscribe(s.setup, { path: "/resume", max_events: 5, max_duration_ms: 8_000 }, CALL_MS);
    if (r.kind !== "ok") return callFault("subscribe", r, s.setup);
    const second = s.setup.scenario.requests()[1];
    if (!second) {
      return verdict.fail(
        "a dropped stream must be reconnected to resume; the SDK did not reconnect",
        gather(s.setup),
      );
    }
    const lei = second.headers["last-event-id"];
    if (lei !== "3") {
      return verdict.fail(
        `the reconnect must send Last-Event-ID: 3 (the last id seen); sent ${
          lei === undefined ? "none" : `"${lei}"`
        }`,
        gather(s.setup),
      );
    }
    return verdict.pass(gather(s.setup, { notes: ["reconnected with Last-Event-ID: 3"] }));
  },
});

/** The `sdk.sse.*` checks, in file order. */
export const checks: readonly Check<SdkContext>[] = [maxEvents, maxDuration, reconnectBounded, lastEventId];
