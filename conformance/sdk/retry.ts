/**
 * `sdk.retry.*` — bounded, safe retries with backoff (seed 000 §2.3, §4.4).
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import type { SdkContext } from "../../src/engine/sdk_context.ts";
import { type Check, type Verdict, verdict } from "../../src/engine/types.ts";
import { describeCall, describeError } from "../../src/driver/describe.ts";
import { callFault, gather, request, setup, unobserved } from "./_helpers.ts";
import type { Timeline } from "../../src/schema/evidence.ts";
import { judged, type Seen, seenOf } from "./_judge.ts";
import { boundedBody, overBudget } from "./_bounded.ts";
import { backoffBody, backoffJudge, type BackoffState } from "./_backoff.ts";
import { ALWAYS_503, boundedRequest, overVerdict, problem } from "./_retry.ts";
import { attemptsOf, scenarioClock, withTimeline } from "./_timeline.ts";

const bounded = defineCheck<SdkContext>({
  id: "sdk.retry.bounded",
  title: "At most 1 + max_retries attempts against an always-503 server (default at most 4)",
  level: "MUST",
  source: "000 §2.3 Bounded retries; §4.4 stop after configured max",
  rationale:
    "An SDK that retries without limit turns one outage into a retry storm against the server and hangs its caller; a fixed budget makes failure fast and predictable.",
  requires: ["http"],
  mutants: ["retry-forever"],
  timeLimitMs: 25_000,
  run: (ctx) => judged(ctx, overBudget, () => boundedBody(ctx)),
});

const transient = defineCheck<SdkContext>({
  id: "sdk.retry.transient",
  title: "A GET that gets a 503 is retried and succeeds",
  level: "SHOULD",
  source: "000 §2.3 Retries allowed on GET",
  rationale:
    "Brief 503s happen during deploys and failovers. Retrying a safe GET hides them from the application, where failing at once would turn every blip into a user-visible error.",
  requires: ["http", "retry"],
  mutants: ["never-retry"],
  run: (ctx) =>
    judged(ctx, undefined, async () => {
      const s = await setup(ctx, {
        responses: [{ status: 503, body: { kind: "json", value: problem("unavailable") } }, {
          status: 200,
          body: { kind: "json", value: { ok: true } },
        }],
      }, { configure: { max_retries: 2 } });
      if (!s.ok) return s.verdict;
      const r = await request(s.setup, { method: "GET", path: "/flaky" });
      if (r.kind === "ok" && r.result.status === 200) {
        const u = unobserved(s.setup, 2, "the 503 and the retry");
        if (u) return u;
        return verdict.pass(
          gather(s.setup, { notes: [`succeeded after ${s.setup.scenario.requests().length} attempts`] }),
        );
      }
      if (r.kind === "ok" || r.kind === "sdk_error") {
        const seen = unobserved(s.setup, 1, "the GET answered 503");
        if (seen) return seen;
        return verdict.fail(
          `a GET must be retried after a 503 and succeed (max_retries=2); got ${
            describeCall(r)
          } after ${s.setup.scenario.requests().length} attempt(s)`,
          gather(s.setup),
        );
      }
      return callFault("request", r, s.setup);
    }),
});

const backoff = defineCheck<SdkContext>({
  id: "sdk.retry.backoff",
  title: "Retries back off, with jitter (later waits grow; clients' delays differ)",
  level: "SHOULD",
  source: "000 §2.3 Jittered exponential backoff",
  rationale:
    "Retries at a fixed pace keep hammering a server that is already struggling, and clients retrying in lockstep hit it in synchronised waves. Growing, randomised waits spread the load and give it room to recover.",
  requires: ["http", "retry"],
  mutants: ["no-backoff"],
  timeLimitMs: 90_000,
  run: (ctx) => {
    const state: BackoffState = { current: [] };
    return judged(ctx, () => backoffJudge(state), () => backoffBody(ctx, state));
  },
});

const unkeyedWrite = defineCheck<SdkContext>({
  id: "sdk.retry.unkeyed-write",
  title: "POST/PUT/PATCH without an idempotency key are never retried",
  level: "MUST",
  source: "000 §2.3 Safe retry policy",
  rationale:
    "A POST, PUT or PATCH that failed may already have taken effect on the server, so repeating it without an idempotency key can create an order or charge a card twice. Only the caller knows whether a write is safe to repeat.",
  requires: ["http"],
  mutants: ["retry-writes"],
  run: (ctx) =>
    judged(
      ctx,
      retried("without an idempotency key must not be retried", { keyedIsSafe: true }),
      async () => {
        const session = await ctx.startDriver();
        const results: string[] = [];
        /** methods the SDK sent (a retried one with its own constant key counts too) */
        const sent: string[] = [];
        for (const method of ["POST", "PUT", "PATCH"]) {
          const s = await setup(ctx, ALWAYS_503, { configure: { max_retries: 3 }, session });
          if (!s.ok) return s.verdict;
          const res = await boundedRequest(
            s.setup,
            { method, path: "/write", json: { n: 1 } },
            1,
            8_000,
            ctx.signal,
          );
          if (res.kind === "over") {
            // An SDK that keys the write itself (the same Idempotency-Key on every attempt) made it
            // safe to repeat: the rule is about retrying *unkeyed* writes.
            const key = sameKey(s.setup.scenario.requests());
            if (key === undefined) {
              return withTimeline(
                overVerdict(res, s.setup, `${method} without an idempotency key must not be retried`),
                { max_attempts: 1 },
              );
            }
            results.push(
              `${method}: retried with the SDK's own Idempotency-Key, the same on every attempt (safe)`,
            );
            sent.push(method);
            continue;
          }
          if (res.r.kind === "no_reply" || res.r.kind === "driver_fault") {
            return callFault("request", res.r, s.setup);
          }
          if (res.r.kind === "sdk_error" && s.setup.scenario.requests().length === 0) {
            // e.g. an SDK whose raw request method knows only GET, POST and DELETE: a method it cannot
            // send cannot be retried; the rule is judged on the methods it sends
            results.push(
              `${method}: refused by the SDK before sending (${describeError(res.r.error)}); not judged`,
            );
            continue;
          }
          const u = unobserved(s.setup, 1, `the ${method}`);
          if (u) return u;
          sent.push(method);
          results.push(`${method}: ${res.attempts} attempt`);
        }
        if (sent.length === 0) {
          return verdict.error(`cannot judge: the SDK sent none of POST, PUT, PATCH (${results.join("; ")})`);
        }
        return verdict.pass({ notes: [...results, "always 503, max_retries=3"] });
      },
    ),
});

/** The Idempotency-Key every attempt carried, when all carried the same non-empty one. */
function sameKey(reqs: readonly { headers: Record<string, string> }[]): string | undefined {
  const first = reqs[0]?.headers["idempotency-key"];
  if (!first || reqs.length === 0) return undefined;
  return reqs.every((q) => q.headers["idempotency-key"] === first) ? first : undefined;
}

/**
 * A judge for rules that forbid any retry: an instance seen making a second attempt. `rule` follows
 * the request's method and path in the reason. With `keyedIsSafe`, attempts that all carry the same
 * Idempotency-Key (the SDK keyed the write itself) are no violation.
 */
function retried(
  rule: string,
  opts: { keyedIsSafe?: boolean } = {},
): (seen: readonly Seen[]) => Verdict | undefined {
  return (seen) => {
    for (const s of seen) {
      const reqs = s.scenario.requests();
      const q = reqs[0];
      if (q && reqs.length > 1 && !(opts.keyedIsSafe && sameKey(reqs) !== undefined)) {
        return verdict.fail(`${q.method} ${q.path} ${rule}; saw ${reqs.length} attempts`, {
          ...gather(s),
          timeline: { max_attempts: 1 },
        });
      }
    }
    return undefined;
  };
}

const clientErrors = defineCheck<SdkContext>({
  id: "sdk.retry.client-errors",
  title: "400, 401, 403, 404, 409 and 422 are never retried",
  level: "MUST",
  source: "000 §2.3 Safe retry policy",
  rationale:
    "A 4xx says the request itself is wrong (bad input, no permission, a conflict), so the same request gets the same answer. Retrying only adds load, delays the error and can trip lockouts or rate limits.",
  requires: ["http"],
  mutants: ["retry-all"],
  run: (ctx) =>
    judged(ctx, retried("(answered 4xx) must never be retried"), async () => {
      const session = await ctx.startDriver();
      const statuses = [400, 401, 403, 404, 409, 422];
      const runs = await Promise.all(statuses.map(async (status) => {
        const s = await setup(ctx, {
          responses: [{ status, body: { kind: "json", value: problem(`http_${status}`) } }],
        }, {
          configure: { max_retries: 3 },
          session,
        });
        if (!s.ok) return { status, v: s.verdict };
        const res = await boundedRequest(
          s.setup,
          { method: "GET", path: `/${status}` },
          1,
          8_000,
          ctx.signal,
        );
        if (res.kind === "over") {
          const v = overVerdict(res, s.setup, `a ${status} must never be retried`);
          return { status, v: withTimeline(v, { max_attempts: 1 }) };
        }
        if (res.r.kind === "no_reply" || res.r.kind === "driver_fault") {
          return { status, v: callFault("request", res.r, s.setup) };
        }
        return { status, v: unobserved(s.setup, 1, `the request answered ${status}`) };
      }));
      const bad = runs.find((r) => r.v !== undefined);
      if (bad?.v) return bad.v;
      return verdict.pass({ notes: [`statuses ${statuses.join(", ")}: one attempt each (max_retries=3)`] });
    }),
});

const retryAfter = defineCheck<SdkContext>({
  id: "sdk.retry.retry-after",
  title: "A retry waits at least Retry-After on 429 and 503",
  level: "MUST",
  source: "000 §4.4 Backoff on error (429 / slow down)",
  rationale:
    "A 429 or 503 with Retry-After is the server asking clients to slow down. Retrying sooner adds load exactly when the server is shedding it, and gets the client throttled harder.",
  requires: ["http", "retry"],
  mutants: ["ignore-retry-after"],
  run: (ctx) =>
    judged(ctx, tooSoon, async () => {
      const session = await ctx.startDriver();
      const verdicts = await Promise.all([429, 503].map(async (status) => {
        const s = await setup(ctx, {
          responses: [
            { status, headers: { "retry-after": "1" }, body: { kind: "json", value: problem("slow_down") } },
            { status: 200, body: { kind: "json", value: { ok: true } } },
          ],
        }, { configure: { max_retries: 2 }, session });
        if (!s.ok) return s.verdict;
        const r = await request(s.setup, { method: "GET", path: `/ra-${status}` }, 10_000);
        if (r.kind === "no_reply" || r.kind === "driver_fault") return callFault("request", r, s.setup);
        const u = unobserved(s.setup, 1, `the request answered ${status}`);
        if (u) return u;
        const early = tooSoon([s.setup]);
        if (early) return early;
        if (s.setup.scenario.requests().length < 2) {
          return verdict.error(
            `cannot judge: no retry observed after a ${status} with Retry-After: 1 (retrying is judged by sdk.retry.transient)`,
            gather(s.setup, { reply: r.kind === "ok" ? r.result : r.error }),
          );
        }
        return undefined;
      }));
      const bad = verdicts.find((v) => v !== undefined);
      if (bad) return bad;
      const out = seenOf(ctx).map((s) => {
        const [a, b] = s.scenario.requests();
        return `${a?.path}: waited ${Math.round((b?.t ?? 0) - (a?.t ?? 0))} ms (bound >= ${RA_BOUND_MS} ms)`;
      });
      return verdict.pass({ notes: out });
    }),
});

/** Retry-After: 1 asks for 1000 ms; 30 ms of that is margin for timer and clock granularity. */
const RA_MS = 1_000;
const RA_MARGIN_MS = 30;
const RA_BOUND_MS = RA_MS - RA_MARGIN_MS;

/** The judge of sdk.retry.retry-after: a retry seen sooner than Retry-After (less the margin). */
function tooSoon(seen: readonly Seen[]): Verdict | undefined {
  for (const s of seen) {
    const [first, second] = s.scenario.requests();
    if (!first || !second) continue;
    const waited = Math.round(second.t - first.t);
    if (waited >= RA_BOUND_MS) continue;
    return verdict.fail(
      `a retry must wait >= ${RA_MS} ms (Retry-After: 1) after a 429 or 503; ${first.path} was retried after ${waited} ms (bound ${RA_BOUND_MS} ms = ${RA_MS} ms − a ${RA_MARGIN_MS} ms margin)`,
      gather(s),
    );
  }
  return undefined;
}

const retryAfterCap = defineCheck<SdkContext>({
  id: "sdk.retry.retry-after-cap",
  title: "An absurd Retry-After (86400) makes the SDK fail fast instead of sleeping",
  level: "SHOULD",
  source: "000 §4.4 Backoff on error; §2.2 every call bounded",
  rationale:
    "Retry-After comes from the server, so an SDK that obeys any value can be put to sleep for a day by one faulty or hostile response. Capping the wait (and failing instead) keeps every call bounded, as its caller expects.",
  requires: ["http"],
  mutants: ["obey-any-retry-after"],
  run: (ctx) =>
    judged(ctx, undefined, async () => {
      const timeline: Timeline = {};
      return withTimeline(await capBody(ctx, timeline), timeline);
    }),
});

/** "Fail fast": the call ends within 5 s, with a 2.5 s margin (a cap of a few seconds passes). */
const FAST_MS = 5_000;
const FAST_MARGIN_MS = 2_500;
/** A retry sooner than this after `Retry-After: 86400` did not wait on Retry-After at all. */
const IGNORED_BELOW_MS = 1_000;

async function capBody(ctx: SdkContext, timeline: Timeline): Promise<Verdict> {
  const clock = scenarioClock();
  const s = await setup(ctx, {
    responses: [
      {
        status: 429,
        headers: { "retry-after": "86400" },
        body: { kind: "json", value: problem("slow_down") },
      },
      { status: 200, body: { kind: "json", value: { ok: true } } },
    ],
  }, {
    // A total timeout far above the bound, so only a Retry-After cap (not the deadline) can end it fast.
    configure: { max_retries: 2, timeouts: { connect_ms: 2_000, read_ms: 3_000, total_ms: 120_000 } },
  });
  if (!s.ok) return s.verdict;
  const bound = FAST_MS + FAST_MARGIN_MS;
  timeline.called_ms = clock.now();
  timeline.deadline_ms = timeline.called_ms + bound;
  const r = await request(s.setup, { method: "GET", path: "/absurd" }, bound);
  if (r.kind !== "no_reply") timeline.gave_up_ms = clock.now();
  timeline.attempts_ms = attemptsOf(s.setup.scenario);
  if (r.kind === "no_reply") {
    return verdict.fail(
      `with Retry-After: 86400 the SDK must fail fast; no reply after ${
        Math.round(r.ms)
      } ms (bound ${bound} ms = ${FAST_MS} ms + a ${FAST_MARGIN_MS} ms margin)`,
      gather(s.setup),
    );
  }
  if (r.kind === "driver_fault") return callFault("request", r, s.setup);
  const u = unobserved(s.setup, 1, "the request answered 429");
  if (u) return u;
  const [first, second] = s.setup.scenario.requests();
  const reply = r.kind === "ok" ? r.result : r.error;
  const timings = { elapsed_ms: Math.round(r.ms) };
  if (first && second) {
    const waited = Math.round(second.t - first.t);
    if (waited < IGNORED_BELOW_MS) {
      return verdict.error(
        `cannot judge: the SDK ignored Retry-After (retried ${waited} ms after Retry-After: 86400; see sdk.retry.retry-after), so whether it caps the wait is not shown`,
        gather(s.setup, { reply, timings }),
      );
    }
    return verdict.pass(gather(s.setup, {
      reply,
      timings,
      notes: [
        `capped the wait: retried after ${waited} ms and answered within ${
          Math.round(r.ms)
        } ms (bound ${bound} ms; total_ms=120000)`,
      ],
    }));
  }
  return verdict.pass(gather(s.setup, {
    reply,
    timings,
    notes: [
      `failed fast without retrying: ${describeCall(r)} after ${
        Math.round(r.ms)
      } ms (bound ${bound} ms = ${FAST_MS} ms + ${FAST_MARGIN_MS} ms margin; total_ms=120000)`,
    ],
  }));
}

/** The `sdk.retry.*` checks, in file order. */
export const checks: readonly Check<SdkContext>[] = [
  bounded,
  transient,
  backoff,
  unkeyedWrite,
  clientErrors,
  retryAfter,
  retryAfterCap,
];
