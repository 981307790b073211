/**
 * report.sarif: the run as SARIF 2.1.0, for code scanning. One rule per check that ran (its title,
 * its rationale as help text, a help URI into the catalogue `docs/CHECKS.md`), one result per
 * `fail` or `error` with the reason and the (already masked) evidence. A MUST rule is an `error`,
 * a SHOULD a `warning`, a FUTURE a `note`; a failing check is a result of kind `fail`, a check the
 * kit or the driver could not judge (`error`) one of kind `open` (SARIF: "could not determine
 * whether the issue exists"), and an expected failure carries an external suppression.
 *
 * @module
 */
import { type Report, rerunCommand } from "../schema/report.ts";
import { registeredChecks } from "../engine/registry.ts";
import { escJsonText } from "./escape.ts";
import { checkAnchor } from "./_anchor.ts";

type Result = Report["results"][number];
type SarifLevel = "error" | "warning" | "note";

/** The schema URI written into every report.sarif. */
const SARIF_SCHEMA =
  "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/** Where the kit's documentation lives (the catalogue is `docs/CHECKS.md` under it). */
const KIT_URI = "https://ron-kit.dev/";

function sarifLevel(level: Result["level"]): SarifLevel {
  switch (level) {
    case "MUST":
      return "error";
    case "SHOULD":
      return "warning";
    case "FUTURE":
      return "note";
    default: {
      const _x: never = level;
      throw new Error(`unknown level ${String(_x)}`);
    }
  }
}

function rule(r: Result, rationale: ReadonlyMap<string, string>) {
  const help = rationale.get(r.id) ?? `${r.title}. (No rationale is registered for this check.)`;
  return {
    id: r.id,
    shortDescription: { text: r.title },
    fullDescription: { text: `${r.level}: ${r.title}. Source: ${r.source}.` },
    help: { text: help },
    helpUri: `${KIT_URI}docs/CHECKS.md#${checkAnchor(r.id)}`,
    defaultConfiguration: { level: sarifLevel(r.level) },
    properties: { level: r.level, source: r.source, tags: ["security", r.level, r.id.split(".")[0] ?? ""] },
  };
}

function result(report: Report, r: Result, ruleIndex: number) {
  const kind = r.outcome === "fail" ? "fail" : "open";
  const what = r.outcome === "fail" ? "failed" : "could not be judged (a kit or driver error)";
  return {
    ruleId: r.id,
    ruleIndex,
    kind,
    level: kind === "fail" ? sarifLevel(r.level) : "none",
    message: { text: `${r.id} ${what}: ${r.reason ?? "(no reason given)"}` },
    locations: [{ logicalLocations: [{ fullyQualifiedName: r.id, kind: "module" }] }],
    ...(r.expected_failure
      ? { suppressions: [{ kind: "external", justification: "listed in the expected-failures file" }] }
      : {}),
    properties: {
      outcome: r.outcome,
      duration_ms: r.duration_ms,
      rerun: rerunCommand(report, r.id),
      ...(r.evidence !== undefined ? { evidence: r.evidence } : {}),
    },
  };
}

/**
 * Render a report as SARIF 2.1.0 (JSON text, escaped for terminals like report.json).
 *
 * @param report a (masked) report
 * @returns the SARIF log as JSON text
 * @example
 * ```ts
 * import { renderSarif } from "./sarif.ts";
 * const text = renderSarif({
 *   schema: "https://ron-kit.dev/report/v1", kit: { name: "k", version: "0.1.0" }, profile: "sdk",
 *   target: { name: "x", version: "1", language: "ts", capabilities: [] },
 *   results: [{ id: "sdk.a.b", title: "t", level: "SHOULD", source: "000", outcome: "fail", reason: "r",
 *     duration_ms: 5 }],
 *   summary: { pass: 0, fail: 1, not_applicable: 0, error: 0, certification: "beta-ready" },
 *   run: { seed: 1, started_at: "1970-01-01T00:00:00.000Z", duration_ms: 5, command: "deno task certify" },
 * });
 * const log = JSON.parse(text);
 * if (log.runs[0].results[0].level !== "warning" || log.runs[0].results[0].ruleIndex !== 0) throw new Error();
 * ```
 */
export function renderSarif(report: Report): string {
  const rationale = new Map<string, string>();
  for (const c of registeredChecks()) if (c.rationale !== undefined) rationale.set(c.id, c.rationale);
  const rules = report.results.map((r) => rule(r, rationale));
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const results = report.results
    .map((r) => ({ r, i: index.get(r.id) ?? -1 }))
    .filter(({ r }) => r.outcome === "fail" || r.outcome === "error")
    .map(({ r, i }) => result(report, r, i));
  const log = {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [{
      tool: {
        driver: {
          name: report.kit.name,
          version: report.kit.version,
          semanticVersion: report.kit.version,
          informationUri: KIT_URI,
          rules,
        },
      },
      automationDetails: { id: `${report.profile}/${report.run.started_at}` },
      invocations: [{
        executionSuccessful: report.summary.error === 0,
        commandLine: report.run.command,
        startTimeUtc: report.run.started_at,
        properties: { seed: report.run.seed, duration_ms: report.run.duration_ms },
      }],
      results,
      properties: {
        profile: report.profile,
        target: report.target,
        certification: report.summary.certification,
        summary: {
          pass: report.summary.pass,
          fail: report.summary.fail,
          not_applicable: report.summary.not_applicable,
          error: report.summary.error,
        },
      },
    }],
  };
  return `${escJsonText(JSON.stringify(log, null, 2))}\n`;
}
