/**
 * The body of an isolation worker: builds two SDK instances from the module under test
 * (each with its own token) and sends requests from both, interleaved. Runs inside a
 * Deno worker with `net` limited to the mock server and no other permission.
 *
 * @module
 */
import type { CreateClient } from "../modules/contract.ts";
import { errorMessage } from "../../src/util/error_message.ts";

/** The job a worker receives. */
export interface IsoJob {
  worker: number;
  baseUrl: string;
  caCertPem: string;
  tokens: [string, string];
  requestsPerInstance: number;
}

/** What a worker reports. */
export type IsoReport =
  | { ok: true; worker: number; statuses: number[] }
  | { ok: false; worker: number; error: { name: string; message: string; permissionDenied: boolean } };

/**
 * Run a job with a module's `createClient`.
 *
 * @param createClient the SDK module's factory
 * @param job the job
 * @returns the report
 */
export async function runIsoJob(createClient: CreateClient, job: IsoJob): Promise<IsoReport> {
  try {
    const clients = await Promise.all(
      job.tokens.map((token) => createClient({ baseUrl: job.baseUrl, token, caCertPem: job.caCertPem })),
    );
    const calls: Promise<{ status: number }>[] = [];
    for (let k = 0; k < job.requestsPerInstance; k++) {
      clients.forEach((c, i) => calls.push(c.request({ method: "GET", path: `/w${job.worker}/c${i}/${k}` })));
    }
    const statuses = (await Promise.all(calls)).map((r) => r.status);
    await Promise.all(clients.map((c) => c.close?.()));
    return { ok: true, worker: job.worker, statuses };
  } catch (e) {
    const name = e instanceof Error ? e.name : "Error";
    const message = errorMessage(e);
    const permissionDenied = name === "NotCapable" || name === "PermissionDenied" ||
      /requires \w+ access|permission/i.test(message);
    return {
      ok: false,
      worker: job.worker,
      error: { name, message: message.slice(0, 300), permissionDenied },
    };
  }
}
