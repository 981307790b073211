/**
 * Expected failures: a file of check ids (one a line, `#` comments) that lets a vendor adopt the kit
 * gradually. Strict semantics: a listed failure does not fail the run; a listed check that now
 * passes, or an id the kit does not know, does fail it, so the list never goes stale silently.
 * `--fix-expectations` rewrites the file to match the run.
 *
 * @module
 */
import type { CheckResult } from "./types.ts";

const ID = /^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+(-[a-z0-9]+)*)+$/;

/** One line of an expectations file. */
export type ExpectationLine =
  | { kind: "id"; id: string; raw: string }
  | { kind: "other"; raw: string };

/** A parsed expectations file. */
export interface ExpectationFile {
  lines: ExpectationLine[];
  /** the listed ids, in file order, without duplicates */
  ids: string[];
}

/** Why an expectations file could not be read. */
export interface ExpectationParseError {
  code: "malformed_line";
  line: number;
  text: string;
}

/**
 * Parse an expectations file.
 *
 * @param text the file's contents
 * @returns the parsed file, or the first malformed line
 * @example
 * ```ts
 * import { parseExpectations } from "./expect_fail.ts";
 * const r = parseExpectations("# known\nsdk.retry.bounded  # ticket 12\n\n");
 * if (!r.ok || r.value.ids[0] !== "sdk.retry.bounded") throw new Error("parse");
 * ```
 */
export function parseExpectations(
  text: string,
): { ok: true; value: ExpectationFile } | { ok: false; error: ExpectationParseError } {
  const lines: ExpectationLine[] = [];
  const ids: string[] = [];
  const raws = text.split(/\r?\n/);
  if (raws.length > 0 && raws[raws.length - 1] === "") raws.pop();
  for (const [i, raw] of raws.entries()) {
    const body = (raw.split("#")[0] ?? "").trim();
    if (body === "") {
      lines.push({ kind: "other", raw });
      continue;
    }
    if (!ID.test(body)) {
      return { ok: false, error: { code: "malformed_line", line: i + 1, text: raw } };
    }
    lines.push({ kind: "id", id: body, raw });
    if (!ids.includes(body)) ids.push(body);
  }
  return { ok: true, value: { lines, ids } };
}

/**
 * Render a parse error as one line for humans.
 *
 * @param e the error
 * @returns the message
 * @example
 * ```ts
 * import { describeParseError } from "./expect_fail.ts";
 * const m = describeParseError({ code: "malformed_line", line: 3, text: "not an id" });
 * if (!m.includes("line 3")) throw new Error(m);
 * ```
 */
export function describeParseError(e: ExpectationParseError): string {
  switch (e.code) {
    case "malformed_line":
      return `expected-failures file, line ${e.line}: not a check id: ${JSON.stringify(e.text)}`;
    default: {
      const _x: never = e.code;
      return String(_x);
    }
  }
}

/** A way the expectations file disagrees with the run; each one fails the run. */
export type ExpectationProblem =
  | { code: "unknown_id"; id: string }
  | { code: "now_passes"; id: string };

/** The expectations applied to a run. */
export interface ExpectationOutcome {
  /** listed ids whose check failed or errored: these do not fail the run */
  expectedFailures: string[];
  /** failing MUST checks (fail or error) that are not listed: these fail the run */
  unexpectedFailures: string[];
  /** stale entries: these fail the run */
  problems: ExpectationProblem[];
  /** 0 when every applicable MUST passes (after expectations) and nothing is stale, else 1 */
  exitCode: 0 | 1;
}

/**
 * Render an expectation problem for humans.
 *
 * @param p the problem
 * @returns the message
 * @example
 * ```ts
 * import { describeProblem } from "./expect_fail.ts";
 * if (!describeProblem({ code: "now_passes", id: "sdk.a.b" }).includes("now passes")) throw new Error();
 * ```
 */
export function describeProblem(p: ExpectationProblem): string {
  switch (p.code) {
    case "unknown_id":
      return `expected failure ${p.id}: the kit has no check with this id`;
    case "now_passes":
      return `expected failure ${p.id}: the check now passes; remove it from the list (--fix-expectations)`;
    default: {
      const _x: never = p;
      return String(_x);
    }
  }
}

/**
 * Apply expected failures to the results of a run.
 *
 * @param results the run's results
 * @param expected the listed ids (empty when no file was given)
 * @param knownIds every check id the kit knows (not only those that ran)
 * @returns what passes, what fails the run, and the exit code
 * @example
 * ```ts
 * import { applyExpectations } from "./expect_fail.ts";
 * const r = applyExpectations(
 *   [{ id: "sdk.a.b", title: "t", level: "MUST", source: "000", durationMs: 1,
 *      verdict: { outcome: "fail", reason: "x", evidence: {} } }],
 *   ["sdk.a.b"], new Set(["sdk.a.b"]),
 * );
 * if (r.exitCode !== 0) throw new Error("listed failure must not fail the run");
 * ```
 */
export function applyExpectations(
  results: readonly CheckResult[],
  expected: readonly string[],
  knownIds: ReadonlySet<string>,
): ExpectationOutcome {
  const listed = new Set(expected);
  const byId = new Map(results.map((r) => [r.id, r]));
  const problems: ExpectationProblem[] = [];
  const expectedFailures: string[] = [];
  for (const id of expected) {
    if (!knownIds.has(id) && !byId.has(id)) {
      problems.push({ code: "unknown_id", id });
      continue;
    }
    const r = byId.get(id);
    if (!r) continue; // known, but not part of this run (--only)
    const o = r.verdict.outcome;
    if (o === "pass") problems.push({ code: "now_passes", id });
    else if (o === "fail" || o === "error") expectedFailures.push(id);
  }
  const unexpectedFailures = results
    .filter((r) => r.level === "MUST" && (r.verdict.outcome === "fail" || r.verdict.outcome === "error"))
    .filter((r) => !listed.has(r.id))
    .map((r) => r.id);
  const exitCode = problems.length === 0 && unexpectedFailures.length === 0 ? 0 : 1;
  return { expectedFailures, unexpectedFailures, problems, exitCode };
}

/**
 * Rewrite an expectations file so it matches a run: drop unknown ids and checks that now pass,
 * add every check that failed or errored, keep comments and ids the run did not cover.
 *
 * @param file the parsed file (or `undefined` for a new one)
 * @param results the run's results
 * @param knownIds every check id the kit knows
 * @returns the new file text
 * @example
 * ```ts
 * import { fixExpectations, parseExpectations } from "./expect_fail.ts";
 * const f = parseExpectations("# mine\nsdk.old.gone\n");
 * if (!f.ok) throw new Error();
 * const text = fixExpectations(f.value, [
 *   { id: "sdk.a.b", title: "t", level: "MUST", source: "000", durationMs: 1,
 *     verdict: { outcome: "fail", reason: "x", evidence: {} } },
 * ], new Set(["sdk.a.b"]));
 * if (text !== "# mine\nsdk.a.b\n") throw new Error(text);
 * ```
 */
export function fixExpectations(
  file: ExpectationFile | undefined,
  results: readonly CheckResult[],
  knownIds: ReadonlySet<string>,
): string {
  const byId = new Map(results.map((r) => [r.id, r]));
  const out: string[] = [];
  const kept = new Set<string>();
  for (const line of file?.lines ?? []) {
    if (line.kind === "other") {
      out.push(line.raw);
      continue;
    }
    if (kept.has(line.id)) continue;
    const r = byId.get(line.id);
    const known = knownIds.has(line.id) || r !== undefined;
    if (!known) continue;
    if (r && r.verdict.outcome !== "fail" && r.verdict.outcome !== "error") continue;
    kept.add(line.id);
    out.push(line.raw);
  }
  for (const r of results) {
    if ((r.verdict.outcome === "fail" || r.verdict.outcome === "error") && !kept.has(r.id)) {
      kept.add(r.id);
      out.push(r.id);
    }
  }
  return out.length === 0 ? "" : out.join("\n") + "\n";
}
