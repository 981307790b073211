/**
 * How `sdk.retry.backoff` reads the waits between a client's attempts: the typical client's wait #k
 * (the median over clients) for each k, and the growth of that series from its earlier to its later
 * half (medians of each half: one wait stretched for every client by a stall of the kit cannot move
 * it), so the
 * scheduling noise of a loaded machine (the kit stamps arrivals) cannot swing the verdict: an SDK
 * that backs off grows its waits by hundreds of ms, one that does not by a few.
 *
 * @module
 */

import type { SdkContext } from "../../src/engine/sdk_context.ts";
import { type Verdict, verdict } from "../../src/engine/types.ts";
import { callFault, gather, request, type Setup, setup } from "./_helpers.ts";
import type { Seen } from "./_judge.ts";
import { ALWAYS_503, gaps } from "./_retry.ts";
import { awaitCalm, type LagMonitor, watchLag } from "./_lag.ts";

/** The least typical growth (last wait − first wait, per client) that counts as backing off. */
export const GROWTH_MIN_MS = 150;
/** A wait this short is a retry "at once" (the no-backoff signature). */
export const AT_ONCE_MS = 20;
/** The least spread (interquartile range) of the clients' waits that counts as jitter … */
export const JITTER_MIN_MS = 50;
/** … or this share of the median wait, whichever is larger. */
export const JITTER_MIN_SHARE = 0.02;

/** What the waits show. */
export type BackoffReading =
  | { kind: "no-retry" }
  | { kind: "too-few"; judgeable: number }
  | { kind: "no-growth"; growth: number; atOnce: number; judgeable: number }
  | { kind: "no-jitter"; spread: number; bound: number; index: number; median: number }
  | { kind: "ok"; growth: number; spread: number; bound: number; index: number };

/**
 * The median of a list (0 for an empty one).
 *
 * @param xs numbers
 * @returns the median
 */
export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}

function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return 0;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (s[lo] ?? 0) + ((s[hi] ?? 0) - (s[lo] ?? 0)) * (pos - lo);
}

/**
 * Growth from the earlier to the later waits of a series, robust to one wait stretched by the
 * machine: the median of the later half minus the median of the earlier half (one half each of an
 * odd series, the middle wait left out). With 6 waits (what the check asks for) each half has 3, so
 * a single stretched wait moves neither median.
 *
 * @param w the waits (at least 2)
 * @returns the growth in ms
 */
export function robustGrowth(w: readonly number[]): number {
  const half = Math.floor(w.length / 2);
  return median(w.slice(w.length - half)) - median(w.slice(0, half));
}

/**
 * Read per-client waits: growth of the typical wait #k (needs `minClients` clients with ≥ 2 waits),
 * jitter from the spread of the clients' waits at the latest index at least `minClients` reached.
 *
 * @param waits each client's waits in ms, in order
 * @param minClients how many clients must have ≥ 2 waits to judge
 * @returns the reading
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readBackoff } from "./_backoff.ts";
 * assert.equal(readBackoff([[2, 3, 2], [1, 2, 3]], 2).kind, "no-growth");
 * assert.equal(readBackoff([[90, 700], [20, 1500], [60, 1100]], 2).kind, "ok");
 * assert.equal(readBackoff([[100, 400], [100, 400], [100, 401]], 2).kind, "no-jitter");
 * assert.equal(readBackoff([[], []], 2).kind, "no-retry");
 * ```
 */
export function readBackoff(waits: readonly (readonly number[])[], minClients: number): BackoffReading {
  if (waits.every((w) => w.length === 0)) return { kind: "no-retry" };
  const judgeable = waits.filter((w) => w.length >= 2);
  if (judgeable.length < minClients) return { kind: "too-few", judgeable: judgeable.length };
  // the typical client's wait #k (median over clients), for every k enough clients reached
  let last = 1;
  while (judgeable.filter((w) => w.length > last + 1).length >= minClients) last++;
  const typical = Array.from(
    { length: last + 1 },
    (_, k) => median(judgeable.map((w) => w[k]).filter((x): x is number => x !== undefined)),
  );
  const growth = Math.round(robustGrowth(typical));
  if (growth < GROWTH_MIN_MS) {
    const atOnce = judgeable.filter((w) => w.every((g) => g < AT_ONCE_MS)).length;
    return { kind: "no-growth", growth, atOnce, judgeable: judgeable.length };
  }
  const index = last;
  const xs = judgeable.map((w) => w[index]).filter((x): x is number => x !== undefined);
  const spread = Math.round(quantile(xs, 0.75) - quantile(xs, 0.25));
  const mid = Math.round(median(xs));
  const bound = Math.round(Math.max(JITTER_MIN_MS, JITTER_MIN_SHARE * mid));
  if (spread < bound) return { kind: "no-jitter", spread, bound, index, median: mid };
  return { kind: "ok", growth, spread, bound, index };
}

/** 16 clients retry an always-503 GET; their waits are read as `readBackoff` says. */
const CLIENTS = 16;
const RETRIES = 6;
/** How long each request is awaited: the waits observed by then are judged, whatever came after. */
const BACKOFF_WAIT_MS = 12_000;

/**
 * Judge the waits observed: `fail` when they do not grow or are not jittered; otherwise a pass, or
 * an error when too little was observed (`failOnly`: only the fail, for the judge).
 */
export function backoffVerdict(seen: readonly Seen[], failOnly: boolean): Verdict | undefined {
  const waits = seen.map(gaps);
  const first = seen[0];
  const notes = waits.map((g, i) => `client ${i + 1} waits ms: ${g.join(", ") || "none"}`);
  const minClients = Math.ceil(seen.length / 2);
  const b = readBackoff(waits, minClients);
  const ev = (n: string) => ({ ...gather(first ? { scenario: first.scenario } : {}), notes: [n, ...notes] });
  switch (b.kind) {
    case "no-retry":
      return failOnly ? undefined : verdict.error(
        `cannot judge: no retry observed (a GET answered 503 was not retried by any of ${seen.length} clients; that rule is sdk.retry.transient)`,
        ev(`max_retries=${RETRIES}, always 503`),
      );
    case "too-few":
      return failOnly ? undefined : verdict.error(
        `cannot judge: backoff needs >= 2 waits per client; ${b.judgeable} of ${seen.length} clients made >= 2 retries (need ${minClients})`,
        ev(`max_retries=${RETRIES}, always 503`),
      );
    case "no-growth":
      return verdict.fail(
        `later retries must wait longer: the typical wait (median over ${b.judgeable} clients, per retry) grew by ${b.growth} ms from the earlier to the later retries (median of each half; bound >= ${GROWTH_MIN_MS} ms, a backoff grows by hundreds); ${b.atOnce} of ${b.judgeable} clients retried within ${AT_ONCE_MS} ms every time`,
        ev(`growth ${b.growth} ms over ${b.judgeable} clients with >= 2 waits`),
      );
    case "no-jitter":
      return verdict.fail(
        `backoff must be jittered: the clients' wait #${
          b.index + 1
        } spread by ${b.spread} ms (interquartile, around ${b.median} ms; bound >= ${b.bound} ms = max(${JITTER_MIN_MS} ms, ${
          JITTER_MIN_SHARE * 100
        }% of the median))`,
        ev(`spread ${b.spread} ms`),
      );
    case "ok":
      return failOnly ? undefined : verdict.pass({
        notes: [
          `typical wait grew ${b.growth} ms from the earlier to the later retries (median per retry, then of each half; bound >= ${GROWTH_MIN_MS} ms); wait #${
            b.index + 1
          } spread ${b.spread} ms (bound >= ${b.bound} ms)`,
          ...notes,
        ],
      });
    default: {
      const never: never = b;
      return verdict.error(`unknown reading ${String(never)}`);
    }
  }
}

/** The kit's event loop may lag this much while it times the retries; more, and it measures again. */
export const KIT_STALL_MS = 150;
/** Measurements at most, and the time a new one needs left before the check's time limit. */
const ROUNDS = 3;
const ROUND_NEEDS_MS = 15_000;
/** Before it measures, the kit waits (at most 30 s) for a second in which its loop lagged ≤ 50 ms. */
const CALM_MS = 50;
const CALM_WITHIN_MS = 30_000;

/** What the check's judge may read while a measurement runs. */
export interface BackoffState {
  /** the instances of the latest measurement */
  current: Setup[];
  /** the lag monitor of the latest measurement */
  lag?: LagMonitor;
}

/**
 * The check's judge: a fail from the latest measurement's waits, unless the kit stalled meanwhile.
 *
 * @param state the measurement state
 * @returns the fail, or undefined
 */
export function backoffJudge(state: BackoffState): Verdict | undefined {
  if ((state.lag?.peek() ?? 0) > KIT_STALL_MS) return undefined;
  return backoffVerdict(state.current, true);
}

/**
 * Measure 16 clients' waits and judge them. The kit first waits for its own event loop to be calm
 * (isolation workers type-checking in the same process stall it for seconds); a measurement during
 * which it still stalled past {@linkcode KIT_STALL_MS} is not judged but taken again (up to 3 times).
 *
 * @param ctx the check's context
 * @param state where the judge reads the latest measurement
 * @returns the verdict
 */
export async function backoffBody(ctx: SdkContext, state: BackoffState): Promise<Verdict> {
  const started = performance.now();
  const stalls: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const left = ctx.timeLimitMs - (performance.now() - started) - ROUND_NEEDS_MS;
    await awaitCalm(CALM_MS, Math.min(CALM_WITHIN_MS, Math.max(0, left)), ctx.signal);
    const m = await measure(ctx, state);
    if (!m.ok) return m.verdict;
    if (m.lagMs <= KIT_STALL_MS) {
      if (m.verdict.outcome !== "pass") return m.verdict;
      const kit = `the kit's event loop lagged at most ${m.lagMs} ms while timing (bound ${KIT_STALL_MS} ms)`;
      return verdict.pass({ ...m.verdict.evidence, notes: [kit, ...(m.verdict.evidence.notes ?? [])] });
    }
    stalls.push(m.lagMs);
    if (ctx.timeLimitMs - (performance.now() - started) < ROUND_NEEDS_MS) break;
  }
  return verdict.error(
    `cannot judge: the kit's own event loop stalled while it timed the retries (${
      stalls.map((x) => `${x} ms`).join(", ")
    }; bound ${KIT_STALL_MS} ms), so the gaps it stamped are not the SDK's`,
    { notes: state.current.map((s, i) => `client ${i + 1} waits ms: ${gaps(s).join(", ") || "none"}`) },
  );
}

async function measure(
  ctx: SdkContext,
  state: BackoffState,
): Promise<{ ok: false; verdict: Verdict } | { ok: true; verdict: Verdict; lagMs: number }> {
  const session = await ctx.startDriver();
  const setups: Setup[] = [];
  state.current = setups;
  for (let i = 0; i < CLIENTS; i++) {
    const s = await setup(ctx, ALWAYS_503, {
      // a total timeout far above any backoff, so only the SDK's own policy shapes the waits
      configure: { max_retries: RETRIES, timeouts: { connect_ms: 2_000, read_ms: 3_000, total_ms: 30_000 } },
      session,
    });
    if (!s.ok) return { ok: false, verdict: s.verdict };
    setups.push(s.setup);
  }
  const lag = watchLag();
  state.lag = lag;
  const rs = await Promise.all(
    setups.map((s) => request(s, { method: "GET", path: "/backoff" }, BACKOFF_WAIT_MS)),
  );
  const lagMs = lag.stop();
  // a client still retrying at the bound is no fault here: its waits so far are the evidence
  const fault = rs.findIndex((r) => r.kind === "driver_fault");
  const v = backoffVerdict(setups, false) ?? verdict.error("cannot judge backoff");
  if (v.outcome === "fail" || fault < 0) return { ok: true, verdict: v, lagMs };
  const r = rs[fault];
  const s = setups[fault];
  return { ok: false, verdict: r && s ? callFault("request", r, s) : verdict.error("cannot judge backoff") };
}
