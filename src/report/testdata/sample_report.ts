/**
 * A report for the SARIF, JUnit and badge tests: every outcome, an expected failure, hostile text
 * (markup, `]]>`, control and bidi characters) in every target-supplied string, and a masked canary.
 *
 * @module
 */
import { buildReport } from "../json.ts";
import type { Report } from "../../schema/report.ts";
import type { CheckResult } from "../../engine/types.ts";
import { applyExpectations } from "../../engine/expect_fail.ts";

/** Markup, a CDATA end, C0/C1 controls, a bidi override and an escape sequence. */
export const HOSTILE = `<x a="1"/> & ' ]]> \u0001\u0000\u001b[2K\u0085\u202e\ufffe end`;

/**
 * The sample report (masked: the canary appears only as `<canary>`).
 *
 * @param canary the run's canary
 * @param ids the four check ids to use (fail, error, not_applicable, pass)
 * @returns the report
 */
export function sampleReport(
  canary: string,
  ids: readonly [string, string, string, string] = [
    "sdk.caps.not-in-logs",
    "sdk.retry.bounded",
    "sdk.sse.max-events",
    "sdk.tls.verify",
  ],
): Report {
  const rs: CheckResult[] = [
    {
      id: ids[0],
      title: `token not in logs ${HOSTILE}`,
      level: "MUST",
      source: "000 §1.2",
      durationMs: 12,
      verdict: {
        outcome: "fail",
        reason: `the token appeared in stderr: ${canary} ${HOSTILE}`,
        evidence: {
          output: [`DEBUG Authorization: Bearer ${canary}`, HOSTILE],
          leaks: [{ where: "driver stderr", form: "raw", excerpt: `Bearer ${canary}` }],
          notes: [HOSTILE],
          timings: { total: 12 },
        },
      },
    },
    {
      id: ids[1],
      title: "bounded retries",
      level: "SHOULD",
      source: "000 §2.3",
      durationMs: 40,
      verdict: { outcome: "error", reason: `driver crashed ${HOSTILE}` },
    },
    {
      id: ids[2],
      title: "sse",
      level: "FUTURE",
      source: "000 §4.2",
      durationMs: 0,
      verdict: { outcome: "not_applicable", reason: `requires capability "sse" ${HOSTILE}` },
    },
    {
      id: ids[3],
      title: "verify",
      level: "MUST",
      source: "000 §2.1",
      durationMs: 5,
      verdict: { outcome: "pass", evidence: { notes: ["ok"] } },
    },
  ];
  return buildReport({
    profile: "sdk",
    target: { name: `ref<sdk> ${HOSTILE}`, version: "0.1.0", language: "typescript", capabilities: ["http"] },
    results: rs,
    seed: 42,
    startedAt: new Date("2026-01-01T00:00:00Z"),
    durationMs: 1234,
    command: `deno task certify --driver "deno run ref.ts"`,
    canaries: [canary],
    expectations: applyExpectations(rs, [ids[1]], new Set(rs.map((r) => r.id))),
  });
}
