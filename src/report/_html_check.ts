/**
 * One check in report.html (internal): its outcome, id, title, level, source and rationale, the
 * reason, the timeline of its timed traffic, its evidence and the re-run command with a copy
 * button. Checks are ordered failures first, then errors, then passes and checks that did not apply.
 *
 * @module
 */
import { type Report, rerunCommand } from "../schema/report.ts";
import { esc, evidenceHtml } from "./_html_evidence.ts";
import { timelineHtml } from "./_html_timeline.ts";

type Result = Report["results"][number];

/** The order of outcomes on the page: what needs a reader's attention first. */
const RANK: Record<Result["outcome"], number> = { fail: 0, error: 1, pass: 2, not_applicable: 3 };

/**
 * The results in page order: failures, errors, passes, then not applicable; by id within each.
 *
 * @param results the report's results
 * @returns a sorted copy
 * @example
 * ```ts
 * import { pageOrder } from "./_html_check.ts";
 * const r = { title: "t", level: "MUST", source: "000", duration_ms: 1 } as const;
 * const o = pageOrder([{ ...r, id: "a", outcome: "pass" }, { ...r, id: "b", outcome: "fail" }]);
 * if (o[0]?.id !== "b") throw new Error();
 * ```
 */
export function pageOrder(results: readonly Result[]): Result[] {
  return [...results].sort((a, b) => RANK[a.outcome] - RANK[b.outcome] || a.id.localeCompare(b.id));
}

function tag(outcome: Result["outcome"]): string {
  switch (outcome) {
    case "fail":
      return "FAIL";
    case "error":
      return "ERROR";
    case "pass":
      return "PASS";
    case "not_applicable":
      return "N/A";
    default: {
      const never: never = outcome;
      throw new Error(`unknown outcome ${String(never)}`);
    }
  }
}

/**
 * The re-run command in a code block with a copy button (the page's one script copies it).
 *
 * @param command the command
 * @returns HTML
 */
export function rerunHtml(command: string): string {
  return `<div class="rerun"><pre><code>${esc(command)}</code></pre>` +
    `<button type="button" class="copy">Copy</button></div>`;
}

/**
 * One check as a `<details>` section, open unless it passed or did not apply.
 *
 * @param report the report (for the re-run command)
 * @param r the check's result
 * @param rationale the check's rationale, when the kit has it registered
 * @returns HTML
 */
export function checkHtml(report: Report, r: Result, rationale: string | undefined): string {
  const bad = r.outcome === "fail" || r.outcome === "error";
  const exp = r.expected_failure ? " (expected)" : "";
  const reason = r.reason !== undefined
    ? `<p><b>${r.outcome === "not_applicable" ? "Not applicable" : "Reason"}:</b> ${esc(r.reason)}</p>`
    : "";
  return `<details class="check check-${esc(r.outcome, 32)}"${bad ? " open" : ""} id="${esc(r.id, 256)}">` +
    `<summary><span class="tag ${esc(r.outcome, 32)}">${tag(r.outcome)}${exp}</span> ` +
    `<code>${esc(r.id, 256)}</code> <span class="lvl">${esc(r.level, 16)}</span> ${
      esc(r.title, 1024)
    }</summary>` +
    `<p class="meta"><b>Source:</b> ${esc(r.source, 512)} · <b>Duration:</b> ${
      Number(r.duration_ms)
    } ms</p>` +
    (rationale !== undefined ? `<p class="why"><b>Why it matters:</b> ${esc(rationale)}</p>` : "") +
    reason + timelineHtml(r.evidence) +
    (r.outcome === "not_applicable" ? "" : `<p><b>Re-run:</b></p>${rerunHtml(rerunCommand(report, r.id))}`) +
    evidenceHtml(r.evidence) + `</details>`;
}
