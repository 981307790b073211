/**
 * Build report.json (v1) from a run's results: masked, validated, serialized.
 *
 * @module
 */
import { KIT, type Report, REPORT_SCHEMA_ID, type ReportResult, ReportSchema } from "../schema/report.ts";
import type { CheckResult, Evidence } from "../engine/types.ts";
import { summarize } from "../engine/certification.ts";
import type { ExpectationOutcome } from "../engine/expect_fail.ts";
import { describeProblem } from "../engine/expect_fail.ts";
import { maskTree } from "../engine/mask.ts";
import type { InteropDisagreement } from "./matrix.ts";

/** How many SDK output lines and requests a report keeps per check. */
export const EVIDENCE_LIMITS = { outputLines: 40, requests: 50 } as const;

/** What a report is built from. */
export interface BuildReportInput {
  profile: Report["profile"];
  target: Report["target"];
  results: readonly CheckResult[];
  seed: number;
  startedAt: Date;
  durationMs: number;
  /** the command that repeats this run, without --only / --seed */
  command: string;
  only?: string[];
  expectations?: ExpectationOutcome;
  /** every canary of the run: all of them are masked */
  canaries: readonly string[];
  interop?: InteropDisagreement[];
}

function trimEvidence(ev: Evidence): Evidence {
  const out: Evidence = { ...ev };
  if (ev.output && ev.output.length > EVIDENCE_LIMITS.outputLines) {
    out.output = ev.output.slice(-EVIDENCE_LIMITS.outputLines);
  }
  if (ev.requests && ev.requests.length > EVIDENCE_LIMITS.requests) {
    out.requests = ev.requests.slice(0, EVIDENCE_LIMITS.requests);
    out.notes = [
      ...(ev.notes ?? []),
      `report keeps the first ${EVIDENCE_LIMITS.requests} of ${ev.requests.length} requests`,
    ];
  }
  return out;
}

function toReportResult(r: CheckResult, expected: ReadonlySet<string>): ReportResult {
  const v = r.verdict;
  const out: ReportResult = {
    id: r.id,
    title: r.title,
    level: r.level,
    source: r.source,
    outcome: v.outcome,
    duration_ms: Math.max(0, Math.round(r.durationMs)),
  };
  switch (v.outcome) {
    case "pass": {
      const { timings, notes } = v.evidence;
      const ev: Evidence = {};
      if (timings) ev.timings = timings;
      if (notes) ev.notes = notes;
      if (timings || notes) out.evidence = ev;
      break;
    }
    case "fail":
      out.reason = v.reason;
      out.evidence = trimEvidence(v.evidence);
      break;
    case "not_applicable":
      out.reason = v.reason;
      break;
    case "error":
      out.reason = v.reason;
      if (v.evidence) out.evidence = trimEvidence(v.evidence);
      break;
    default: {
      const _x: never = v;
      throw new Error(`unknown verdict ${JSON.stringify(_x)}`);
    }
  }
  if (expected.has(r.id)) out.expected_failure = true;
  return out;
}

/**
 * Build a validated, masked report.
 *
 * @param input the run
 * @returns the report (contains no canary)
 * @example
 * ```ts
 * import { buildReport } from "./json.ts";
 * const c = "ronc_" + "ab".repeat(16);
 * const report = buildReport({
 *   profile: "sdk", target: { name: "x", version: "1", language: "ts", capabilities: [] },
 *   results: [{ id: "sdk.a.b", title: "t", level: "MUST", source: "000", durationMs: 1,
 *     verdict: { outcome: "fail", reason: `leaked ${c}`, evidence: {} } }],
 *   seed: 1, startedAt: new Date(0), durationMs: 5, command: "deno task certify", canaries: [c],
 * });
 * if (JSON.stringify(report).includes(c)) throw new Error("leak");
 * ```
 */
export function buildReport(input: BuildReportInput): Report {
  const expected = new Set(input.expectations?.expectedFailures ?? []);
  const summary = summarize(input.results);
  const report: Report = {
    schema: REPORT_SCHEMA_ID,
    kit: { name: KIT.name, version: KIT.version },
    profile: input.profile,
    target: input.target,
    results: input.results.map((r) => toReportResult(r, expected)),
    summary: { ...summary },
    run: {
      seed: input.seed,
      started_at: input.startedAt.toISOString(),
      duration_ms: Math.max(0, Math.round(input.durationMs)),
      command: input.command,
    },
  };
  if (input.only && input.only.length > 0) report.run.only = input.only;
  if (input.expectations) {
    report.summary.expected_failures = input.expectations.expectedFailures;
    report.summary.expectation_problems = input.expectations.problems.map(describeProblem);
    report.summary.exit_code = input.expectations.exitCode;
  }
  if (input.interop) report.interop = input.interop;
  return ReportSchema.parse(maskTree(report, input.canaries));
}

/**
 * Serialize a report as report.json text.
 *
 * @param report the report
 * @returns pretty JSON with a final newline
 * @example
 * ```ts
 * import { renderJson } from "./json.ts";
 * if (!renderJson({ a: 1 }).endsWith("}\n")) throw new Error();
 * ```
 */
export function renderJson(report: unknown): string {
  return JSON.stringify(report, null, 2) + "\n";
}
