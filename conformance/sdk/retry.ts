/**
 * `sdk.retry.*` — bounded, safe retries with backoff (seed 000 §2.3, §4.4).
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import type { SdkContext } from "../../src/engine/sdk_context.ts";
import { type Check, type Verdict, verdict } from "../../src/engine/types.ts";
import type { CallResult } from "../../src/driver/types.ts";
import type { Scenario } from "../../src/schema/scenario.ts";
import { describeCall } from "../../src/driver/describe.ts";
import { callFault, gather, request, type Setup, setup, sleep, unobserved } from "./_helpers.ts";

const ALWAYS_503: Scenario = {
  responses: [{ status: 503, body: { kind: "json", value: problem("unavailable") } }],
};

function problem(code: string) {
  return { code, kind: "server", message: `${code}`, correlation_id: "corr-retry", details: {} };
}

/** Outcome of a request raced against an attempt ceiling. */
type Bounded =
  | { kind: "done"; r: CallResult<"request">; attempts: number }
  | { kind: "over"; attempts: number; ms: number };

/**
 * Call `request` and watch the scenario: as soon as it sees more than `maxAttempts`
 * requests the SDK has already broken the bound, so stop waiting.
 */
async function boundedRequest(
  s: Setup,
  params: { method: string; path: string } & Record<string, unknown>,
  maxAttempts: number,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<Bounded> {
  const started = performance.now();
  let settled = false;
  const call = request(s, params, timeoutMs).then((r) => {
    settled = true;
    return r;
  });
  const watch = (async (): Promise<Bounded | undefined> => {
    while (!settled && !signal.aborted) {
      const n = s.scenario.requests().length;
      if (n > maxAttempts) return { kind: "over", attempts: n, ms: Math.round(performance.now() - started) };
      await sleep(25, signal);
    }
    return undefined;
  })();
  const first = await Promise.race([call.then((r) => ({ kind: "done" as const, r })), watch]);
  if (first && first.kind === "over") return first;
  const r = await call;
  return { kind: "done", r, attempts: s.scenario.requests().length };
}

function overVerdict(b: Bounded & { kind: "over" }, s: Setup, rule: string): Verdict {
  return verdict.fail(`${rule}; saw ${b.attempts} attempts after ${b.ms} ms`, gather(s));
}

const bounded = defineCheck<SdkContext>({
  id: "sdk.retry.bounded",
  title: "At most 1 + max_retries attempts against an always-503 server (default at most 4)",
  level: "MUST",
  source: "000 §2.3 Bounded retries; §4.4 stop after configured max",
  rationale:
    "An SDK that retries without limit turns one outage into a retry storm against the server and hangs its caller; a fixed budget makes failure fast and predictable.",
  requires: ["http"],
  mutants: ["retry-forever"],
  async run(ctx) {
    const a = await setup(ctx, ALWAYS_503, { configure: { max_retries: 2 } });
    if (!a.ok) return a.verdict;
    const b = await setup(ctx, ALWAYS_503, { session: a.setup.session });
    if (!b.ok) return b.verdict;
    const [ra, rb] = await Promise.all([
      boundedRequest(a.setup, { method: "GET", path: "/always-503" }, 3, 10_000, ctx.signal),
      boundedRequest(b.setup, { method: "GET", path: "/always-503" }, 4, 10_000, ctx.signal),
    ]);
    for (
      const [res, s, max, label] of [[ra, a.setup, 3, "max_retries=2"], [
        rb,
        b.setup,
        4,
        "default max_retries",
      ]] as const
    ) {
      if (res.kind === "over") return overVerdict(res, s, `${label}: at most ${max} attempts`);
      if (res.r.kind === "no_reply") {
        return verdict.fail(
          `${label}: the SDK must give up after at most ${max} attempts; no reply after ${res.r.ms} ms`,
          gather(s),
        );
      }
      if (res.r.kind === "driver_fault") return callFault("request", res.r, s);
      const u = unobserved(s, 1, `the request (${label})`);
      if (u) return u;
      if (res.r.kind === "ok" && res.r.result.status !== 503) {
        return verdict.error(
          `the mock server always answers 503 but the SDK reported ${res.r.result.status}`,
          gather(s),
        );
      }
    }
    return verdict.pass(gather(a.setup, {
      notes: [`max_retries=2 → ${ra.attempts} attempts (≤ 3); default → ${rb.attempts} attempts (≤ 4)`],
    }));
  },
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
  async run(ctx) {
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
      return verdict.fail(
        `a GET must be retried after a 503 and succeed (max_retries=2); got ${
          describeCall(r)
        } after ${s.setup.scenario.requests().length} attempt(s)`,
        gather(s.setup),
      );
    }
    return callFault("request", r, s.setup);
  },
});

/** Gaps in ms between consecutive attempts of a scenario. */
function gaps(s: Setup): number[] {
  const t = s.scenario.requests().map((r) => r.t);
  return t.slice(1).map((v, i) => Math.round(v - (t[i] ?? v)));
}

const backoff = defineCheck<SdkContext>({
  id: "sdk.retry.backoff",
  title: "Retries back off, with jitter (later waits grow; clients' delays differ)",
  level: "SHOULD",
  source: "000 §2.3 Jittered exponential backoff",
  rationale:
    "Retries at a fixed pace keep hammering a server that is already struggling, and clients retrying in lockstep hit it in synchronised waves. Growing, randomised waits spread the load and give it room to recover.",
  requires: ["http", "retry"],
  mutants: ["no-backoff"],
  async run(ctx) {
    // 16 clients × 3 retries against an always-503 server. Statistics over the clients make the
    // verdict stable for any jitter: with full jitter (base 100 ms) the third waits exceed the
    // first by ~2400 ms in total (sd ~480 ms, so < 300 ms about once in 200 000 runs); an SDK
    // that does not back off shows ~0.
    const CLIENTS = 16;
    const session = await ctx.startDriver();
    const setups: Setup[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      const s = await setup(ctx, ALWAYS_503, { configure: { max_retries: 3 }, session });
      if (!s.ok) return s.verdict;
      setups.push(s.setup);
    }
    const rs = await Promise.all(setups.map((s) => request(s, { method: "GET", path: "/backoff" }, 12_000)));
    for (const [i, r] of rs.entries()) {
      const s = setups[i];
      if (s && (r.kind === "no_reply" || r.kind === "driver_fault")) return callFault("request", r, s);
    }
    for (const s of setups) {
      const u = unobserved(s, 1, "the always-503 request");
      if (u) return u;
    }
    const all = setups.map(gaps);
    const short = all.filter((g) => g.length < 3).length;
    const notes = all.map((g, i) => `client ${i + 1} waits ms: ${g.join(", ")}`);
    if (short > 0) {
      return verdict.fail(
        `backoff needs 3 retries to observe (max_retries=3, always 503); ${short} of ${CLIENTS} clients made fewer`,
        gather(setups[0] ?? {}, { notes }),
      );
    }
    const first = all.map((g) => g[0] ?? 0);
    const third = all.map((g) => g[2] ?? 0);
    const growth = third.reduce((a, b) => a + b, 0) - first.reduce((a, b) => a + b, 0);
    const spread = Math.max(...third) - Math.min(...third);
    notes.unshift(
      `Σ third waits − Σ first waits = ${growth} ms (bound >= 300); spread of third waits ${spread} ms (bound > 20)`,
    );
    if (growth < 300) {
      return verdict.fail(
        `later retries must wait longer: across ${CLIENTS} clients the third waits must exceed the first by >= 300 ms in total, exceeded by ${growth} ms`,
        { notes },
      );
    }
    if (spread <= 20) {
      return verdict.fail(
        `backoff must be jittered: ${CLIENTS} clients' third waits were within ${spread} ms of each other`,
        { notes },
      );
    }
    return verdict.pass({ notes });
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
  async run(ctx) {
    const session = await ctx.startDriver();
    const results: string[] = [];
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
        return overVerdict(res, s.setup, `${method} without an idempotency key must not be retried`);
      }
      if (res.r.kind === "no_reply" || res.r.kind === "driver_fault") {
        return callFault("request", res.r, s.setup);
      }
      const u = unobserved(s.setup, 1, `the ${method}`);
      if (u) return u;
      results.push(`${method}: ${res.attempts} attempt`);
    }
    return verdict.pass({ notes: [...results, "always 503, max_retries=3"] });
  },
});

const clientErrors = defineCheck<SdkContext>({
  id: "sdk.retry.client-errors",
  title: "400, 401, 403, 404, 409 and 422 are never retried",
  level: "MUST",
  source: "000 §2.3 Safe retry policy",
  rationale:
    "A 4xx says the request itself is wrong (bad input, no permission, a conflict), so the same request gets the same answer. Retrying only adds load, delays the error and can trip lockouts or rate limits.",
  requires: ["http"],
  mutants: ["retry-all"],
  async run(ctx) {
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
      const res = await boundedRequest(s.setup, { method: "GET", path: `/${status}` }, 1, 8_000, ctx.signal);
      if (res.kind === "over") {
        return { status, v: overVerdict(res, s.setup, `a ${status} must never be retried`) };
      }
      if (res.r.kind === "no_reply" || res.r.kind === "driver_fault") {
        return { status, v: callFault("request", res.r, s.setup) };
      }
      return { status, v: unobserved(s.setup, 1, `the request answered ${status}`) };
    }));
    const bad = runs.find((r) => r.v !== undefined);
    if (bad?.v) return bad.v;
    return verdict.pass({ notes: [`statuses ${statuses.join(", ")}: one attempt each (max_retries=3)`] });
  },
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
  async run(ctx) {
    const session = await ctx.startDriver();
    const out: string[] = [];
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
      const reqs = s.setup.scenario.requests();
      const second = reqs[1];
      const first = reqs[0];
      if (!second || !first) {
        return verdict.fail(
          `a ${status} with Retry-After: 1 must be retried after waiting ≥ 1000 ms; the SDK made ${reqs.length} attempt(s)`,
          gather(s.setup, { reply: r.kind === "ok" ? r.result : r.error }),
        );
      }
      const waited = second.t - first.t;
      out.push(`${status}: waited ${waited} ms`);
      // 30 ms tolerance for timer and clock granularity between the two log stamps.
      if (waited < 970) {
        return verdict.fail(
          `retry must wait >= 1000 ms (Retry-After: 1) after a ${status}, waited ${waited} ms`,
          gather(s.setup),
        );
      }
      return undefined;
    }));
    const bad = verdicts.find((v) => v !== undefined);
    if (bad) return bad;
    return verdict.pass({ notes: out });
  },
});

const retryAfterCap = defineCheck<SdkContext>({
  id: "sdk.retry.retry-after-cap",
  title: "An absurd Retry-After (86400) makes the SDK fail fast instead of sleeping",
  level: "SHOULD",
  source: "000 §4.4 Backoff on error; §2.2 every call bounded",
  rationale:
    "Retry-After comes from the server, so an SDK that obeys any value can be put to sleep for a day by one faulty or hostile response. Capping the wait (and failing instead) keeps every call bounded, as its caller expects.",
  requires: ["http"],
  mutants: ["obey-any-retry-after"],
  async run(ctx) {
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
    const r = await request(s.setup, { method: "GET", path: "/absurd" }, 5_000);
    if (r.kind === "no_reply") {
      return verdict.fail(
        `with Retry-After: 86400 the SDK must fail fast; no reply after ${r.ms} ms (bound 5000 ms)`,
        gather(s.setup),
      );
    }
    if (r.kind === "driver_fault") return callFault("request", r, s.setup);
    const u = unobserved(s.setup, 1, "the request answered 429");
    if (u) return u;
    return verdict.pass(gather(s.setup, {
      reply: r.kind === "ok" ? r.result : r.error,
      timings: { elapsed_ms: r.ms },
      notes: [`answered within ${r.ms} ms (bound 5000 ms; total_ms=120000, so the cap decided)`],
    }));
  },
});

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
