/**
 * The checks × SDKs matrix (`deno task matrix r1.json r2.json …`), the interop disagreements, and
 * the selftest (mutation matrix) rows shared with the server selftest.
 *
 * @module
 */
import type { InteropDisagreement, Report } from "../schema/report.ts";
import { CSS } from "./_text.ts";
import { escHtml, escMarkdown } from "./escape.ts";

export type { InteropDisagreement };

/** One row of a selftest (mutation matrix): the reference or one mutant. */
export interface SelftestRow {
  /** "reference" or the mutant's name; server rows may be prefixed "server:" */
  mutant: string;
  /** for the reference: checks expected to pass; for a mutant: checks expected to fail */
  expected: string[];
  /** checks that behaved as expected (reference: passed; mutant: failed) */
  caught: string[];
  /** checks that did not (with why, e.g. "sdk.a.b (error: …)") */
  missed: string[];
  /** the row holds: nothing missed (and, for a mutant, at least one check expected to catch it) */
  ok: boolean;
}

/** A merged matrix of several reports. */
export interface Matrix {
  /** column names, one per report: "name version", with " (profile)" unless sdk, "#2"… when repeated */
  sdks: string[];
  /** one row per check id of any report, sorted by id */
  rows: {
    /** the check id */
    id: string;
    /** its level, "MUST", "SHOULD" or "FUTURE" */
    level: string;
    /** one cell per column: the outcome ("pass", "fail (expected)", …), or "–" when not run */
    cells: string[];
  }[];
  /** the interop disagreements of every report, merged by fixture */
  interop: InteropDisagreement[];
}

function cellOf(r: Report["results"][number] | undefined): string {
  if (!r) return "–";
  return r.expected_failure ? `${r.outcome} (expected)` : r.outcome;
}

/**
 * Merge reports into one checks × SDKs matrix.
 *
 * @param reports validated reports
 * @returns the matrix
 * @example
 * ```ts
 * import { buildMatrix } from "./matrix.ts";
 * const m = buildMatrix([]);
 * if (m.rows.length !== 0) throw new Error();
 * ```
 */
export function buildMatrix(reports: readonly Report[]): Matrix {
  const names: string[] = [];
  for (const r of reports) {
    let name = `${r.target.name} ${r.target.version}`;
    if (r.profile !== "sdk") name += ` (${r.profile})`;
    let n = 2;
    const base = name;
    while (names.includes(name)) name = `${base} #${n++}`;
    names.push(name);
  }
  const levels = new Map<string, string>();
  for (const r of reports) for (const x of r.results) levels.set(x.id, x.level);
  const ids = [...levels.keys()].sort((a, b) => a.localeCompare(b));
  const rows = ids.map((id) => ({
    id,
    level: levels.get(id) ?? "",
    cells: reports.map((r) => cellOf(r.results.find((x) => x.id === id))),
  }));
  const interop = new Map<string, InteropDisagreement>();
  for (const r of reports) {
    for (const d of r.interop ?? []) {
      const prev = interop.get(d.fixture);
      interop.set(d.fixture, { fixture: d.fixture, outcomes: { ...prev?.outcomes, ...d.outcomes } });
    }
  }
  return {
    sdks: names,
    rows,
    interop: [...interop.values()].sort((a, b) => a.fixture.localeCompare(b.fixture)),
  };
}

/**
 * Render a matrix as Markdown.
 *
 * @param m the matrix
 * @returns Markdown text
 * @example
 * ```ts
 * import { renderMatrixMarkdown } from "./matrix.ts";
 * const md = renderMatrixMarkdown({ sdks: ["a|b"], rows: [], interop: [] });
 * if (!md.includes("a\\|b")) throw new Error(md);
 * ```
 */
export function renderMatrixMarkdown(m: Matrix): string {
  const out = ["# Conformance matrix", ""];
  out.push(`| check | level | ${m.sdks.map(escMarkdown).join(" | ")} |`);
  out.push(`|---|---|${m.sdks.map(() => "---").join("|")}|`);
  for (const r of m.rows) {
    out.push(`| ${escMarkdown(r.id)} | ${escMarkdown(r.level)} | ${r.cells.map(escMarkdown).join(" | ")} |`);
  }
  out.push("");
  if (m.interop.length > 0) {
    const sdks = [...new Set(m.interop.flatMap((d) => Object.keys(d.outcomes)))].sort();
    out.push("## Interop disagreements", "");
    out.push(`| fixture | ${sdks.map(escMarkdown).join(" | ")} |`);
    out.push(`|---|${sdks.map(() => "---").join("|")}|`);
    for (const d of m.interop) {
      out.push(
        `| ${escMarkdown(d.fixture)} | ${sdks.map((s) => escMarkdown(d.outcomes[s] ?? "–")).join(" | ")} |`,
      );
    }
    out.push("");
  }
  return out.join("\n");
}

/**
 * Render a matrix as a self-contained HTML page.
 *
 * @param m the matrix
 * @returns HTML text
 * @example
 * ```ts
 * import { renderMatrixHtml } from "./matrix.ts";
 * const html = renderMatrixHtml({ sdks: ["<x>"], rows: [], interop: [] });
 * if (html.includes("<x>")) throw new Error("unescaped");
 * ```
 */
export function renderMatrixHtml(m: Matrix): string {
  const head = `<tr><th>check</th><th>level</th>${m.sdks.map((s) => `<th>${escHtml(s)}</th>`).join("")}</tr>`;
  const rows = m.rows.map((r) =>
    `<tr><td><code>${escHtml(r.id)}</code></td><td>${escHtml(r.level)}</td>${
      r.cells.map((c) => `<td class="${escHtml(c.split(" ")[0] ?? "")}">${escHtml(c)}</td>`).join("")
    }</tr>`
  ).join("\n");
  let interop = "";
  if (m.interop.length > 0) {
    const sdks = [...new Set(m.interop.flatMap((d) => Object.keys(d.outcomes)))].sort();
    interop = `<h2>Interop disagreements</h2><table><tr><th>fixture</th>${
      sdks.map((s) => `<th>${escHtml(s)}</th>`).join("")
    }</tr>${
      m.interop.map((d) =>
        `<tr><td><code>${escHtml(d.fixture)}</code></td>${
          sdks.map((s) => `<td>${escHtml(d.outcomes[s] ?? "–")}</td>`).join("")
        }</tr>`
      ).join("\n")
    }</table>`;
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Conformance matrix</title>` +
    `<style>${CSS}</style></head><body><h1>Conformance matrix</h1><table>${head}\n${rows}</table>${interop}` +
    `</body></html>\n`;
}

/**
 * Render selftest rows as a plain-text table for the terminal.
 *
 * @param rows the rows
 * @returns text
 * @example
 * ```ts
 * import { renderSelftest } from "./matrix.ts";
 * const t = renderSelftest([{ mutant: "reference", expected: ["a"], caught: ["a"], missed: [], ok: true }]);
 * if (!t.includes("reference")) throw new Error(t);
 * ```
 */
export function renderSelftest(rows: readonly SelftestRow[]): string {
  const w = Math.max(8, ...rows.map((r) => r.mutant.length));
  const lines = [`${"mutant".padEnd(w)}  ok    caught/expected  missed`];
  for (const r of rows) {
    lines.push(
      `${r.mutant.padEnd(w)}  ${(r.ok ? "ok" : "FAIL").padEnd(4)}  ${
        `${r.caught.length}/${r.expected.length}`.padEnd(15)
      }  ${r.missed.join(", ")}`,
    );
  }
  const bad = rows.filter((r) => !r.ok).length;
  lines.push(
    bad === 0 ? `selftest: all ${rows.length} rows ok` : `selftest: ${bad} of ${rows.length} rows FAILED`,
  );
  return lines.join("\n");
}
