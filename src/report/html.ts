/**
 * report.html: one self-contained page (inline CSS, no scripts, no external resources) with the
 * scorecard per area and every failure with its evidence and its re-run command. Everything is
 * escaped; the report is masked before it gets here.
 *
 * @module
 */
import { type Report, rerunCommand } from "../schema/report.ts";
import { CSS } from "./_text.ts";
import { escHtml } from "./escape.ts";
import { levelLine, scorecard } from "./scorecard.ts";

type Result = Report["results"][number];
type Ev = NonNullable<Result["evidence"]>;

function requestsTable(reqs: NonNullable<Ev["requests"]>): string {
  const rows = reqs.map((q) => {
    const headers = Object.entries(q.headers).map(([k, v]) => `${k}: ${v}`).join("\n");
    return `<tr><td>${q.t.toFixed(0)}</td><td>${escHtml(q.listener)}</td><td>${escHtml(q.method)}</td>` +
      `<td><code>${escHtml(q.path + (q.query ? `?${q.query.replace(/^\?/, "")}` : ""))}</code></td>` +
      `<td><pre>${escHtml(headers)}</pre></td><td>${q.bodySize}</td><td>${escHtml(q.connection)}</td></tr>`;
  }).join("\n");
  return `<h4>Requests the mock server saw</h4><table><tr><th>t (ms)</th><th>listener</th><th>method</th>` +
    `<th>path</th><th>headers</th><th>body bytes</th><th>connection</th></tr>\n${rows}</table>`;
}

function evidenceHtml(ev: Ev | undefined): string {
  if (!ev) return "";
  const out: string[] = [];
  if (ev.notes?.length) {
    out.push(`<h4>Notes</h4><ul>${ev.notes.map((n) => `<li>${escHtml(n)}</li>`).join("")}</ul>`);
  }
  if (ev.timings && Object.keys(ev.timings).length > 0) {
    out.push(
      `<h4>Timings</h4><table>${
        Object.entries(ev.timings).map(([k, v]) => `<tr><th>${escHtml(k)}</th><td>${v} ms</td></tr>`).join("")
      }</table>`,
    );
  }
  if (ev.leaks?.length) {
    out.push(
      `<h4>Leaks</h4><table><tr><th>where</th><th>form</th><th>excerpt</th></tr>${
        ev.leaks.map((l) =>
          `<tr><td>${escHtml(l.where)}</td><td>${escHtml(l.form)}</td><td><code>${
            escHtml(l.excerpt)
          }</code></td></tr>`
        ).join("")
      }</table>`,
    );
  }
  if (ev.requests?.length) out.push(requestsTable(ev.requests));
  if (ev.reply !== undefined) {
    out.push(`<h4>Driver reply</h4><pre>${escHtml(JSON.stringify(ev.reply, null, 2) ?? "undefined")}</pre>`);
  }
  if (ev.output?.length) out.push(`<h4>SDK output (tail)</h4><pre>${escHtml(ev.output.join("\n"))}</pre>`);
  if (ev.property) {
    const p = ev.property;
    out.push(
      `<h4>Property run</h4><pre>${
        escHtml(
          `seed ${p.seed}, runs ${p.runs}` + (p.path ? `, path ${p.path}` : "") +
            (p.counterexample ? `\ncounterexample: ${p.counterexample}` : ""),
        )
      }</pre>`,
    );
  }
  return out.join("\n");
}

function failureHtml(report: Report, r: Result): string {
  const tag = r.outcome === "error" ? "ERROR" : "FAIL";
  const exp = r.expected_failure ? " (expected)" : "";
  return `<details open id="${escHtml(r.id)}"><summary><span class="${
    escHtml(r.outcome)
  }">${tag}${exp}</span> ` +
    `<code>${escHtml(r.id)}</code> (${escHtml(r.level)}) — ${escHtml(r.title)}</summary>` +
    `<p><b>Reason:</b> ${escHtml(r.reason ?? "")}</p><p><b>Source:</b> ${escHtml(r.source)} · ` +
    `<b>Duration:</b> ${r.duration_ms} ms</p>` +
    `<p><b>Re-run:</b></p><pre>${escHtml(rerunCommand(report, r.id))}</pre>` +
    evidenceHtml(r.evidence) + `</details>`;
}

/**
 * Render a report as a self-contained HTML page.
 *
 * @param report a (masked) report
 * @returns the HTML text
 * @example
 * ```ts
 * import { renderHtml } from "./html.ts";
 * const html = renderHtml({
 *   schema: "https://ron-kit.dev/report/v1", kit: { name: "k", version: "0.1.0" }, profile: "sdk",
 *   target: { name: "<script>", version: "1", language: "ts", capabilities: [] },
 *   results: [], summary: { pass: 0, fail: 0, not_applicable: 0, error: 0, certification: "hardened" },
 *   run: { seed: 1, started_at: "1970-01-01T00:00:00.000Z", duration_ms: 5, command: "deno task certify" },
 * });
 * if (html.includes("<script>")) throw new Error("unescaped");
 * ```
 */
export function renderHtml(report: Report): string {
  const s = report.summary;
  const t = report.target;
  const title = `${t.name} ${t.version} — ${report.profile} certification`;
  const cards = scorecard(report).map((a) =>
    `<tr><td>${escHtml(a.area)}</td><td class="pass">${a.pass}</td><td class="fail">${a.fail}</td>` +
    `<td class="error">${a.error}</td><td class="not_applicable">${a.not_applicable}</td></tr>`
  ).join("\n");
  const bad = report.results.filter((r) => r.outcome === "fail" || r.outcome === "error");
  const all = report.results.map((r) =>
    `<tr><td><code>${escHtml(r.id)}</code></td><td>${escHtml(r.level)}</td>` +
    `<td class="${escHtml(r.outcome)}">${escHtml(r.outcome)}${r.expected_failure ? " (expected)" : ""}</td>` +
    `<td>${r.duration_ms}</td><td>${escHtml(r.reason ?? "")}</td></tr>`
  ).join("\n");
  const problems = s.expectation_problems ?? [];
  return [
    `<!doctype html><html lang="en"><head><meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${escHtml(title)}</title><style>${CSS}</style></head><body>`,
    `<h1>${escHtml(title)} <span class="badge ${escHtml(s.certification)}">${
      escHtml(s.certification)
    }</span></h1>`,
    `<p>${escHtml(t.language)} · capabilities: ${escHtml(t.capabilities.join(", ") || "none")} · kit ${
      escHtml(report.kit.version)
    } · seed ${report.run.seed} · started ${escHtml(report.run.started_at)} · ${
      (report.run.duration_ms / 1000).toFixed(1)
    } s</p>`,
    `<p><b>${s.pass}</b> pass · <b>${s.fail}</b> fail · <b>${s.error}</b> error · <b>${s.not_applicable}</b> not applicable</p>`,
    levelLine(s) !== undefined ? `<p>${escHtml(levelLine(s) ?? "")}</p>` : "",
    report.run.only ? `<p>Partial run: only <code>${escHtml(report.run.only.join(", "))}</code></p>` : "",
    `<h2>Scorecard</h2><table><tr><th>area</th><th>pass</th><th>fail</th><th>error</th><th>n/a</th></tr>\n${cards}</table>`,
    problems.length > 0
      ? `<h2>Expected-failures file</h2><ul>${problems.map((p) => `<li>${escHtml(p)}</li>`).join("")}</ul>`
      : "",
    bad.length > 0 ? `<h2>Failures</h2>\n${bad.map((r) => failureHtml(report, r)).join("\n")}` : "",
    `<h2>All checks</h2><table><tr><th>check</th><th>level</th><th>outcome</th><th>ms</th><th>reason</th></tr>\n${all}</table>`,
    `</body></html>`,
    ``,
  ].join("\n");
}
