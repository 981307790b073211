/**
 * Host side of `sdk.iso.workers`: run one isolation job (`_iso_worker.ts`) in a Deno worker that
 * has network access to one host and no other permission, bounded in time.
 *
 * @module
 */
import { deadline } from "../../src/util/deadline.ts";
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
  const url = URL.createObjectURL(new Blob([src], { type: "application/typescript" }));
  const worker = new Worker(url, {
    type: "module",
    deno: {
      permissions: {
        net: [netHost],
        read: false,
        write: false,
        env: false,
        run: false,
        ffi: false,
        sys: false,
        import: false,
      },
    },
  });
  const report = new Promise<IsoReport>((resolve) => {
    worker.onmessage = (e: MessageEvent<IsoReport>) => resolve(e.data);
    worker.onerror = (e) => {
      e.preventDefault();
      const permissionDenied = /requires \w+ access|NotCapable|PermissionDenied/i.test(e.message);
      resolve({
        ok: false,
        worker: job.worker,
        error: { name: "WorkerError", message: e.message.slice(0, 300), permissionDenied },
      });
    };
  });
  worker.postMessage(job);
  try {
    const r = await deadline(report, WORKER_MS);
    if (r.ok) return r.value;
    return {
      ok: false,
      worker: job.worker,
      error: {
        name: "Timeout",
        message: `worker did not report within ${WORKER_MS} ms`,
        permissionDenied: false,
      },
    };
  } finally {
    worker.terminate();
    URL.revokeObjectURL(url);
  }
}
