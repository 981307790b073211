/**
 * Build report.json (v1) from a run's results: masked, validated, serialized.
 *
 * @module
 */
import { KIT, type Report, REPORT_SCHEMA_ID, type ReportResult, ReportSchema } from "../schema/report.ts";
import type { CheckResult, Evidence } from "../engine/types.ts";
import { type LevelRequirements, summarize } from "../engine/certification.ts";
import type { ExpectationOutcome } from "../engine/expect_fail.ts";
import { describeProblem } from "../engine/expect_fail.ts";
import { boundTree, capText, EVIDENCE_BOUNDS, maskTree } from "../engine/mask.ts";
import type { InteropDisagreement } from "./matrix.ts";
import { escJsonText } from "./escape.ts";

/**
 * How much of a check's evidence a report keeps: the last 40 SDK output lines, the first 50
 * requests, a reason of 4 KiB; the rest of the evidence within {@link EVIDENCE_BOUNDS} (depth 32,
 * 4 KiB per string, 100 items per array and keys per object, 64 KiB of text in all). Whatever is
 * cut is said, in the evidence's notes and at the end of each cut string ("… 9.9 MB cut").
 */
export const EVIDENCE_LIMITS = {
  outputLines: 40,
  requests: 50,
  reasonChars: 4096,
  targetChars: 200,
} as const;

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
  /** the capabilities each level requires (the profile's); the level is capped by what is missing */
  levels?: LevelRequirements;
}

function trimEvidence(ev: Evidence, canaries: readonly string[]): Evidence {
  const out: Evidence = { ...ev };
  const notes: string[] = [];
  if (Array.isArray(ev.output) && ev.output.length > EVIDENCE_LIMITS.outputLines) {
    out.output = ev.output.slice(-EVIDENCE_LIMITS.outputLines);
    notes.push(`report keeps the last ${EVIDENCE_LIMITS.outputLines} of ${ev.output.length} output lines`);
  }
  if (Array.isArray(ev.requests) && ev.requests.length > EVIDENCE_LIMITS.requests) {
    out.requests = ev.requests.slice(0, EVIDENCE_LIMITS.requests);
    notes.push(`report keeps the first ${EVIDENCE_LIMITS.requests} of ${ev.requests.length} requests`);
  }
  const bounded = boundTree(out, canaries, EVIDENCE_BOUNDS);
  if (bounded.cut) notes.push(bounded.cut);
  if (notes.length > 0) bounded.value.notes = [...(bounded.value.notes ?? []), ...notes];
  return bounded.value;
}

function toReportResult(
  r: CheckResult,
  expected: ReadonlySet<string>,
  canaries: readonly string[],
): ReportResult {
  const v = r.verdict;
  const reason = (text: string) => capText(text, canaries, EVIDENCE_LIMITS.reasonChars);
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
      const { timings, notes, timeline } = v.evidence;
      const ev: Evidence = {};
      if (timings) ev.timings = timings;
      if (notes) ev.notes = notes;
      if (timeline) ev.timeline = timeline;
      if (timings || notes || timeline) out.evidence = trimEvidence(ev, canaries);
      break;
    }
    case "fail":
      out.reason = reason(v.reason);
      out.evidence = trimEvidence(v.evidence, canaries);
      break;
    case "not_applicable":
      out.reason = reason(v.reason);
      break;
    case "error":
      out.reason = reason(v.reason);
      if (v.evidence) out.evidence = trimEvidence(v.evidence, canaries);
      break;
    default: {
      const _x: never = v;
      throw new Error(`unknown verdict ${JSON.stringify(_x)}`);
    }
  }
  if (expected.has(r.id)) out.expected_failure = true;
  return out;
}

/** The target's own words (from a driver's `hello` or a server's banner): masked and cut. */
function boundTarget(t: Report["target"], canaries: readonly string[]): Report["target"] {
  const cap = (s: string) => capText(s, canaries, EVIDENCE_LIMITS.targetChars);
  return {
    name: cap(t.name),
    version: cap(t.version),
    language: cap(t.language),
    capabilities: t.capabilities.slice(0, 64).map(cap),
  };
}

/**
 * Build a validated, masked report whose evidence is bounded (see {@link EVIDENCE_LIMITS}).
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
  const summary = summarize(
    input.results,
    input.levels ? { declared: input.target.capabilities, required: input.levels } : undefined,
  );
  const report: Report = {
    schema: REPORT_SCHEMA_ID,
    kit: { name: KIT.name, version: KIT.version },
    profile: input.profile,
    target: boundTarget(input.target, input.canaries),
    results: input.results.map((r) => toReportResult(r, expected, input.canaries)),
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
  if (input.interop) {
    report.interop = boundTree(input.interop, input.canaries, { ...EVIDENCE_BOUNDS, maxString: 200 }).value;
  }
  return ReportSchema.parse(maskTree(report, input.canaries));
}

/**
 * Serialize a report as report.json text (C1, bidi and format characters as `\uXXXX` escapes).
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
  return escJsonText(JSON.stringify(report, null, 2)) + "\n";
}
