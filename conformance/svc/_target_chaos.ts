/**
 * The target file's `[chaos]` table: the bounds the `svc.chaos.*` checks hold a server to
 * (`deno task chaos --target FILE`), each with the default a target that names none gets.
 *
 * @module
 */
import { z } from "zod";

const path = z.string().regex(/^\/[^\s?#]*$/, "must be a path starting with '/' (no query, no spaces)");

/** The raw `[chaos]` table. */
export const ChaosTableSchema: z.ZodType<ChaosTable> = z.object({
  head_timeout_s: z.number().positive().max(120).optional(),
  body_timeout_s: z.number().positive().max(120).optional(),
  sse_backpressure_timeout_s: z.number().positive().max(120).optional(),
  sse_path: path.optional(),
  list: path.optional(),
  health_p95_ms: z.number().int().positive().max(30_000).optional(),
  new_client_ms: z.number().int().positive().max(30_000).optional(),
}).strict();

/** The `[chaos]` table as written. */
export interface ChaosTable {
  head_timeout_s?: number | undefined;
  body_timeout_s?: number | undefined;
  sse_backpressure_timeout_s?: number | undefined;
  sse_path?: string | undefined;
  list?: string | undefined;
  health_p95_ms?: number | undefined;
  new_client_ms?: number | undefined;
}

/** The bounds of the `svc.chaos.*` checks, resolved. */
export interface ChaosBounds {
  /** a request head trickled one byte at a time must be cut within this (s) */
  headTimeoutS: number;
  /** a request body trickled a few bytes a second must be cut within this (s) */
  bodyTimeoutS: number;
  /** an SSE subscriber that stops reading must be dropped within this (s) */
  sseBackpressureTimeoutS: number;
  /** a never-ending SSE route (GET) for the slow reader; default the `[sse]` route */
  ssePath?: string;
  /** a GET route listing the write route's resources (the resets check counts them) */
  list?: string;
  /** other clients' health p95 while slow clients are open must stay under this (ms) */
  healthP95Ms: number;
  /** a new client must be served within this while 200 idle connections are open (ms) */
  newClientMs: number;
}

/** The bounds of a target that names none (seed 001 §5: SSE_BACKPRESSURE_FAIL_TIMEOUT_S = 30). */
export const DEFAULT_CHAOS_BOUNDS: Readonly<ChaosBounds> = Object.freeze({
  headTimeoutS: 60,
  bodyTimeoutS: 60,
  sseBackpressureTimeoutS: 30,
  healthP95Ms: 1000,
  newClientMs: 2000,
});

/**
 * Resolve a `[chaos]` table: what it states, the defaults for the rest.
 *
 * @param t the table, if the file has one
 * @returns the bounds
 * @example
 * ```ts
 * import { chaosBounds } from "./_target_chaos.ts";
 * const b = chaosBounds({ head_timeout_s: 5, list: "/items" });
 * if (b.headTimeoutS !== 5 || b.sseBackpressureTimeoutS !== 30 || b.list !== "/items") throw new Error();
 * ```
 */
export function chaosBounds(t: ChaosTable | undefined): ChaosBounds {
  const d = DEFAULT_CHAOS_BOUNDS;
  const b: ChaosBounds = {
    headTimeoutS: t?.head_timeout_s ?? d.headTimeoutS,
    bodyTimeoutS: t?.body_timeout_s ?? d.bodyTimeoutS,
    sseBackpressureTimeoutS: t?.sse_backpressure_timeout_s ?? d.sseBackpressureTimeoutS,
    healthP95Ms: t?.health_p95_ms ?? d.healthP95Ms,
    newClientMs: t?.new_client_ms ?? d.newClientMs,
  };
  if (t?.sse_path !== undefined) b.ssePath = t.sse_path;
  if (t?.list !== undefined) b.list = t.list;
  return b;
}
