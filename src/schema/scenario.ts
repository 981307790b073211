/**
 * Mock-server scenario scripts. A scenario answers the requests under
 * `/s/<scenario-id>/…`: the n-th request gets `responses[n]` (the last one
 * repeats), unless a response names a `match` that selects it by method/path.
 *
 * @module
 */
import { z } from "zod";
import type { Same } from "./_same.ts";

const body = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("json"), value: z.unknown() }),
  z.object({ kind: z.literal("text"), value: z.string() }),
  z.object({ kind: z.literal("bytes"), size: z.number().int().min(0), fill: z.string().optional() }),
  z.object({ kind: z.literal("endless"), chunk_bytes: z.number().int().positive().optional() }),
  z.object({
    kind: z.literal("trickle"),
    interval_ms: z.number().int().positive(),
    bytes: z.number().int().positive().optional(),
  }),
  z.object({
    kind: z.literal("sse"),
    events: z.array(z.unknown()).optional(),
    endless: z.boolean().optional(),
    interval_ms: z.number().int().positive().optional(),
  }),
]);
/** A body the mock server sends. */
export const BodySchema: z.ZodDiscriminatedUnion<
  [
    /** JSON value, `content-type: application/json` unless headers say otherwise */
    z.ZodObject<{ kind: z.ZodLiteral<"json">; value: z.ZodUnknown }>,
    /** text as given */
    z.ZodObject<{ kind: z.ZodLiteral<"text">; value: z.ZodString }>,
    /** `size` bytes of `fill` (default "a"), sent in chunks as fast as the client reads */
    z.ZodObject<{ kind: z.ZodLiteral<"bytes">; size: z.ZodNumber; fill: z.ZodOptional<z.ZodString> }>,
    /** never-ending body of `fill` chunks, until the client goes away */
    z.ZodObject<{ kind: z.ZodLiteral<"endless">; chunk_bytes: z.ZodOptional<z.ZodNumber> }>,
    /** one byte every `interval_ms` forever (or `bytes` bytes) */
    z.ZodObject<
      { kind: z.ZodLiteral<"trickle">; interval_ms: z.ZodNumber; bytes: z.ZodOptional<z.ZodNumber> }
    >,
    /**
     * SSE: `events` first, then (if `endless`) a generated event every `interval_ms`
     * forever; then closes the stream (a drop) unless `endless`. Each event gets an `id`
     * (its 1-based sequence number, continuing after `Last-Event-ID`) and `data` as JSON.
     */
    z.ZodObject<{
      kind: z.ZodLiteral<"sse">;
      events: z.ZodOptional<z.ZodArray<z.ZodUnknown>>;
      endless: z.ZodOptional<z.ZodBoolean>;
      interval_ms: z.ZodOptional<z.ZodNumber>;
    }>,
  ],
  "kind"
> = body;
const _body: Same<typeof body, typeof BodySchema> = true;
/** A body the mock server sends. */
export type Body = z.infer<typeof BodySchema>;

const responseStep = z.object({
  match: z.object({ method: z.string().optional(), path: z.string().optional() }).optional(),
  status: z.number().int().min(100).max(599).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  body: BodySchema.optional(),
  delay_ms: z.number().int().min(0).optional(),
  stall: z.boolean().optional(),
  close: z.boolean().optional(),
  redirect: z.string().optional(),
});
/** One scripted response. */
export const ResponseStepSchema: z.ZodObject<{
  /** only for requests matching these (else the step is taken in order) */
  match: z.ZodOptional<z.ZodObject<{ method: z.ZodOptional<z.ZodString>; path: z.ZodOptional<z.ZodString> }>>;
  /** the status: 200 by default, 302 by default on a `redirect` step (no zod default, so a parsed
   * script means the same as the script as written) */
  status: z.ZodOptional<z.ZodNumber>;
  headers: z.ZodOptional<z.ZodRecord<z.ZodString, z.ZodString>>;
  body: z.ZodOptional<typeof BodySchema>;
  /** wait this long before sending headers */
  delay_ms: z.ZodOptional<z.ZodNumber>;
  /** never send anything (until the client goes away) */
  stall: z.ZodOptional<z.ZodBoolean>;
  /** destroy the connection without a response */
  close: z.ZodOptional<z.ZodBoolean>;
  /**
   * redirect (status 302 unless given): "foreign" = same path on the 127.0.0.2 listener,
   * "http" = same path on the plain-HTTP listener, or an absolute path of this scenario
   */
  redirect: z.ZodOptional<z.ZodString>;
}> = responseStep;
const _responseStep: Same<typeof responseStep, typeof ResponseStepSchema> = true;
/** One scripted response. */
export type ResponseStep = z.input<typeof ResponseStepSchema>;

const scenario = z.object({
  name: z.string().optional(),
  responses: z.array(ResponseStepSchema).min(1),
});
/** A scenario script. */
export const ScenarioSchema: z.ZodObject<{
  name: z.ZodOptional<z.ZodString>;
  responses: z.ZodArray<typeof ResponseStepSchema>;
}> = scenario;
const _scenario: Same<typeof scenario, typeof ScenarioSchema> = true;
/** A scenario script. */
export type Scenario = z.input<typeof ScenarioSchema>;
