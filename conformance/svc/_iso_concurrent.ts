/**
 * Host side of `svc.iso.concurrent`: 8 identities, each in a Deno worker that may reach the
 * target's host and nothing else, working at the same time (`_iso_worker.ts`); their reports.
 *
 * @module
 */
import { runRestrictedWorker, type WorkerFailure } from "../../src/util/restricted_worker.ts";
import { netHost } from "./_target_read.ts";
import type { Target } from "./target.ts";
import type { IsoTarget } from "./_iso_target.ts";
import type { Identity } from "./_iso_identities.ts";
import { runSvcIsoJob, type SvcIsoJob, type SvcIsoReport } from "./_iso_worker.ts";

/** Workers (one identity each when the kit mints; env tokens are shared in turn). */
export const WORKERS = 8;
/** How long each worker creates, reads and lists. */
export const RUN_MS = 3_000;
/** At most this many rounds (create, read, list) per worker. */
export const MAX_ROUNDS = 20;
/** A bound for the kit's own work (worker start, the run, clean-up), not part of any verdict. */
const WORKER_MS = RUN_MS + 20_000;

/** One worker's outcome. */
export type WorkerOutcome = { ok: true; report: SvcIsoReport } | {
  ok: false;
  worker: number;
  error: WorkerFailure;
};

/**
 * Run the 8 workers at once and collect their reports.
 *
 * @param target the resolved target (origin, CA)
 * @param iso its `[iso]` table
 * @param ids one identity per worker
 * @returns one outcome per worker, in order
 */
export async function runConcurrent(
  target: Target,
  iso: IsoTarget,
  ids: readonly Identity[],
): Promise<WorkerOutcome[]> {
  const host = netHost(target.baseUrl);
  if (host === undefined) throw new Error(`cannot allow the target's host ${target.baseUrl.host}`);
  const prefix = `isokit${crypto.randomUUID().replace(/-/g, "").slice(0, 8)}`;
  const tokenIds = new Map<string, number>();
  // the worker runs the function's own (already transpiled) source: nothing to load or type-check
  const src = `const runSvcIsoJob = ${runSvcIsoJob.toString()};
self.onmessage = async (e) => { self.postMessage(await runSvcIsoJob(e.data)); };`;
  const jobs = ids.map((who, worker): SvcIsoJob => {
    if (!tokenIds.has(who.token)) tokenIds.set(who.token, tokenIds.size);
    const job: SvcIsoJob = {
      worker,
      identity: tokenIds.get(who.token) ?? 0,
      token: who.token,
      baseUrl: target.baseUrl.href,
      create: iso.create,
      markerField: iso.markerField,
      resource: iso.resource,
      idPointer: iso.idPointer,
      delete: iso.delete,
      prefix,
      runMs: RUN_MS,
      maxRounds: MAX_ROUNDS,
      requestMs: 5_000,
    };
    if (iso.list !== undefined) job.list = iso.list;
    if (target.caCertPem !== undefined) job.caCertPem = target.caCertPem;
    return job;
  });
  return await Promise.all(jobs.map(async (job): Promise<WorkerOutcome> => {
    const r = await runRestrictedWorker<SvcIsoJob, SvcIsoReport>(src, job, [host], WORKER_MS, {
      type: "application/javascript",
    });
    return r.ok ? { ok: true, report: r.value } : { ok: false, worker: job.worker, error: r.error };
  }));
}
