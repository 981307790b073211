/**
 * summary.md: the certification level, a scorecard per area, and every failure with its reason
 * and the one command that re-runs it.
 *
 * @module
 */
import { type Report, rerunCommand } from "../schema/report.ts";
import { escMarkdown, mdCode } from "./escape.ts";
import { levelLine, scorecard } from "./scorecard.ts";

/**
 * Render a report as Markdown.
 *
 * @param report a (masked) report
 * @returns Markdown text
 * @example
 * ```ts
 * import { renderMarkdown } from "./markdown.ts";
 * const md = renderMarkdown({
 *   schema: "https://ron-kit.dev/report/v1", kit: { name: "k", version: "0.1.0" }, profile: "sdk",
 *   target: { name: "x", version: "1", language: "ts", capabilities: [] },
 *   results: [{ id: "sdk.a.b", title: "t", level: "MUST", source: "000", outcome: "fail", reason: "r",
 *     duration_ms: 5 }],
 *   summary: { pass: 0, fail: 1, not_applicable: 0, error: 0, certification: "none" },
 *   run: { seed: 9, started_at: "1970-01-01T00:00:00.000Z", duration_ms: 5, command: "deno task certify" },
 * });
 * if (!md.includes("--only sdk.a.b --seed 9")) throw new Error(md);
 * ```
 */
export function renderMarkdown(report: Report): string {
  const s = report.summary;
  const t = report.target;
  const out: string[] = [];
  out.push(
    `# ${escMarkdown(t.name)} ${
      escMarkdown(t.version)
    } — ${report.profile} certification: **${s.certification}**`,
  );
  out.push("");
  out.push(
    `${escMarkdown(t.language)} · capabilities: ${t.capabilities.map(escMarkdown).join(", ") || "none"} · ` +
      `kit ${escMarkdown(report.kit.version)} · seed ${report.run.seed} · ${
        (report.run.duration_ms / 1000).toFixed(1)
      } s`,
  );
  out.push("");
  out.push(`**${s.pass} pass · ${s.fail} fail · ${s.error} error · ${s.not_applicable} not applicable**`);
  const level = levelLine(s);
  if (level !== undefined) out.push("", escMarkdown(level));
  if (report.run.only) out.push("", `Partial run: only ${report.run.only.map(mdCode).join(", ")}.`);
  out.push("", "## Scorecard", "", "| area | pass | fail | error | n/a |", "|---|---|---|---|---|");
  for (const a of scorecard(report)) {
    out.push(`| ${escMarkdown(a.area)} | ${a.pass} | ${a.fail} | ${a.error} | ${a.not_applicable} |`);
  }
  const bad = report.results.filter((r) => r.outcome === "fail" || r.outcome === "error");
  if (bad.length > 0) {
    out.push("", "## Failures", "");
    for (const r of bad) {
      const tag = r.expected_failure ? " (expected)" : "";
      out.push(`### ${r.outcome === "error" ? "ERROR" : "FAIL"}${tag} ${mdCode(r.id)} (${r.level})`);
      out.push("");
      out.push(`${escMarkdown(r.title)} — ${escMarkdown(r.source)}`);
      out.push("");
      out.push(`- reason: ${escMarkdown(r.reason ?? "")}`);
      for (const n of r.evidence?.notes ?? []) out.push(`- ${escMarkdown(n)}`);
      for (const l of r.evidence?.leaks ?? []) {
        out.push(`- leak in ${escMarkdown(l.where)} (${escMarkdown(l.form)}): ${mdCode(l.excerpt)}`);
      }
      out.push(`- re-run: ${mdCode(rerunCommand(report, r.id))}`);
      out.push("");
    }
  }
  const problems = s.expectation_problems ?? [];
  if (problems.length > 0) {
    out.push("## Expected-failures file", "");
    for (const p of problems) out.push(`- ${escMarkdown(p)}`);
    out.push("");
  }
  const na = report.results.filter((r) => r.outcome === "not_applicable");
  if (na.length > 0) {
    out.push("## Not applicable", "");
    for (const r of na) out.push(`- ${mdCode(r.id)}: ${escMarkdown(r.reason ?? "")}`);
    out.push("");
  }
  return out.join("\n") + "\n";
}
