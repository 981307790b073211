/**
 * The evidence a check records, shared by the mock server, the driver host, the engine and the
 * reports: defined once, as zod schemas. The TypeScript types are written out (so the public API
 * names no zod types), and a compile-time check proves each identical to its schema's inferred type.
 *
 * @module
 */
import { z } from "zod";
import type { Same } from "./_same.ts";

const recordedRequest = z.object({
  t: z.number(),
  method: z.string(),
  path: z.string(),
  query: z.string(),
  headers: z.record(z.string(), z.string()),
  bodySize: z.number(),
  body: z.string(),
  connection: z.string(),
  listener: z.string(),
});
/** A request the mock server (or a server probe) recorded; secrets masked as `<canary>` in reports. */
export const RecordedRequestSchema: z.ZodObject<{
  /** ms since the scenario was created */
  t: z.ZodNumber;
  method: z.ZodString;
  path: z.ZodString;
  query: z.ZodString;
  headers: z.ZodRecord<z.ZodString, z.ZodString>;
  bodySize: z.ZodNumber;
  /** UTF-8 body text, truncated to 4 KiB (kept for leak scans) */
  body: z.ZodString;
  /** an id of the TCP/TLS connection the request arrived on */
  connection: z.ZodString;
  /** which listener: "https" | "http" | "foreign" | "untrusted" */
  listener: z.ZodString;
}> = recordedRequest;
const _recordedRequest: Same<typeof recordedRequest, typeof RecordedRequestSchema> = true;
/** A request the mock server (or a server probe) recorded; secrets masked as `<canary>` in reports. */
export interface RecordedRequest {
  /** when it arrived, in ms since the scenario was created */
  t: number;
  /** the HTTP method, e.g. "GET" */
  method: string;
  /** the URL path, without the query */
  path: string;
  /** the query string without its leading `?` ("" when none) */
  query: string;
  /** the request headers, names lower-cased */
  headers: Record<string, string>;
  /** the body's size in bytes (before truncation) */
  bodySize: number;
  /** the body as UTF-8 text, truncated to 4 KiB (kept for leak scans) */
  body: string;
  /** an id of the TCP/TLS connection the request arrived on (equal ids: a reused connection) */
  connection: string;
  /** which listener received it: "https", "http", "foreign" or "untrusted" */
  listener: string;
}
const _recordedRequestType: Same<z.infer<typeof recordedRequest>, RecordedRequest> = true;

const leakFinding = z.object({ where: z.string(), form: z.string(), excerpt: z.string() });
/** Where a canary was found. */
export const LeakFindingSchema: z.ZodObject<{
  /** e.g. "driver stderr", "reply of request", "request url", "file HOME/.cache/x" */
  where: z.ZodString;
  /** "raw" | "url-encoded" | "base64" | "fragment" */
  form: z.ZodString;
  /** the surrounding text with every canary masked */
  excerpt: z.ZodString;
}> = leakFinding;
const _leakFinding: Same<typeof leakFinding, typeof LeakFindingSchema> = true;
/** Where a canary (a secret the kit minted) was found outside the place it belongs. */
export interface LeakFinding {
  /** where: e.g. "driver stderr", "reply of request", "request url", "file HOME/.cache/x" */
  where: string;
  /** how it was written: "raw", "url-encoded", "base64" or "fragment" */
  form: string;
  /** the surrounding text, with every canary masked */
  excerpt: string;
}
const _leakFindingType: Same<z.infer<typeof leakFinding>, LeakFinding> = true;

const timeline = z.object({
  called_ms: z.number().optional(),
  attempts_ms: z.array(z.number()).optional(),
  max_attempts: z.number().int().nonnegative().optional(),
  deadline_ms: z.number().optional(),
  gave_up_ms: z.number().optional(),
});
/**
 * The moments of one call a check timed, on the axis of the requests' `t` (ms since the scenario
 * was created), and the bound its rule sets: what report.html draws as a timeline.
 */
export const TimelineSchema: z.ZodObject<{
  /** when the kit made the call */
  called_ms: z.ZodOptional<z.ZodNumber>;
  /** when each attempt arrived (kept on a pass, where the requests are not) */
  attempts_ms: z.ZodOptional<z.ZodArray<z.ZodNumber>>;
  /** the most attempts the rule allows */
  max_attempts: z.ZodOptional<z.ZodNumber>;
  /** the latest moment the rule allows the call to end */
  deadline_ms: z.ZodOptional<z.ZodNumber>;
  /** when the call ended (the SDK answered or gave up); absent while it had not */
  gave_up_ms: z.ZodOptional<z.ZodNumber>;
}> = timeline;
const _timeline: Same<typeof timeline, typeof TimelineSchema> = true;
/**
 * The moments of one call a check timed, on the axis of the requests' `t` (ms since the scenario
 * was created), and the bound its rule sets: what report.html draws as a timeline.
 */
export interface Timeline {
  /** when the kit made the call */
  called_ms?: number | undefined;
  /** when each attempt arrived (kept on a pass, where the requests are not) */
  attempts_ms?: number[] | undefined;
  /** the most attempts the rule allows */
  max_attempts?: number | undefined;
  /** the latest moment the rule allows the call to end */
  deadline_ms?: number | undefined;
  /** when the call ended (the SDK answered or gave up); absent while it had not */
  gave_up_ms?: number | undefined;
}
const _timelineType: Same<z.infer<typeof timeline>, Timeline> = true;

const evidence = z.object({
  requests: z.array(RecordedRequestSchema).optional(),
  timings: z.record(z.string(), z.number()).optional(),
  reply: z.unknown().optional(),
  output: z.array(z.string()).optional(),
  leaks: z.array(LeakFindingSchema).optional(),
  notes: z.array(z.string()).optional(),
  timeline: TimelineSchema.optional(),
  property: z.object({
    seed: z.number(),
    path: z.string().optional(),
    counterexample: z.string().optional(),
    runs: z.number(),
  }).optional(),
});
/** What a vendor needs to fix a fault. Everything here is masked before it is reported. */
export const EvidenceSchema: z.ZodObject<{
  /** requests the mock server or probe saw */
  requests: z.ZodOptional<z.ZodArray<typeof RecordedRequestSchema>>;
  /** named durations in ms */
  timings: z.ZodOptional<z.ZodRecord<z.ZodString, z.ZodNumber>>;
  /** the driver's reply (result or error) */
  reply: z.ZodOptional<z.ZodUnknown>;
  /** SDK output lines (stdout non-protocol lines and stderr), tail */
  output: z.ZodOptional<z.ZodArray<z.ZodString>>;
  /** where canaries leaked */
  leaks: z.ZodOptional<z.ZodArray<typeof LeakFindingSchema>>;
  /** free-form facts with numbers: "configured read_ms=300", "attempts=4" */
  notes: z.ZodOptional<z.ZodArray<z.ZodString>>;
  /** the timed call: its moments and the rule's bound */
  timeline: z.ZodOptional<typeof TimelineSchema>;
  /** property suites: the seed, the shrink path and the counterexample */
  property: z.ZodOptional<
    z.ZodObject<{
      seed: z.ZodNumber;
      path: z.ZodOptional<z.ZodString>;
      counterexample: z.ZodOptional<z.ZodString>;
      runs: z.ZodNumber;
    }>
  >;
}> = evidence;
const _evidence: Same<typeof evidence, typeof EvidenceSchema> = true;
/** What a vendor needs to fix a fault. Everything here is masked before it is reported. */
export interface Evidence {
  /** the requests the mock server or the server probe saw, in arrival order */
  requests?: RecordedRequest[] | undefined;
  /** named durations, in ms (e.g. `{ "gap_1": 412 }`) */
  timings?: Record<string, number> | undefined;
  /** the driver's reply (its result or its error), as the driver sent it */
  reply?: unknown;
  /** the tail of the SDK's output lines (stdout lines that are not protocol, and stderr) */
  output?: string[] | undefined;
  /** where canaries leaked */
  leaks?: LeakFinding[] | undefined;
  /** free-form facts with numbers: "configured read_ms=300", "attempts=4" */
  notes?: string[] | undefined;
  /** the timed call: its moments and the bound the rule sets (drawn in report.html) */
  timeline?: Timeline | undefined;
  /** property suites: what reproduces the run */
  property?: {
    /** the fast-check seed */
    seed: number;
    /** the shrink path that replays the counterexample */
    path?: string | undefined;
    /** the smallest failing input, as text */
    counterexample?: string | undefined;
    /** how many inputs ran */
    runs: number;
  } | undefined;
}
const _evidenceType: Same<z.infer<typeof evidence>, Evidence> = true;
