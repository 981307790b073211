/**
 * The field report's text: the checks × clients matrix, the summary table and each client's
 * disagreements between prediction and verdict, in Markdown. Pure functions; internal to
 * `field/run.ts`.
 *
 * @module
 */
import type { Report } from "../src/schema/report.ts";
import { type FieldSpec, type Outcome, outcomeOf, type Prediction } from "./_spec.ts";

/** What happened to one client in a field run. */
export interface ClientRun {
  spec: FieldSpec;
  /** ran: a report; skipped: toolchain or setup missing; failed: certify gave no report */
  status: "ran" | "skipped" | "failed";
  why?: string;
  report?: Report;
  seconds?: number;
  /** checks that ended in error and were run once more (their second verdict is in the report) */
  rerun?: string[];
  predictions: Map<string, Prediction>;
  notes: Map<string, string>;
}

/** One check where the verdict is not the predicted outcome. */
export interface Disagreement {
  id: string;
  predicted: Outcome | "none";
  got: Outcome;
  /** the notes.md line that explains it; missing or stale lines leave this undefined */
  explanation?: string;
  /** the notes line names another outcome than the one this run got */
  stale?: string;
}

const SHORT: Record<Outcome, string> = { pass: "pass", fail: "fail", error: "error", not_applicable: "n.a." };

/**
 * The checks of a run whose verdict differs from the prediction, with their notes lines.
 *
 * @param run a client run with a report
 * @returns the disagreements, in check-id order
 * @example
 * ```ts
 * import { disagreements } from "./_report.ts";
 * const d = disagreements({ status: "skipped", predictions: new Map(), notes: new Map() } as never);
 * if (d.length !== 0) throw new Error();
 * ```
 */
export function disagreements(run: ClientRun): Disagreement[] {
  const out: Disagreement[] = [];
  for (const r of run.report?.results ?? []) {
    const p = run.predictions.get(r.id);
    if (p?.outcome === r.outcome) continue;
    const line = run.notes.get(r.id);
    const said = line?.match(/\bgot\s+\**`?(pass|fail|error|n\.a\.|n\/a|not[_ ]applicable)\b/i)?.[1];
    const saidOutcome = said ? outcomeOf(said) : undefined;
    const d: Disagreement = { id: r.id, predicted: p?.outcome ?? "none", got: r.outcome };
    if (line && saidOutcome !== undefined && saidOutcome !== r.outcome) d.stale = line;
    else if (line) d.explanation = line;
    out.push(d);
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

/** A notes line without what the list already says: its check id and "predicted X, got Y". */
function reasonOf(line: string, id: string): string {
  const lead = new RegExp(`^\`?${id.replaceAll(".", "\\.")}\`?\\s*[:,.;—–-]\\s*`);
  if (!lead.test(line)) return line;
  const rest = line.replace(lead, "");
  return rest.replace(/^predicted\s+[^,]+,\s*got\s+[^.;:]+(\.\S*)?[.;:]?\s*/i, "");
}

function escCell(s: string): string {
  return s.replaceAll("|", "\\|").replaceAll("\n", " ");
}

function counts(r: Report): string {
  const s = r.summary;
  return `${s.pass} | ${s.fail} | ${s.error} | ${s.not_applicable}`;
}

/**
 * The summary table: one row per client (skipped and failed clients say why).
 *
 * @param runs every client of the run
 * @returns Markdown
 * @example
 * ```ts
 * import { renderSummary } from "./_report.ts";
 * if (!renderSummary([]).includes("| client |")) throw new Error();
 * ```
 */
export function renderSummary(runs: readonly ClientRun[]): string {
  const rows = [
    "| client | version | language | pass | fail | error | n.a. | level | as predicted |",
    "| ------ | ------- | -------- | ---: | ---: | ----: | ---: | ----- | -----------: |",
  ];
  for (const run of runs) {
    const { spec, report } = run;
    if (run.status !== "ran" || !report) {
      rows.push(
        `| ${spec.name} | ${spec.client} | ${spec.language} | – | – | – | – | ${run.status}: ${
          escCell(run.why ?? "")
        } | – |`,
      );
      continue;
    }
    const right = report.results.length - disagreements(run).length;
    rows.push(
      `| ${spec.name} | ${escCell(report.target.version)} | ${spec.language} | ${
        counts(report)
      } | **${report.summary.certification}** | ${right}/${report.results.length} |`,
    );
  }
  return rows.join("\n");
}

/**
 * The checks × clients matrix; a cell whose verdict differs from the prediction carries `*`.
 *
 * @param runs every client of the run (only those with a report get a column)
 * @returns Markdown
 * @example
 * ```ts
 * import { renderMatrix } from "./_report.ts";
 * if (!renderMatrix([]).startsWith("| check |")) throw new Error();
 * ```
 */
export function renderMatrix(runs: readonly ClientRun[]): string {
  const ran = runs.filter((r) => r.report);
  const ids = [...new Set(ran.flatMap((r) => r.report?.results.map((x) => x.id) ?? []))].sort();
  const level = new Map(ran.flatMap((r) => r.report?.results.map((x) => [x.id, x.level] as const) ?? []));
  const rows = [
    `| check | level | ${ran.map((r) => r.spec.name).join(" | ")} |`,
    `| ----- | ----- | ${ran.map(() => "---").join(" | ")} |`,
  ];
  for (const id of ids) {
    const cells = ran.map((r) => {
      const got = r.report?.results.find((x) => x.id === id)?.outcome;
      if (!got) return "–";
      const differs = r.predictions.get(id)?.outcome !== got;
      const text = got === "fail" ? "**fail**" : SHORT[got];
      return differs ? `${text}\\*` : text;
    });
    rows.push(`| \`${id}\` | ${level.get(id) ?? ""} | ${cells.join(" | ")} |`);
  }
  return rows.join("\n");
}

/**
 * Each client's disagreements between prediction and verdict, with their explanations from notes.md
 * (`UNEXPLAINED` where notes.md has no line for the check, `STALE` where its line names another outcome).
 *
 * @param runs every client of the run
 * @returns Markdown, and the number of disagreements without a current explanation
 * @example
 * ```ts
 * import { renderDisagreements } from "./_report.ts";
 * if (renderDisagreements([]).unexplained !== 0) throw new Error();
 * ```
 */
export function renderDisagreements(runs: readonly ClientRun[]): { text: string; unexplained: number } {
  const parts: string[] = [];
  let unexplained = 0;
  for (const run of runs) {
    if (!run.report) continue;
    const ds = disagreements(run);
    parts.push(`#### ${run.spec.name} (${run.spec.client})`, "");
    if (run.rerun?.length) {
      parts.push(
        `Re-run once after \`error\` (second verdict shown): ${
          run.rerun.map((id) => `\`${id}\``).join(", ")
        }.`,
        "",
      );
    }
    if (ds.length === 0) parts.push("Every verdict was the predicted outcome.");
    for (const d of ds) {
      const head = `- \`${d.id}\`: predicted ${
        d.predicted === "none" ? "nothing" : SHORT[d.predicted]
      }, got ${SHORT[d.got]}`;
      if (d.explanation) parts.push(`${head}: ${escCell(reasonOf(d.explanation, d.id))}`);
      else {
        unexplained++;
        parts.push(
          d.stale ? `${head}: **STALE** (notes.md says: ${escCell(d.stale)})` : `${head}: **UNEXPLAINED**`,
        );
      }
    }
    parts.push("");
  }
  return { text: parts.join("\n").trimEnd(), unexplained };
}

/**
 * Replace the text between two marker lines (the markers stay).
 *
 * @param text the document
 * @param begin the opening marker
 * @param end the closing marker
 * @param body the new text between them
 * @returns the document, or undefined when a marker is missing
 * @example
 * ```ts
 * import { replaceBetween } from "./_report.ts";
 * if (replaceBetween("a\n<!-- b -->\nx\n<!-- e -->\nz", "<!-- b -->", "<!-- e -->", "y") !== "a\n<!-- b -->\ny\n<!-- e -->\nz") throw new Error();
 * ```
 */
export function replaceBetween(text: string, begin: string, end: string, body: string): string | undefined {
  const i = text.indexOf(begin);
  const j = text.indexOf(end, i + begin.length);
  if (i < 0 || j < 0) return undefined;
  return `${text.slice(0, i + begin.length)}\n${body}\n${text.slice(j)}`;
}

/**
 * The profiles of a field run, in the order their sections appear: `sdk` first, then by name.
 *
 * @param runs every client of the run
 * @returns each profile with its clients (in the order given)
 * @example
 * ```ts
 * import { byProfile } from "./_report.ts";
 * const run = (name: string, profile: string) => ({ spec: { name, profile } }) as never;
 * const groups = byProfile([run("a", "secrets"), run("b", "sdk"), run("c", "secrets")]);
 * if (groups.map(([p, rs]) => `${p}:${rs.length}`).join() !== "sdk:1,secrets:2") throw new Error();
 * ```
 */
export function byProfile(runs: readonly ClientRun[]): [string, ClientRun[]][] {
  const groups = new Map<string, ClientRun[]>();
  for (const r of runs) groups.set(r.spec.profile, [...groups.get(r.spec.profile) ?? [], r]);
  return [...groups].sort(([a], [b]) => a === "sdk" ? -1 : b === "sdk" ? 1 : a.localeCompare(b));
}

/** What a profile's section says about the run that made it. */
export interface BlockMeta {
  /** the profile's name */
  profile: string;
  /** the run's date, YYYY-MM-DD */
  date: string;
  /** clients certified at once */
  parallel: number;
  /** the wall time of the whole run, in seconds */
  wallSeconds: number;
}

/**
 * The generated section of docs/FIELD.md for one profile's clients: the summary, the checks × clients
 * matrix and the disagreements, with the kit's name from the first report.
 *
 * @param runs the profile's clients
 * @param meta the profile and the run
 * @returns Markdown, and the number of disagreements without a current explanation
 * @example
 * ```ts
 * import { renderProfileBlock } from "./_report.ts";
 * const b = renderProfileBlock([], { profile: "secrets", date: "2026-12-03", parallel: 2, wallSeconds: 1 });
 * if (!b.text.includes("### Matrix (`secrets` profile)") || b.unexplained !== 0) throw new Error();
 * ```
 */
export function renderProfileBlock(
  runs: readonly ClientRun[],
  meta: BlockMeta,
): { text: string; unexplained: number } {
  const kit = runs.find((r) => r.report)?.report?.kit;
  const d = renderDisagreements(runs);
  const skipped = runs.filter((r) => r.status !== "ran");
  const of = `(\`${meta.profile}\` profile)`;
  const text = [
    `Generated by \`deno task field\` on ${meta.date} (kit ${
      kit ? `${kit.name} ${kit.version}` : "?"
    }, \`--seed 1\`, ${meta.parallel} clients at a time, ${meta.wallSeconds} s wall time).`,
    "",
    `### Summary ${of}`,
    "",
    renderSummary(runs),
    ...(skipped.length > 0
      ? ["", ...skipped.map((r) => `- ${r.spec.name}: ${r.status}: ${r.why ?? ""}`)]
      : []),
    "",
    `### Matrix ${of}`,
    "",
    "`*` marks a verdict that differs from the committed prediction (explained below).",
    "",
    renderMatrix(runs),
    "",
    `### Predicted vs. got ${of}`,
    "",
    d.text,
  ].join("\n");
  return { text, unexplained: d.unexplained };
}
