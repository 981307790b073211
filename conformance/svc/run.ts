/**
 * Run the svc checks against a target: build each check's context (a bounded probe and the JWT kit)
 * and hand the checks to the engine's runner.
 *
 * @module
 */
import { runChecks } from "../../src/engine/runner.ts";
import type { Check, CheckResult } from "../../src/engine/types.ts";
import { Prober, type SvcContext } from "./_context.ts";
import { JwtKit } from "./_jwt_kit.ts";
import { svcChecks } from "./mod.ts";
import { type Target, targetCapabilities } from "./target.ts";

/** Options of {@linkcode certifyTarget}. */
export interface CertifyTargetOptions {
  seed: number;
  /** ids or id prefixes */
  only?: string[];
  /** @default 6 */
  concurrency?: number;
  /** the checks to run @default svcChecks */
  checks?: readonly Check<SvcContext>[];
  onProgress?: (r: CheckResult, done: number, total: number) => void;
}

/**
 * Certify one target: every selected svc check, concurrently, each with its own bounded probe.
 *
 * @param target the resolved target
 * @param opts seed, selection, concurrency
 * @returns the results, sorted by id
 */
export async function certifyTarget(target: Target, opts: CertifyTargetOptions): Promise<CheckResult[]> {
  const jwt = new JwtKit(target.credentials);
  const runOpts: Parameters<typeof runChecks<SvcContext>>[1] = {
    concurrency: opts.concurrency ?? 6,
    seed: opts.seed,
    capabilities: targetCapabilities(target),
    defaultTimeLimitMs: 15_000,
    makeContext(check, signal, note) {
      const probe = new Prober(target.baseUrl, signal, target.caCertPem);
      const ctx: SvcContext = {
        seed: opts.seed,
        signal,
        timeLimitMs: check.timeLimitMs ?? 15_000,
        note,
        target,
        probe,
        jwt,
      };
      return Promise.resolve({ ctx, dispose: () => Promise.resolve(probe.close()) });
    },
  };
  if (opts.only !== undefined) runOpts.only = opts.only;
  if (opts.onProgress !== undefined) runOpts.onProgress = opts.onProgress;
  return await runChecks(opts.checks ?? svcChecks, runOpts);
}
