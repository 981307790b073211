/**
 * An SDK as a target of the `sdk` and `chaos` profiles: start the mock server, read the driver's
 * `hello`, and build each check's {@link SdkContext} (fresh drivers, canaries, the chaos scope);
 * close everything at the end. `sdkRun` does all of it for one list of checks.
 *
 * @module
 */
import { type ContextLease, DEFAULT_TIME_LIMIT_MS, runChecks, type RunOptions } from "./runner.ts";
import type { Check, CheckResult } from "./types.ts";
import type { ChaosEnv, SdkContext, StartDriverOptions } from "./sdk_context.ts";
import type { OpenTarget, Result } from "./profile.ts";
import type { MockServer } from "../mock/types.ts";
import type { DriverSession } from "../driver/types.ts";
import type { HelloResult } from "../schema/protocol.ts";
import { startMockServer } from "../mock/server.ts";
import { startDriver } from "../driver/host.ts";
import { newCanary } from "../driver/canary.ts";
import { errorMessage } from "../util/error_message.ts";

/** The result of starting a driver (the driver host's contract). */
export type StartDriverResult = { ok: true; session: DriverSession } | { ok: false; detail: string };

/** What an SDK target needs from the rest of the kit (injectable for tests). */
export interface SdkRunDeps {
  startMockServer(opts?: { seed?: number }): Promise<MockServer>;
  startDriver(opts: {
    command: string[];
    env?: Record<string, string>;
    canaries: () => string[];
    callTimeoutMs?: number;
    caCertPem?: string;
    exportCaEnv?: boolean;
  }): Promise<StartDriverResult>;
  newCanary(): string;
}

/** The real dependencies: the mock server, the driver host and the canary generator. */
export const defaultSdkDeps: SdkRunDeps = { startMockServer, startDriver, newCanary };

/** A chaos environment that can hand each check its own scope (its proxies removed at the end). */
export type ScopableChaos = ChaosEnv & { scope?(): ChaosEnv & { dispose(): Promise<void> } };

/** Options of {@linkcode openSdkTarget}. */
export interface SdkTargetOptions {
  /** the driver's argv */
  driverCommand: string[];
  seed: number;
  /** the chaos environment (chaos profile only); adds the "toxiproxy" capability */
  chaos?: ScopableChaos;
  /** URL of the SDK as a TypeScript module; adds the "ts_module" capability */
  sdkModule?: string;
  /** extra kit pseudo-capabilities */
  extraCapabilities?: string[];
  /** @default 15000 */
  defaultTimeLimitMs?: number;
  /** the kit's modules (default: the real mock server, driver host and canary generator) */
  deps?: SdkRunDeps;
}

/**
 * Open an SDK target: start the mock server, start the driver once for its `hello`, and return
 * the context factory. A driver that does not start is a usage error (`ok: false`).
 *
 * @param opts the driver and what the run adds
 * @returns the open target, or why it could not open
 */
export async function openSdkTarget(
  opts: SdkTargetOptions,
): Promise<Result<OpenTarget<SdkContext> & { hello: HelloResult }>> {
  const canaries = new Set<string>();
  const canaryList = () => [...canaries];
  const deps = opts.deps ?? defaultSdkDeps;
  let mock: MockServer;
  try {
    mock = await deps.startMockServer({ seed: opts.seed });
  } catch (e) {
    return { ok: false, error: `mock server did not start: ${errorMessage(e)}` };
  }
  const first = await deps.startDriver({
    command: opts.driverCommand,
    canaries: canaryList,
    caCertPem: mock.caCertPem,
  })
    .catch((e: unknown): StartDriverResult => ({ ok: false, detail: errorMessage(e) }));
  if (!first.ok) {
    await mock.close().catch(() => {});
    return { ok: false, error: `driver did not start: ${first.detail}` };
  }
  const target: HelloResult = first.session.hello;
  await first.session.close().catch(() => {});
  const capabilities = new Set<string>([...target.capabilities, ...(opts.extraCapabilities ?? [])]);
  if (opts.chaos) capabilities.add("toxiproxy");
  if (opts.sdkModule) capabilities.add("ts_module");
  const makeContext = (
    check: Check<SdkContext>,
    signal: AbortSignal,
    note: (line: string) => void,
  ): Promise<ContextLease<SdkContext>> => {
    const sessions: DriverSession[] = [];
    const scoped = opts.chaos?.scope?.();
    const chaos: ChaosEnv | undefined = scoped ?? opts.chaos;
    const ctx: SdkContext = {
      seed: opts.seed,
      signal,
      timeLimitMs: check.timeLimitMs ?? opts.defaultTimeLimitMs ?? DEFAULT_TIME_LIMIT_MS,
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
          caCertPem: mock.caCertPem,
          ...(o?.exportCaEnv === false ? { exportCaEnv: false } : {}),
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
  };
  return {
    ok: true,
    value: {
      hello: target,
      info: {
        name: target.name,
        version: target.version,
        language: target.language,
        capabilities: [...target.capabilities],
      },
      capabilities,
      canaries: canaryList,
      ...(opts.defaultTimeLimitMs !== undefined ? { defaultTimeLimitMs: opts.defaultTimeLimitMs } : {}),
      makeContext,
      close: () => mock.close().catch(() => {}),
    },
  };
}

/** Options of `sdkRun`. */
export interface SdkRunOptions extends SdkTargetOptions {
  only?: string[];
  /** @default 4 */
  concurrency?: number;
  checks: readonly Check<SdkContext>[];
  onProgress?(r: CheckResult, done: number, total: number): void;
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

/**
 * Certify one SDK against a list of checks: open the target, run the checks, close it.
 *
 * @param opts see `SdkRunOptions`
 * @returns results, target and canaries, or a driver-start / setup error (exit code 2)
 */
export async function sdkRun(opts: SdkRunOptions): Promise<RunOutcome> {
  const startedAt = new Date();
  const t0 = performance.now();
  const open = await openSdkTarget(opts);
  if (!open.ok) return { ok: false, code: 2, detail: open.error, canaries: [] };
  const t = open.value;
  try {
    const runOpts: RunOptions<SdkContext> = {
      concurrency: opts.concurrency ?? 4,
      seed: opts.seed,
      capabilities: t.capabilities,
      makeContext: t.makeContext,
    };
    if (opts.only) runOpts.only = opts.only;
    if (opts.defaultTimeLimitMs !== undefined) runOpts.defaultTimeLimitMs = opts.defaultTimeLimitMs;
    if (opts.onProgress) runOpts.onProgress = opts.onProgress;
    const results = await runChecks(opts.checks, runOpts);
    return {
      ok: true,
      results,
      target: t.hello,
      canaries: t.canaries(),
      startedAt,
      durationMs: Math.round(performance.now() - t0),
    };
  } finally {
    await t.close();
  }
}
