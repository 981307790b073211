/**
 * The evidence a check records, shared by the mock server, the driver host, the engine and the
 * reports: defined once, as zod schemas, with the TypeScript types inferred from them.
 *
 * @module
 */
import { z } from "zod";

/** A request the mock server (or a server probe) recorded; secrets masked as `<canary>` in reports. */
export const RecordedRequestSchema = z.object({
  /** ms since the scenario was created */
  t: z.number(),
  method: z.string(),
  path: z.string(),
  query: z.string(),
  headers: z.record(z.string(), z.string()),
  bodySize: z.number(),
  /** UTF-8 body text, truncated to 4 KiB (kept for leak scans) */
  body: z.string(),
  /** an id of the TCP/TLS connection the request arrived on */
  connection: z.string(),
  /** which listener: "https" | "http" | "foreign" | "untrusted" */
  listener: z.string(),
});
/** A request the mock server (or a server probe) recorded. */
export type RecordedRequest = z.infer<typeof RecordedRequestSchema>;

/** Where a canary was found. */
export const LeakFindingSchema = z.object({
  /** e.g. "driver stderr", "reply of request", "request url", "file HOME/.cache/x" */
  where: z.string(),
  /** "raw" | "url-encoded" | "base64" | "fragment" */
  form: z.string(),
  /** the surrounding text with every canary masked */
  excerpt: z.string(),
});
/** Where a canary was found. */
export type LeakFinding = z.infer<typeof LeakFindingSchema>;

/** What a vendor needs to fix a fault. Everything here is masked before it is reported. */
export const EvidenceSchema = z.object({
  /** requests the mock server or probe saw */
  requests: z.array(RecordedRequestSchema).optional(),
  /** named durations in ms */
  timings: z.record(z.string(), z.number()).optional(),
  /** the driver's reply (result or error) */
  reply: z.unknown().optional(),
  /** SDK output lines (stdout non-protocol lines and stderr), tail */
  output: z.array(z.string()).optional(),
  /** where canaries leaked */
  leaks: z.array(LeakFindingSchema).optional(),
  /** free-form facts with numbers: "configured read_ms=300", "attempts=4" */
  notes: z.array(z.string()).optional(),
  /** property suites: the seed, the shrink path and the counterexample */
  property: z.object({
    seed: z.number(),
    path: z.string().optional(),
    counterexample: z.string().optional(),
    runs: z.number(),
  }).optional(),
});
/** What a vendor needs to fix a fault. */
export type Evidence = z.infer<typeof EvidenceSchema>;
