/**
 * The selftest's lanes: worker threads (`_selftest_worker.ts`), each with its own event loop, that
 * run the rows the pool hands out. A row goes to the lane with the least weight in flight, so the
 * busy rows spread over the cores while a row that only waits on a timer weighs nothing; a row
 * that must not share its event loop (a reference row) gets a lane of its own, closed after it.
 *
 * @module
 */
import type { SelftestRow } from "../src/report/matrix.ts";
import { deadline } from "../src/util/deadline.ts";
import type { SelftestJob } from "./_selftest_plan.ts";
import type { WorkerReply, WorkerRequest } from "./_selftest_worker.ts";

/** A row's outcome from a lane: the row, or why its profile could not start there. */
export type LaneResult =
  | { kind: "row"; row: SelftestRow }
  | { kind: "unstarted"; error: string; unavailable: boolean };

/** A row to run in a lane. */
export interface LaneRow {
  profile: string;
  job: SelftestJob;
  seed: number;
  concurrency?: number;
}

/** The lanes: run rows, then close every session they started. */
export interface Lanes {
  /** how many lanes */
  readonly size: number;
  /**
   * run one row in the least loaded lane (`weight` is what it adds to that lane's load), or
   * `alone` in a lane of its own, started for it and closed after it
   */
  run(row: LaneRow, weight: number, alone?: boolean): Promise<LaneResult>;
  /** close every session in every lane (bounded), then end the threads */
  close(): Promise<void>;
}

interface Lane {
  worker: Worker;
  load: number;
  pending: Map<number, (r: LaneResult) => void>;
  closed?: () => void;
}

let nextId = 0;

function newLane(): Lane {
  const lane: Lane = {
    worker: new Worker(new URL("./_selftest_worker.ts", import.meta.url), { type: "module" }),
    load: 0,
    pending: new Map(),
  };
  lane.worker.onmessage = (e: MessageEvent<WorkerReply>) => {
    const m = e.data;
    switch (m.kind) {
      case "row":
      case "unstarted": {
        const done = lane.pending.get(m.id);
        lane.pending.delete(m.id);
        done?.(m.kind === "row" ? m : { kind: m.kind, error: m.error, unavailable: m.unavailable });
        break;
      }
      case "closed":
        lane.closed?.();
        break;
      default: {
        const never: never = m;
        throw new Error(`unknown reply ${JSON.stringify(never)}`);
      }
    }
  };
  lane.worker.onerror = (e) => {
    e.preventDefault();
    const why = `the selftest lane crashed: ${e.message}`;
    for (const [, done] of lane.pending) done({ kind: "unstarted", error: why, unavailable: false });
    lane.pending.clear();
    lane.closed?.();
  };
  return lane;
}

function runIn(lane: Lane, row: LaneRow, weight: number): Promise<LaneResult> {
  const id = nextId++;
  lane.load += weight;
  return new Promise<LaneResult>((resolve) => {
    lane.pending.set(id, (r) => {
      lane.load -= weight;
      resolve(r);
    });
    lane.worker.postMessage({ kind: "row", id, ...row } satisfies WorkerRequest);
  });
}

async function closeLane(lane: Lane, limitMs: number): Promise<void> {
  await deadline(
    new Promise<void>((resolve) => {
      lane.closed = resolve;
      lane.worker.postMessage({ kind: "close" } satisfies WorkerRequest);
    }),
    limitMs,
  );
  lane.worker.terminate();
}

/**
 * Start `n` lanes (at least 1).
 *
 * @param n how many worker threads
 * @param closeLimitMs how long closing may take before the threads are ended anyway
 * @returns the lanes
 * @example
 * ```ts ignore
 * const lanes = openLanes(2);
 * const r = await lanes.run({ profile: "svc", job: { name: "svc:reference", checks: [] }, seed: 1 }, 1);
 * await lanes.close();
 * ```
 */
export function openLanes(n: number, closeLimitMs = 30_000): Lanes {
  const lanes: Lane[] = Array.from({ length: Math.max(1, Math.floor(n) || 1) }, newLane);
  const own = new Set<Lane>();
  return {
    size: lanes.length,
    async run(row, weight, alone = false) {
      if (!alone) return runIn(lanes.reduce((a, b) => (b.load < a.load ? b : a)), row, weight);
      const lane = newLane();
      own.add(lane);
      try {
        return await runIn(lane, row, weight);
      } finally {
        await closeLane(lane, closeLimitMs);
        own.delete(lane);
      }
    },
    async close() {
      await Promise.all([...lanes, ...own].map((lane) => closeLane(lane, closeLimitMs)));
    },
  };
}
