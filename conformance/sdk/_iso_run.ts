/**
 * Host side of `sdk.iso.workers`: run one isolation job (`_iso_worker.ts`) in a Deno worker that
 * has network access to one host and no other permission, bounded in time.
 *
 * @module
 */
import { runRestrictedWorker } from "../../src/util/restricted_worker.ts";
import type { IsoJob, IsoReport } from "./_iso_worker.ts";

/**
 * A worker loads (under `deno test`, also type-checks) the SDK module first: 8 at once take ~20 s
 * there, more on a loaded machine. A bound for the kit's own work, not part of any verdict.
 */
const WORKER_MS = 50_000;

/** Run one isolation job in a restricted worker; never hangs (bounded, then terminated). */
export async function runWorker(moduleUrl: string, job: IsoJob, netHost: string): Promise<IsoReport> {
  const body = new URL("./_iso_worker.ts", import.meta.url).href;
  const src = `import { createClient } from ${JSON.stringify(moduleUrl)};
import { runIsoJob } from ${JSON.stringify(body)};
self.onmessage = async (e) => { self.postMessage(await runIsoJob(createClient, e.data)); };`;
  const r = await runRestrictedWorker<IsoJob, IsoReport>(src, job, [netHost], WORKER_MS);
  return r.ok ? r.value : { ok: false, worker: job.worker, error: r.error };
}
