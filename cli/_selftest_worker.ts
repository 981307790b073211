/**
 * A selftest worker: a thread with its own event loop that runs the rows it is sent. Each worker
 * starts a profile's session on its first row of that profile and keeps it until it is told to
 * close, so one row's busy moments (a big body, a TLS handshake) never stall the timers of rows
 * in other workers. Messages: {@linkcode WorkerRequest} in, {@linkcode WorkerReply} out.
 *
 * @module
 */
import type { Session, StartResult } from "../src/engine/profile.ts";
import type { SelftestRow } from "../src/report/matrix.ts";
import { closeAll } from "../src/driver/host.ts";
import { errorMessage } from "../src/util/error_message.ts";
import { PROFILES } from "./profiles.ts";
import type { SelftestJob } from "./_selftest_plan.ts";
import { runRow } from "./_selftest_rows.ts";

/** What the main thread asks of a worker. */
export type WorkerRequest =
  | { kind: "row"; id: number; profile: string; job: SelftestJob; seed: number; concurrency?: number }
  | { kind: "close" };

/** What a worker answers. */
export type WorkerReply =
  | { kind: "row"; id: number; row: SelftestRow }
  | { kind: "unstarted"; id: number; error: string; unavailable: boolean }
  | { kind: "closed" };

/** The worker's side of the channel (the module is type-checked with the window's globals). */
const port = globalThis as unknown as {
  onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(m: WorkerReply): void;
};

const sessions = new Map<string, Promise<StartResult<Session>>>();

function session(name: string, seed: number, concurrency: number | undefined) {
  let s = sessions.get(name);
  if (s === undefined) {
    const profile = PROFILES.find((p) => p.name === name);
    s = profile === undefined
      ? Promise.resolve({ ok: false, error: `no profile ${name}` })
      : profile.start({ seed, concurrency: concurrency ?? profile.defaultConcurrency, log: () => {} })
        .catch((e) => ({ ok: false, error: `did not start: ${errorMessage(e)}` }));
    sessions.set(name, s);
  }
  return s;
}

async function row(req: Extract<WorkerRequest, { kind: "row" }>): Promise<WorkerReply> {
  const profile = PROFILES.find((p) => p.name === req.profile);
  const s = await session(req.profile, req.seed, req.concurrency);
  if (!s.ok || profile === undefined) {
    return {
      kind: "unstarted",
      id: req.id,
      error: s.ok ? `no profile ${req.profile}` : s.error,
      unavailable: !s.ok && s.unavailable === true,
    };
  }
  try {
    const r = await runRow(
      req.job,
      s.value.reference(req.job.mutant),
      req.seed,
      req.concurrency ?? profile.defaultConcurrency,
    );
    return { kind: "row", id: req.id, row: r };
  } catch (e) {
    const failed = { mutant: req.job.name, expected: req.job.checks, caught: [], missed: [errorMessage(e)] };
    return { kind: "row", id: req.id, row: { ...failed, ok: false } };
  }
}

async function close(): Promise<WorkerReply> {
  // rows still running (a signal stopped the selftest): the kit's modules end what they started on
  // "unload", which a worker that is terminated never sees, so say it now (a no-op once rows are done)
  globalThis.dispatchEvent(new Event("unload"));
  const all = await Promise.all(sessions.values());
  await Promise.all(all.map((s) => s.ok ? s.value.close().catch(() => {}) : undefined));
  await closeAll().catch(() => 0);
  return { kind: "closed" };
}

port.onmessage = (e) => {
  const req = e.data;
  const reply = req.kind === "row" ? row(req) : close();
  reply.then((r) => port.postMessage(r));
};
