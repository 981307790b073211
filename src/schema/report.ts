/**
 * `report.json` v1: the versioned, machine-readable result of one certification run.
 * Every report is masked before it is written: it never contains a canary, only `<canary>`.
 * The zod schemas are the source of truth; the TypeScript types are written out (so the public
 * API names no zod types) and proved identical to the schemas' inferred types at compile time.
 *
 * @module
 */
import { z } from "zod";
import type { Same } from "./_same.ts";
import { type Evidence, EvidenceSchema } from "./evidence.ts";
import denoJson from "../../deno.json" with { type: "json" };

/** The schema id written into every report. */
export const REPORT_SCHEMA_ID = "https://ron-kit.dev/report/v1";

/** The kit's name and version (from deno.json). */
export const KIT: Report["kit"] = z.object({ name: z.string(), version: z.string() }).parse({
  name: denoJson.name,
  version: denoJson.version,
});

export { EvidenceSchema };

const reportResult = z.object({
  id: z.string(),
  title: z.string(),
  level: z.enum(["MUST", "SHOULD", "FUTURE"]),
  source: z.string(),
  outcome: z.enum(["pass", "fail", "not_applicable", "error"]),
  reason: z.string().optional(),
  duration_ms: z.number().nonnegative(),
  evidence: EvidenceSchema.optional(),
  expected_failure: z.boolean().optional(),
});
/** One check's result in a report. */
export const ReportResultSchema: z.ZodObject<{
  id: z.ZodString;
  title: z.ZodString;
  level: z.ZodEnum<z.core.util.ToEnum<"MUST" | "SHOULD" | "FUTURE">>;
  source: z.ZodString;
  outcome: z.ZodEnum<z.core.util.ToEnum<"pass" | "fail" | "not_applicable" | "error">>;
  reason: z.ZodOptional<z.ZodString>;
  duration_ms: z.ZodNumber;
  evidence: z.ZodOptional<typeof EvidenceSchema>;
  /** listed in the expected-failures file and still failing */
  expected_failure: z.ZodOptional<z.ZodBoolean>;
}> = reportResult;
const _reportResult: Same<typeof reportResult, typeof ReportResultSchema> = true;
/** One check's result in a report. */
export interface ReportResult {
  /** the check id, `profile.area.name` (e.g. "sdk.retry.bounded") */
  id: string;
  /** the rule, in one line */
  title: string;
  /**
   * the requirement level: a failing MUST costs every level, a failing SHOULD costs `hardened`, a
   * FUTURE check (seed 000 §9) that fails or does not apply costs `god-tier`
   */
  level: "MUST" | "SHOULD" | "FUTURE";
  /** where the rule comes from: a seed file and section (e.g. "000 §2.3") or a norm */
  source: string;
  /** the verdict; `error` means the kit or the driver broke, never that the rule held */
  outcome: "pass" | "fail" | "not_applicable" | "error";
  /** why it failed, did not apply or could not be judged (absent on a pass); masked, at most 4 KiB */
  reason?: string | undefined;
  /** how long the check ran, in ms (rounded) */
  duration_ms: number;
  /** what was observed (masked and bounded); on a pass only timings, notes and the timeline are kept */
  evidence?: Evidence | undefined;
  /** `true` when the check is listed in the expected-failures file and still fails or errors */
  expected_failure?: boolean | undefined;
}
const _reportResultType: Same<z.infer<typeof reportResult>, ReportResult> = true;

const interopDisagreement = z.object({
  fixture: z.string(),
  outcomes: z.record(z.string(), z.string()),
});
/** Where the typed outcomes of several SDKs differ on one interop fixture. */
export const InteropDisagreementSchema: z.ZodObject<{
  fixture: z.ZodString;
  outcomes: z.ZodRecord<z.ZodString, z.ZodString>;
}> = interopDisagreement;
const _interopDisagreement: Same<typeof interopDisagreement, typeof InteropDisagreementSchema> = true;
/** Where the typed outcomes of several SDKs differ on one interop fixture. */
export interface InteropDisagreement {
  /** the fixture (e.g. "problem/invalid-token.json#3") */
  fixture: string;
  /** SDK name → its typed outcome (e.g. "problem:unauthorized", "ok", "transport") */
  outcomes: Record<string, string>;
}
const _interopDisagreementType: Same<z.infer<typeof interopDisagreement>, InteropDisagreement> = true;

/** One certification level's required capabilities and those the target does not declare. */
export interface LevelCapabilities {
  /** the capabilities the level requires */
  requires: string[];
  /** the required capabilities the target does not declare (the level is not awarded while any is) */
  missing: string[];
}

const report = z.object({
  schema: z.literal(REPORT_SCHEMA_ID),
  kit: z.object({ name: z.string(), version: z.string() }),
  profile: z.string().regex(/^[a-z][a-z0-9]*$/),
  target: z.object({
    name: z.string(),
    version: z.string(),
    language: z.string(),
    capabilities: z.array(z.string()),
  }),
  results: z.array(ReportResultSchema),
  summary: z.object({
    pass: z.number().int().nonnegative(),
    fail: z.number().int().nonnegative(),
    not_applicable: z.number().int().nonnegative(),
    error: z.number().int().nonnegative(),
    certification: z.enum(["god-tier", "hardened", "beta-ready", "none"]),
    levels: z.object({
      "beta-ready": z.object({ requires: z.array(z.string()), missing: z.array(z.string()) }),
      hardened: z.object({ requires: z.array(z.string()), missing: z.array(z.string()) }),
      "god-tier": z.object({ requires: z.array(z.string()), missing: z.array(z.string()) }).optional(),
    }).optional(),
    expected_failures: z.array(z.string()).optional(),
    expectation_problems: z.array(z.string()).optional(),
    exit_code: z.number().int().optional(),
  }),
  run: z.object({
    seed: z.number().int(),
    started_at: z.string(),
    duration_ms: z.number().nonnegative(),
    command: z.string(),
    only: z.array(z.string()).optional(),
    shard: z.object({ index: z.number().int().min(1).max(64), count: z.number().int().min(1).max(64) })
      .optional(),
  }),
  interop: z.array(InteropDisagreementSchema).optional(),
});
/** report.json v1. */
export const ReportSchema: z.ZodObject<{
  schema: z.ZodLiteral<typeof REPORT_SCHEMA_ID>;
  kit: z.ZodObject<{ name: z.ZodString; version: z.ZodString }>;
  /** the profile that ran (the first segment of every check id) */
  profile: z.ZodString;
  target: z.ZodObject<{
    name: z.ZodString;
    version: z.ZodString;
    language: z.ZodString;
    capabilities: z.ZodArray<z.ZodString>;
  }>;
  results: z.ZodArray<typeof ReportResultSchema>;
  summary: z.ZodObject<{
    pass: z.ZodNumber;
    fail: z.ZodNumber;
    not_applicable: z.ZodNumber;
    error: z.ZodNumber;
    certification: z.ZodEnum<z.core.util.ToEnum<"god-tier" | "hardened" | "beta-ready" | "none">>;
    /** each level's required capabilities and those the target does not declare (a level is never awarded while any is missing) */
    levels: z.ZodOptional<
      z.ZodObject<{
        "beta-ready": z.ZodObject<{ requires: z.ZodArray<z.ZodString>; missing: z.ZodArray<z.ZodString> }>;
        hardened: z.ZodObject<{ requires: z.ZodArray<z.ZodString>; missing: z.ZodArray<z.ZodString> }>;
        "god-tier": z.ZodOptional<
          z.ZodObject<{ requires: z.ZodArray<z.ZodString>; missing: z.ZodArray<z.ZodString> }>
        >;
      }>
    >;
    expected_failures: z.ZodOptional<z.ZodArray<z.ZodString>>;
    expectation_problems: z.ZodOptional<z.ZodArray<z.ZodString>>;
    exit_code: z.ZodOptional<z.ZodNumber>;
  }>;
  run: z.ZodObject<{
    seed: z.ZodNumber;
    started_at: z.ZodString;
    duration_ms: z.ZodNumber;
    /** the command that repeats this run (without --only / --seed) */
    command: z.ZodString;
    only: z.ZodOptional<z.ZodArray<z.ZodString>>;
    /** `--shard K/N`: this report holds one shard of the run, and awards no level */
    shard: z.ZodOptional<z.ZodObject<{ index: z.ZodNumber; count: z.ZodNumber }>>;
  }>;
  interop: z.ZodOptional<z.ZodArray<typeof InteropDisagreementSchema>>;
}> = report;
const _report: Same<typeof report, typeof ReportSchema> = true;
/** report.json v1: the result of one certification run of one target (masked: no canary in it). */
export interface Report {
  /** the schema id, {@linkcode REPORT_SCHEMA_ID} */
  schema: typeof REPORT_SCHEMA_ID;
  /** the kit that wrote the report (its name and version from deno.json) */
  kit: {
    /** the kit's package name, "@ron/conformance-kit" */
    name: string;
    /** the kit's version */
    version: string;
  };
  /** the profile that ran (the first segment of every check id): "sdk", "svc", "chaos" */
  profile: string;
  /** the target as it described itself (a driver's `hello`, a server's target file); cut to 200 characters a field */
  target: {
    /** the SDK's or server's name */
    name: string;
    /** its version */
    version: string;
    /** its language (e.g. "python"); "http" for a server */
    language: string;
    /** the capabilities it declares (checks requiring others are `not_applicable`) */
    capabilities: string[];
  };
  /** one result per check that ran, sorted by id */
  results: ReportResult[];
  /** counts per outcome and the level reached */
  summary: {
    /** checks that passed */
    pass: number;
    /** checks that failed */
    fail: number;
    /** checks that did not apply (a capability the target does not declare) */
    not_applicable: number;
    /** checks the kit or the driver could not judge */
    error: number;
    /**
     * the level awarded: `beta-ready` = every applicable MUST passed, `hardened` = every applicable
     * MUST and SHOULD passed, `god-tier` = hardened and every FUTURE check ran and passed; capped
     * while a required capability is missing
     */
    certification: "god-tier" | "hardened" | "beta-ready" | "none";
    /** each level's required capabilities and those the target does not declare (when the profile names any) */
    levels?: {
      /** what `beta-ready` requires */
      "beta-ready": LevelCapabilities;
      /** what `hardened` requires (including `beta-ready`'s) */
      hardened: LevelCapabilities;
      /** what `god-tier` requires (including `hardened`'s); absent in reports written before the level existed */
      "god-tier"?: LevelCapabilities | undefined;
    } | undefined;
    /** with an expected-failures file: the listed ids that still fail or error */
    expected_failures?: string[] | undefined;
    /** with an expected-failures file: its stale entries (unknown ids, listed checks that now pass), each failing the run */
    expectation_problems?: string[] | undefined;
    /** with an expected-failures file: the run's exit code (0 when no unlisted MUST fails and nothing is stale, else 1) */
    exit_code?: number | undefined;
  };
  /** how to repeat the run */
  run: {
    /** the run's seed (property suites, jitter) */
    seed: number;
    /** when the run started, ISO 8601 UTC */
    started_at: string;
    /** how long the run took, in ms */
    duration_ms: number;
    /** the command that repeats this run (without --only / --seed) */
    command: string;
    /** the `--only` selection (check ids or id prefixes), when one was given */
    only?: string[] | undefined;
    /**
     * with `--shard K/N`: this report holds only the K-th of N shards of the run's checks (sorted ids
     * dealt round-robin), and its `summary.certification` is always `none`: a shard is not a
     * certification; the report merged from all N shards (`deno task matrix --merge-shards`) is
     */
    shard?: {
      /** K, from 1 */
      index: number;
      /** N, at most 64 */
      count: number;
    } | undefined;
  };
  /** where several SDKs' typed outcomes differ (a run of several drivers) */
  interop?: InteropDisagreement[] | undefined;
}
const _reportType: Same<z.infer<typeof report>, Report> = true;

/**
 * Parse and validate a report.json value.
 *
 * @param value the parsed JSON
 * @returns the report, or the zod issues as text
 * @example
 * ```ts
 * import { parseReport } from "./report.ts";
 * const r = parseReport({ schema: "nope" });
 * if (r.ok) throw new Error("must reject");
 * ```
 */
export function parseReport(value: unknown): { ok: true; value: Report } | { ok: false; error: string } {
  const r = ReportSchema.safeParse(value);
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, error: z.prettifyError(r.error) };
}

/**
 * The one command that re-runs just one check of a report with the same seed.
 *
 * @param report the report
 * @param id the check id
 * @returns the shell command
 * @example
 * ```ts
 * import { rerunCommand } from "./report.ts";
 * const cmd = rerunCommand({ run: { command: "deno task certify", seed: 7 } }, "sdk.a.b");
 * if (cmd !== "deno task certify --only sdk.a.b --seed 7") throw new Error(cmd);
 * ```
 */
export function rerunCommand(report: { run: { command: string; seed: number } }, id: string): string {
  return `${report.run.command} --only ${id} --seed ${report.run.seed}`;
}
