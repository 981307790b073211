/**
 * `sdk.sse.*` — streaming guardrails (seed 000 §4.2). Ending in time is the rule
 * under test, so a missing reply at the bound is a `fail`.
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import type { SdkContext } from "../../src/engine/sdk_context.ts";
import { type Check, type Verdict, verdict } from "../../src/engine/types.ts";
import type { CallResult } from "../../src/driver/types.ts";
import { describeCall } from "../../src/driver/describe.ts";
import { CALL_MS, callFault, gather, type Setup, setup, sleep, unobserved } from "./_helpers.ts";
import { judged, type Seen } from "./_judge.ts";

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
  run: (ctx) =>
    judged(ctx, undefined, async () => {
      const s = await setup(ctx, ENDLESS);
      if (!s.ok) return s.verdict;
      const r = await subscribe(s.setup, { path: "/events", max_events: 5 }, 5_000);
      if (r.kind === "no_reply") {
        return verdict.fail(
          `a subscription with max_events=5 must end within 5000 ms (5 events at one per 20 ms take ~100 ms: a 4900 ms margin); no reply after ${
            Math.round(r.ms)
          } ms`,
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
    }),
});

/** sdk.sse.max-duration's limit (long enough to connect on a loaded machine), and the margin after it. */
const DURATION_MS = 2_000;
const DURATION_MARGIN_MS = 4_000;

const maxDuration = defineCheck<SdkContext>({
  id: "sdk.sse.max-duration",
  title: "A subscription stops after max_duration_ms",
  level: "MUST",
  source: "000 §4.2 Max duration per subscription",
  rationale:
    "A stream that never ends ties up a connection and whatever consumes it. A duration limit guarantees the subscription is released even while the server keeps sending.",
  requires: ["http", "sse"],
  mutants: ["sse-unbounded"],
  run: (ctx) =>
    judged(ctx, undefined, async () => {
      const s = await setup(ctx, ENDLESS);
      if (!s.ok) return s.verdict;
      const r = await subscribe(
        s.setup,
        { path: "/events", max_duration_ms: DURATION_MS, max_events: 1_000_000 },
        DURATION_MS + DURATION_MARGIN_MS,
      );
      if (r.kind === "no_reply") {
        return verdict.fail(
          `max_duration_ms=${DURATION_MS} must end the subscription within ${
            DURATION_MS + DURATION_MARGIN_MS
          } ms (${DURATION_MS} ms + a ${DURATION_MARGIN_MS} ms margin); no reply after ${
            Math.round(r.ms)
          } ms`,
          gather(s.setup),
        );
      }
      if (r.kind !== "ok") return callFault("subscribe", r, s.setup);
      const u = unobserved(s.setup, 1, "the stream request");
      if (u) return u;
      if (r.result.events.length === 0) {
        return verdict.error(
          `cannot judge: an event comes every 20 ms, yet the SDK reported none in ${DURATION_MS} ms`,
          gather(s.setup),
        );
      }
      if (r.result.end !== "max_duration") {
        return verdict.fail(
          `max_duration_ms=${DURATION_MS} must end with end=max_duration; got end=${r.result.end}`,
          gather(s.setup),
        );
      }
      return verdict.pass(
        gather(s.setup, {
          notes: [
            `${r.result.events.length} events, ended after ${Math.round(r.ms)} ms (bound ${
              DURATION_MS + DURATION_MARGIN_MS
            } ms = ${DURATION_MS} ms + ${DURATION_MARGIN_MS} ms margin)`,
          ],
        }),
      );
    }),
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
  timeLimitMs: 40_000,
  run: (ctx) => judged(ctx, unbounded, () => reconnects(ctx)),
});

/** More connections than this to a stream that always drops: reconnects are not bounded. */
const MAX_CONNECTIONS = 11;
/** Every reconnect within this many ms of the drop: no backoff (a backoff waits tens of ms). */
const NO_BACKOFF_MS = 5;
/** The subscription's max_duration_ms, and the margin the kit waits beyond it. */
const SSE_DURATION_MS = 20_000;
const SSE_MARGIN_MS = 5_000;

/** The judge of sdk.sse.reconnect-bounded: more than MAX_CONNECTIONS connections seen. */
function unbounded(seen: readonly Seen[]): Verdict | undefined {
  const s = seen[0];
  const n = s?.scenario.requests().length ?? 0;
  if (!s || n <= MAX_CONNECTIONS) return undefined;
  return verdict.fail(
    `reconnects must be bounded (≤ ${
      MAX_CONNECTIONS - 1
    }); the SDK opened ${n} connections to a stream that drops after 1 event`,
    gather(s),
  );
}

async function reconnects(ctx: SdkContext): Promise<Verdict> {
  const s = await setup(ctx, { responses: [{ status: 200, body: { kind: "sse", events: [{ n: 1 }] } }] });
  if (!s.ok) return s.verdict;
  let settled = false;
  const call = subscribe(
    s.setup,
    { path: "/drops", max_events: 1_000, max_duration_ms: SSE_DURATION_MS },
    SSE_DURATION_MS + SSE_MARGIN_MS,
  ).then((r) => {
    settled = true;
    return r;
  });
  while (!settled && !ctx.signal.aborted) {
    const over = unbounded([s.setup]);
    if (over) return over;
    await sleep(20, ctx.signal);
  }
  const r = await call;
  if (r.kind === "driver_fault") return callFault("subscribe", r, s.setup);
  const over = unbounded([s.setup]);
  if (over) return over;
  const u = unobserved(s.setup, 1, "the stream request");
  if (u) return u;
  const ts = s.setup.scenario.requests().map((q) => q.t);
  const gaps = ts.slice(1).map((t, i) => Math.round(t - (ts[i] ?? t)));
  const end = r.kind === "ok" ? `end=${r.result.end}` : describeCall(r);
  const notes = [`${ts.length} connection(s), gaps ms: ${gaps.join(", ") || "none"}, ${end}`];
  if (r.kind === "no_reply" || (r.kind === "ok" && r.result.end === "max_duration")) {
    // still reconnecting when the duration ended it (or later): no limit was seen to stop it
    return verdict.error(
      `cannot judge: the SDK was still reconnecting after ${
        Math.round(r.ms)
      } ms (${ts.length} connection(s), ≤ ${MAX_CONNECTIONS}); no reconnect limit was reached within max_duration_ms=${SSE_DURATION_MS}`,
      gather(s.setup, { notes }),
    );
  }
  if (gaps.length >= 2 && gaps.every((g) => g < NO_BACKOFF_MS)) {
    return verdict.fail(
      `reconnects must back off; every reconnect came within ${NO_BACKOFF_MS} ms of the previous connection (a backoff waits tens of ms)`,
      gather(s.setup, { notes }),
    );
  }
  return verdict.pass(gather(s.setup, { notes }));
}

const lastEventId = defineCheck<SdkContext>({
  id: "sdk.sse.last-event-id",
  title: "A reconnect resumes with Last-Event-ID",
  level: "SHOULD",
  source: "000 §4.2 Disconnect detection and reconnect",
  rationale:
    "Without Last-Event-ID the server cannot resume where the stream broke, so events are lost or replayed on every reconnect. Sending it is what makes reconnection safe for the application.",
  requires: ["http", "sse"],
  mutants: ["no-last-event-id"],
  run: (ctx) =>
    judged(ctx, noResume, async () => {
      const s = await setup(ctx, {
        responses: [{ status: 200, body: { kind: "sse", events: [{ n: 1 }, { n: 2 }, { n: 3 }] } }],
      });
      if (!s.ok) return s.verdict;
      const r = await subscribe(s.setup, { path: "/resume", max_events: 5, max_duration_ms: 8_000 }, CALL_MS);
      if (r.kind === "no_reply" || r.kind === "driver_fault") return callFault("subscribe", r, s.setup);
      const u = unobserved(s.setup, 1, "the stream request");
      if (u) return u;
      const bad = noResume([s.setup]);
      if (bad) return bad;
      if (s.setup.scenario.requests().length < 2) {
        return verdict.error(
          "cannot judge: no reconnect observed after the stream dropped (reconnecting is judged by sdk.sse.reconnect-bounded)",
          gather(s.setup, { reply: r.kind === "ok" ? r.result : r.error }),
        );
      }
      return verdict.pass(gather(s.setup, { notes: ["reconnected with Last-Event-ID: 3"] }));
    }),
});

/** The judge of sdk.sse.last-event-id: a reconnect seen without `Last-Event-ID: 3`. */
function noResume(seen: readonly Seen[]): Verdict | undefined {
  const s = seen[0];
  const second = s?.scenario.requests()[1];
  if (!s || !second) return undefined;
  const lei = second.headers["last-event-id"];
  if (lei === "3") return undefined;
  return verdict.fail(
    `the reconnect must send Last-Event-ID: 3 (the last id seen); sent ${
      lei === undefined ? "none" : `"${lei}"`
    }`,
    gather(s),
  );
}

/** The `sdk.sse.*` checks, in file order. */
export const checks: readonly Check<SdkContext>[] = [maxEvents, maxDuration, reconnectBounded, lastEventId];
