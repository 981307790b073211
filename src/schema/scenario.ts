/**
 * Mock-server scenario scripts. A scenario answers the requests under
 * `/s/<scenario-id>/…`: the n-th request gets `responses[n]` (the last one
 * repeats), unless a response names a `match` that selects it by method/path.
 *
 * @module
 */
import { z } from "zod";

/** A body the mock server sends. */
export const BodySchema = z.discriminatedUnion("kind", [
  /** JSON value, `content-type: application/json` unless headers say otherwise */
  z.object({ kind: z.literal("json"), value: z.unknown() }),
  /** text as given */
  z.object({ kind: z.literal("text"), value: z.string() }),
  /** `size` bytes of `fill` (default "a"), sent in chunks as fast as the client reads */
  z.object({ kind: z.literal("bytes"), size: z.number().int().min(0), fill: z.string().optional() }),
  /** never-ending body of `fill` chunks, until the client goes away */
  z.object({ kind: z.literal("endless"), chunk_bytes: z.number().int().positive().optional() }),
  /** one byte every `interval_ms` forever (or `bytes` bytes) */
  z.object({
    kind: z.literal("trickle"),
    interval_ms: z.number().int().positive(),
    bytes: z.number().int().positive().optional(),
  }),
  /**
   * SSE: `events` first, then (if `endless`) a generated event every `interval_ms`
   * forever; then closes the stream (a drop) unless `endless`. Each event gets an `id`
   * (its 1-based sequence number, continuing after `Last-Event-ID`) and `data` as JSON.
   */
  z.object({
    kind: z.literal("sse"),
    events: z.array(z.unknown()).optional(),
    endless: z.boolean().optional(),
    interval_ms: z.number().int().positive().optional(),
  }),
]);
/** A body the mock server sends. */
export type Body = z.infer<typeof BodySchema>;

/** One scripted response. */
export const ResponseStepSchema = z.object({
  /** only for requests matching these (else the step is taken in order) */
  match: z.object({ method: z.string().optional(), path: z.string().optional() }).optional(),
  /** the status: 200 by default, 302 by default on a `redirect` step (no zod default, so a parsed
   * script means the same as the script as written) */
  status: z.number().int().min(100).max(599).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  body: BodySchema.optional(),
  /** wait this long before sending headers */
  delay_ms: z.number().int().min(0).optional(),
  /** never send anything (until the client goes away) */
  stall: z.boolean().optional(),
  /** destroy the connection without a response */
  close: z.boolean().optional(),
  /**
   * redirect (status 302 unless given): "foreign" = same path on the 127.0.0.2 listener,
   * "http" = same path on the plain-HTTP listener, or an absolute path of this scenario
   */
  redirect: z.string().optional(),
});
/** One scripted response. */
export type ResponseStep = z.input<typeof ResponseStepSchema>;

/** A scenario script. */
export const ScenarioSchema = z.object({
  name: z.string().optional(),
  responses: z.array(ResponseStepSchema).min(1),
});
/** A scenario script. */
export type Scenario = z.input<typeof ScenarioSchema>;
