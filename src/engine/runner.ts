/**
 * The check runner: runs checks concurrently (bounded), each with a time limit, and turns every
 * outcome — including a thrown exception or a hang — into a result. It never hangs the run.
 * `sdkRun` wires it to the mock server and the driver host for the `sdk` and `chaos` profiles.
 *
 * @module
 */
import type { BaseContext, Capability, Check, CheckResult, Evidence, Verdict } from "./types.ts";
import type { ChaosEnv, SdkContext, StartDriverOptions } from "./sdk_context.ts";
import type { MockServer } from "../mock/types.ts";
import type { DriverSession } from "../driver/types.ts";
import type { HelloResult } from "../schema/protocol.ts";
import { startMockServer } from "../mock/server.ts";
import { startDriver } from "../driver/host.ts";
import { newCanary } from "../driver/canary.ts";

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
  /** @default 15000 */
  defaultTimeLimitMs?: number;
  /** time after the limit before a check that has not settled is recorded as error. @default 2000 */
  graceMs?: number;
  /** bound on each dispose(). @default 10000 */
  disposeMs?: number;
  /** build the check's context */
  makeContext(check: Check<C>, signal: AbortSignal, note: (line: string) => void): Promise<ContextLease<C>>;
  /** called after each check */
  onProgress?(r: CheckResult, done: number, total: number): void;
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

function message(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

function withNotes(v: Verdict, notes: string[]): Verdict {
  if (notes.length === 0 || v.outcome === "not_applicable") return v;
  const ev: Evidence = v.evidence ?? {};
  return { ...v, evidence: { ...ev, notes: [...(ev.notes ?? []), ...notes] } };
}

type Settled = { kind: "verdict"; verdict: Verdict } | { kind: "late" };

async function boundedDispose(lease: ContextLease<unknown>, ms: number, notes: string[]): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), ms);
  });
  try {
    const r = await Promise.race([
      lease.dispose().then(() => "ok" as const, (e: unknown) => {
        notes.push(`kit: tearing down the check failed: ${message(e)}`);
        return "ok" as const;
      }),
      late,
    ]);
    if (r === "late") notes.push(`kit: tearing down the check took longer than ${ms} ms; moved on`);
  } finally {
    clearTimeout(timer);
  }
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
  const limit = check.timeLimitMs ?? opts.defaultTimeLimitMs ?? DEFAULT_TIME_LIMIT_MS;
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
          verdict: { outcome: "error", reason: `could not set up the check: ${message(e)}` },
        };
      }
      try {
        return { kind: "verdict", verdict: await check.run(lease.ctx) };
      } catch (e) {
        return { kind: "verdict", verdict: { outcome: "error", reason: message(e) } };
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

/** The result of starting a driver (the driver host's contract). */
export type StartDriverResult = { ok: true; session: DriverSession } | { ok: false; detail: string };

/** What `sdkRun` needs from the rest of the kit (injectable for tests). */
export interface SdkRunDeps {
  startMockServer(opts?: { seed?: number }): Promise<MockServer>;
  startDriver(opts: {
    command: string[];
    env?: Record<string, string>;
    canaries: () => string[];
    callTimeoutMs?: number;
  }): Promise<StartDriverResult>;
  newCanary(): string;
}

/** Options of `sdkRun`. */
export interface SdkRunOptions {
  /** the driver's argv */
  driverCommand: string[];
  only?: string[];
  seed: number;
  /** @default 4 */
  concurrency?: number;
  checks: readonly Check<SdkContext>[];
  /**
   * the chaos environment (chaos suite only); adds the "toxiproxy" capability. When it offers
   * `scope()`, each check gets its own scope, disposed (its proxies removed) when the check ends.
   */
  chaos?: ChaosEnv & { scope?(): ChaosEnv & { dispose(): Promise<void> } };
  /**
   * URL of the SDK as a TypeScript module (`createClient(config)`, see conformance/modules/contract.ts);
   * given → `ctx.sdkModule` is set and the "ts_module" capability is added
   */
  sdkModule?: string;
  /** extra kit pseudo-capabilities */
  extraCapabilities?: string[];
  /** @default 15000 */
  defaultTimeLimitMs?: number;
  onProgress?(r: CheckResult, done: number, total: number): void;
  /** the kit's modules (default: the real mock server, driver host and canary generator) */
  deps?: SdkRunDeps;
}

/** What an SDK run produced. */
export type RunOutcome =
  | {
    ok: true;
    results: CheckResult[];
    target: HelloResult;
    /** every canary created in the run: mask them before reporting */
    canaries: string[];
    startedAt: Date;
    durationMs: number;
  }
  /** usage / config / driver-start error: exit code 2 */
  | { ok: false; code: 2; detail: string; canaries: string[] };

/** The real dependencies: the mock server, the driver host and the canary generator. */
export const defaultSdkDeps: SdkRunDeps = { startMockServer, startDriver, newCanary };

/**
 * Certify one SDK: start the mock server, read the driver's `hello`, run the checks, each with its
 * own SdkContext, and close everything.
 *
 * @param opts see `SdkRunOptions`
 * @returns results, target and canaries, or a driver-start / setup error (exit code 2)
 */
export async function sdkRun(opts: SdkRunOptions): Promise<RunOutcome> {
  const canaries = new Set<string>();
  const canaryList = () => [...canaries];
  const deps = opts.deps ?? defaultSdkDeps;
  const startedAt = new Date();
  const t0 = performance.now();
  let mock: MockServer;
  try {
    mock = await deps.startMockServer({ seed: opts.seed });
  } catch (e) {
    return { ok: false, code: 2, detail: `mock server did not start: ${message(e)}`, canaries: [] };
  }
  try {
    const first = await deps.startDriver({ command: opts.driverCommand, canaries: canaryList });
    if (!first.ok) {
      return { ok: false, code: 2, detail: `driver did not start: ${first.detail}`, canaries: canaryList() };
    }
    const target = first.session.hello;
    await first.session.close().catch(() => {});
    const capabilities = new Set<string>([...target.capabilities, ...(opts.extraCapabilities ?? [])]);
    if (opts.chaos) capabilities.add("toxiproxy");
    if (opts.sdkModule) capabilities.add("ts_module");
    const runOpts: RunOptions<SdkContext> = {
      concurrency: opts.concurrency ?? 4,
      seed: opts.seed,
      capabilities,
      makeContext: (check, signal, note) => {
        const sessions: DriverSession[] = [];
        const scoped = opts.chaos?.scope?.();
        const chaos: ChaosEnv | undefined = scoped ?? opts.chaos;
        const timeLimitMs = check.timeLimitMs ?? opts.defaultTimeLimitMs ?? DEFAULT_TIME_LIMIT_MS;
        const ctx: SdkContext = {
          seed: opts.seed,
          signal,
          timeLimitMs,
          note,
          mock,
          target,
          driverCommand: opts.driverCommand,
          newCanary: () => {
            const c = deps.newCanary();
            canaries.add(c);
            return c;
          },
          startDriver: async (o?: StartDriverOptions) => {
            const r = await deps.startDriver({
              command: opts.driverCommand,
              ...(o?.env ? { env: o.env } : {}),
              canaries: canaryList,
            });
            if (!r.ok) throw new Error(`driver did not start: ${r.detail}`);
            if (signal.aborted) {
              await r.session.close().catch(() => {});
              throw new Error("driver started after the check's time limit");
            }
            sessions.push(r.session);
            return r.session;
          },
          ...(chaos ? { chaos } : {}),
          ...(opts.sdkModule ? { sdkModule: opts.sdkModule } : {}),
        };
        return Promise.resolve({
          ctx,
          dispose: async () => {
            await Promise.all(sessions.splice(0).map((s) => s.close().catch(() => {})));
            await scoped?.dispose().catch(() => {});
          },
        });
      },
    };
    if (opts.only) runOpts.only = opts.only;
    if (opts.defaultTimeLimitMs !== undefined) runOpts.defaultTimeLimitMs = opts.defaultTimeLimitMs;
    if (opts.onProgress) runOpts.onProgress = opts.onProgress;
    const results = await runChecks(opts.checks, runOpts);
    return {
      ok: true,
      results,
      target,
      canaries: canaryList(),
      startedAt,
      durationMs: Math.round(performance.now() - t0),
    };
  } finally {
    await mock.close().catch(() => {});
  }
}
