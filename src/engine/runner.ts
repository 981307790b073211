/**
 * The check runner: runs checks concurrently (bounded), each with a time limit, and turns every
 * outcome — including a thrown exception or a hang — into a result. It never hangs the run.
 * Profiles (`profile.ts`) give it their checks and a context factory.
 *
 * @module
 */
import type { BaseContext, Capability, Check, CheckResult, Evidence, Verdict } from "./types.ts";
import { errorMessage } from "../util/error_message.ts";
import { deadline } from "../util/deadline.ts";

/** Default per-check time limit in ms. */
export const DEFAULT_TIME_LIMIT_MS = 15_000;
/** How long after the time limit a check may take to settle before it is recorded as `error`. */
export const DEFAULT_GRACE_MS = 2_000;
/** The bound on a context's `dispose()`. */
export const DEFAULT_DISPOSE_MS = 10_000;

/** A context built for one check, and how to tear it down. */
export interface ContextLease<C> {
  ctx: C;
  dispose(): Promise<void>;
}

/** Options of `runChecks`. */
export interface RunOptions<C extends BaseContext> {
  /** how many checks run at once (at least 1) */
  concurrency: number;
  /** run only these ids (an id, or an id prefix such as "sdk.retry") */
  only?: string[];
  /** the run's seed */
  seed: number;
  /** the target's capabilities (plus kit pseudo-capabilities) */
  capabilities: ReadonlySet<string>;
  /** why this target cannot be judged by a check (e.g. its OpenAPI document lacks an element), else undefined */
  inapplicable?(id: string): string | undefined;
  /** @default 15000 */
  defaultTimeLimitMs?: number;
  /** time after the limit before a check that has not settled is recorded as error. @default 2000 */
  graceMs?: number;
  /** bound on each dispose(). @default 10000 */
  disposeMs?: number;
  /** build the check's context */
  makeContext(check: Check<C>, signal: AbortSignal, note: (line: string) => void): Promise<ContextLease<C>>;
  /** called as each check starts (after its capabilities are checked) */
  onStart?(c: CheckStart): void;
  /** called after each check */
  onProgress?(r: CheckResult, done: number, total: number): void;
}

/** A check that has started: what a progress reporter shows while it runs. */
export interface CheckStart {
  id: string;
  title: string;
  /** its time limit in ms (the bound the runner enforces) */
  limitMs: number;
}

/**
 * Whether an id is selected by an `--only` list (exact id, or a prefix ending at a segment).
 *
 * @param id the check id
 * @param only the selection (undefined or empty = everything)
 * @returns true when selected
 * @example
 * ```ts
 * import { selected } from "./runner.ts";
 * if (!selected("sdk.retry.bounded", ["sdk.retry"])) throw new Error();
 * if (selected("sdk.retry-x.a", ["sdk.retry"])) throw new Error();
 * ```
 */
export function selected(id: string, only: readonly string[] | undefined): boolean {
  if (!only || only.length === 0) return true;
  return only.some((o) => id === o || id.startsWith(o + "."));
}

/**
 * The entries of an `--only` list that select no check (a usage error).
 *
 * @param only the selection
 * @param ids every known check id
 * @returns the entries that match nothing
 * @example
 * ```ts
 * import { unmatchedOnly } from "./runner.ts";
 * if (unmatchedOnly(["sdk.nope"], ["sdk.a.b"])[0] !== "sdk.nope") throw new Error();
 * ```
 */
export function unmatchedOnly(only: readonly string[], ids: readonly string[]): string[] {
  return only.filter((o) => !ids.some((id) => selected(id, [o])));
}

function withNotes(v: Verdict, notes: string[]): Verdict {
  if (notes.length === 0 || v.outcome === "not_applicable") return v;
  const ev: Evidence = v.evidence ?? {};
  return { ...v, evidence: { ...ev, notes: [...(ev.notes ?? []), ...notes] } };
}

type Settled = { kind: "verdict"; verdict: Verdict } | { kind: "late" };

async function boundedDispose(lease: ContextLease<unknown>, ms: number, notes: string[]): Promise<void> {
  const r = await deadline(
    lease.dispose().catch((e: unknown) =>
      void notes.push(`kit: tearing down the check failed: ${errorMessage(e)}`)
    ),
    ms,
  );
  if (!r.ok) notes.push(`kit: tearing down the check took longer than ${ms} ms; moved on`);
}

async function runOne<C extends BaseContext>(check: Check<C>, opts: RunOptions<C>): Promise<CheckResult> {
  const started = performance.now();
  const base = { id: check.id, title: check.title, level: check.level, source: check.source };
  const done = (verdict: Verdict): CheckResult => ({
    ...base,
    verdict,
    durationMs: Math.round(performance.now() - started),
  });
  const missing = check.requires.filter((c: Capability) => !opts.capabilities.has(c));
  if (missing.length > 0) {
    return done({
      outcome: "not_applicable",
      reason: `requires capability ${
        missing.map((m) => `"${m}"`).join(", ")
      }, which the target does not declare`,
    });
  }
  const why = opts.inapplicable?.(check.id);
  if (why !== undefined) return done({ outcome: "not_applicable", reason: why });
  const limit = check.timeLimitMs ?? opts.defaultTimeLimitMs ?? DEFAULT_TIME_LIMIT_MS;
  opts.onStart?.({ id: check.id, title: check.title, limitMs: limit });
  const grace = opts.graceMs ?? DEFAULT_GRACE_MS;
  const controller = new AbortController();
  const notes: string[] = [];
  const note = (line: string) => void notes.push(line);
  let limitTimer: ReturnType<typeof setTimeout> | undefined;
  let graceTimer: ReturnType<typeof setTimeout> | undefined;
  let lease: ContextLease<C> | undefined;
  let verdict: Verdict;
  try {
    const timedOut = new Promise<Settled>((resolve) => {
      limitTimer = setTimeout(() => {
        controller.abort(new Error(`time limit of ${limit} ms reached`));
        graceTimer = setTimeout(() => resolve({ kind: "late" }), grace);
      }, limit);
    });
    const work = (async (): Promise<Settled> => {
      try {
        lease = await opts.makeContext(check, controller.signal, note);
      } catch (e) {
        return {
          kind: "verdict",
          verdict: { outcome: "error", reason: `could not set up the check: ${errorMessage(e)}` },
        };
      }
      try {
        return { kind: "verdict", verdict: await check.run(lease.ctx) };
      } catch (e) {
        return { kind: "verdict", verdict: { outcome: "error", reason: errorMessage(e) } };
      }
    })();
    const settled = await Promise.race([work, timedOut]);
    verdict = settled.kind === "verdict"
      ? settled.verdict
      : { outcome: "error", reason: `check exceeded its time limit of ${limit} ms` };
    if (settled.kind === "late" && lease === undefined) {
      // setup may still finish after we gave up: dispose whatever it builds then
      void work.then(async () => {
        const late: ContextLease<C> | undefined = lease;
        if (late) await boundedDispose(late, opts.disposeMs ?? DEFAULT_DISPOSE_MS, []);
      });
    }
  } finally {
    clearTimeout(limitTimer);
    clearTimeout(graceTimer);
  }
  if (!controller.signal.aborted) controller.abort(new Error("check finished"));
  const held: ContextLease<C> | undefined = lease;
  if (held) await boundedDispose(held, opts.disposeMs ?? DEFAULT_DISPOSE_MS, notes);
  return done(withNotes(verdict, notes));
}

/**
 * Run checks concurrently with a bound, each under its time limit.
 *
 * @param checks the checks (any order; results come back sorted by id)
 * @param opts see `RunOptions`
 * @returns one result per selected check, sorted by id
 * @example
 * ```ts
 * import { runChecks } from "./runner.ts";
 * import { verdict } from "./types.ts";
 * const results = await runChecks([{
 *   id: "sdk.doc.example", title: "t", level: "MUST", source: "000", requires: [], mutants: [],
 *   run: () => Promise.resolve(verdict.pass()),
 * }], {
 *   concurrency: 2, seed: 1, capabilities: new Set(),
 *   makeContext: (_c, signal, note) =>
 *     Promise.resolve({ ctx: { seed: 1, signal, timeLimitMs: 1000, note }, dispose: () => Promise.resolve() }),
 * });
 * if (results[0]?.verdict.outcome !== "pass") throw new Error("expected pass");
 * ```
 */
export async function runChecks<C extends BaseContext>(
  checks: readonly Check<C>[],
  opts: RunOptions<C>,
): Promise<CheckResult[]> {
  const byId = [...checks].filter((c) => selected(c.id, opts.only)).sort((a, b) => a.id.localeCompare(b.id));
  // Longest first (time limit as the proxy for duration), so a long check does not start last and
  // stretch the run; results still come back in id order.
  const limitOf = (c: Check<C>) => c.timeLimitMs ?? opts.defaultTimeLimitMs ?? DEFAULT_TIME_LIMIT_MS;
  const queue = [...byId].sort((a, b) => limitOf(b) - limitOf(a) || a.id.localeCompare(b.id));
  const results = new Map<string, CheckResult>();
  const total = queue.length;
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < queue.length) {
      const check = queue[next++];
      if (!check) break;
      const r = await runOne(check, opts);
      results.set(check.id, r);
      done++;
      opts.onProgress?.(r, done, total);
    }
  };
  const n = Math.max(1, Math.min(Math.floor(opts.concurrency) || 1, total));
  await Promise.all(Array.from({ length: n }, worker));
  return byId.map((c) => results.get(c.id)).filter((r): r is CheckResult => r !== undefined);
}
