/**
 * Run one job in a Deno worker that may reach the network hosts it is given and nothing else (no
 * read, write, env, run, ffi, sys or import permission), bounded in time: the worker is always
 * terminated. Used by the isolation suites (`sdk.iso.workers`, `svc.iso.concurrent`). Needs
 * `--unstable-worker-options`.
 *
 * @module
 */
import { deadline } from "./deadline.ts";

/** Why a restricted worker gave no report. */
export interface WorkerFailure {
  /** "WorkerError" (an uncaught error in the worker) or "Timeout" */
  name: string;
  message: string;
  /** whether the error names a missing permission */
  permissionDenied: boolean;
}

/**
 * Start a module-typed worker from source text, post it `job`, and wait for its first message.
 * The source must set `self.onmessage` and answer with one `postMessage`.
 *
 * @param source the worker's module source (it may import absolute `file:` URLs)
 * @param job the message posted to it
 * @param net the `host:port` entries the worker may connect to
 * @param ms how long to wait for its report
 * @param opts the source's media type @default "application/typescript"
 * @returns the worker's report, or why there was none
 * @example
 * ```ts
 * import { runRestrictedWorker } from "./restricted_worker.ts";
 * const src = "self.onmessage = (e) => self.postMessage(e.data * 2);";
 * const r = await runRestrictedWorker<number, number>(src, 21, ["127.0.0.1:1"], 10_000);
 * if (!r.ok || r.value !== 42) throw new Error(JSON.stringify(r));
 * ```
 */
export async function runRestrictedWorker<J, R>(
  source: string,
  job: J,
  net: readonly string[],
  ms: number,
  opts: { type?: "application/typescript" | "application/javascript" } = {},
): Promise<{ ok: true; value: R } | { ok: false; error: WorkerFailure }> {
  const url = URL.createObjectURL(new Blob([source], { type: opts.type ?? "application/typescript" }));
  const worker = new Worker(url, {
    type: "module",
    deno: {
      permissions: {
        net: [...net],
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
  const report = new Promise<{ ok: true; value: R } | { ok: false; error: WorkerFailure }>((resolve) => {
    worker.onmessage = (e: MessageEvent<R>) => resolve({ ok: true, value: e.data });
    worker.onerror = (e) => {
      e.preventDefault();
      const permissionDenied = /requires \w+ access|NotCapable|PermissionDenied/i.test(e.message);
      resolve({
        ok: false,
        error: { name: "WorkerError", message: e.message.slice(0, 300), permissionDenied },
      });
    };
  });
  worker.postMessage(job);
  try {
    const r = await deadline(report, ms);
    if (r.ok) return r.value;
    return {
      ok: false,
      error: { name: "Timeout", message: `worker did not report within ${ms} ms`, permissionDenied: false },
    };
  } finally {
    worker.terminate();
    URL.revokeObjectURL(url);
  }
}
