/**
 * One renderer for validation issues: each issue names its field (`error.details`,
 * `events[2].type`) and says what was expected and what was there, e.g.
 * `error.details: expected an object, got an array`. A union's issue is rendered from the
 * alternative that came closest, not as a bare "Invalid input" at the root.
 *
 * @module
 */
import type { z } from "zod";

/** One zod issue. */
export type Issue = z.core.$ZodIssue;

const NAMES: Record<string, string> = {
  record: "an object",
  object: "an object",
  map: "an object",
  array: "an array",
  tuple: "an array",
  string: "a string",
  number: "a number",
  int: "an integer",
  bigint: "an integer",
  boolean: "a boolean",
  null: "null",
  undefined: "nothing",
  literal: "a literal",
};

const MAX_VALUE = 40;

/**
 * A field path as text: `error.details`, `events[2].type`, `(root)` for the value itself.
 *
 * @param path the issue's path
 * @returns the path as text
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(pathText(["events", 2, "type"]), "events[2].type");
 * assert.equal(pathText([]), "(root)");
 * ```
 */
export function pathText(path: readonly PropertyKey[]): string {
  let out = "";
  for (const k of path) {
    if (typeof k === "number") out += `[${k}]`;
    else out += out === "" ? String(k) : `.${String(k)}`;
  }
  return out === "" ? "(root)" : out;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): { found: boolean; value: unknown } {
  let v: unknown = input;
  for (const k of path) {
    if (typeof v !== "object" || v === null || !Object.hasOwn(v, k)) {
      return { found: false, value: undefined };
    }
    v = Reflect.get(v, k);
  }
  return { found: true, value: v };
}

function literal(v: unknown): string {
  if (typeof v === "bigint") return `${v}`;
  const s = JSON.stringify(v) ?? String(v);
  return s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE)}…` : s;
}

/** What a value is, for "got …". */
function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  switch (typeof v) {
    case "object":
      return "an object";
    case "string":
      return `the string ${literal(v)}`;
    case "number":
    case "boolean":
    case "bigint":
      return `${typeof v === "boolean" ? "" : "the number "}${literal(v)}`;
    default:
      return typeof v;
  }
}

/** `<where>: expected <want>, got <what was there>`, or `<where>: missing (expected <want>)`. */
function expected(where: string, want: string, input: unknown, path: readonly PropertyKey[]): string {
  const at = valueAt(input, path);
  return at.found
    ? `${where}: expected ${want}, got ${describeValue(at.value)}`
    : `${where}: missing (expected ${want})`;
}

/** How well a union alternative fits: a literal (discriminator) mismatch loses; then depth; then fewer issues. */
function score(issues: readonly Issue[], base: number): [number, number, number] {
  const mismatch = issues.some((i) => i.code === "invalid_value" && i.path.length <= base + 1) ? 0 : 1;
  const depth = Math.max(0, ...issues.map((i) => i.path.length));
  return [mismatch, depth, -issues.length];
}

function better(a: [number, number, number], b: [number, number, number]): boolean {
  for (let i = 0; i < 3; i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return false;
}

/** The issues of the closest union alternative, with full paths. */
function closest(issue: Extract<Issue, { code: "invalid_union" }>): Issue[] | undefined {
  let best: Issue[] | undefined;
  let bestScore: [number, number, number] = [-1, -1, -Infinity];
  for (const alt of issue.errors) {
    if (alt.length === 0) continue;
    const full = alt.map((i) =>
      issue.path.length > 0 && !issue.path.every((k, n) => i.path[n] === k)
        ? { ...i, path: [...issue.path, ...i.path] }
        : i
    );
    const s = score(full, issue.path.length);
    if (better(s, bestScore)) {
      best = full;
      bestScore = s;
    }
  }
  return best;
}

function renderOne(issue: Issue, input: unknown, out: string[], depth: number): void {
  const where = pathText(issue.path);
  switch (issue.code) {
    case "invalid_type": {
      const want = NAMES[issue.expected] ?? issue.expected;
      out.push(expected(where, want, input, issue.path));
      return;
    }
    case "invalid_value": {
      const want = issue.values.length === 1
        ? literal(issue.values[0])
        : `one of ${issue.values.slice(0, 12).map(literal).join(", ")}${
          issue.values.length > 12 ? ", …" : ""
        }`;
      out.push(expected(where, want, input, issue.path));
      return;
    }
    case "unrecognized_keys":
      out.push(`${where}: unexpected key(s) ${issue.keys.map((k) => literal(k)).join(", ")}`);
      return;
    case "invalid_union": {
      const alt = depth < 4 ? closest(issue) : undefined;
      if (!alt) {
        out.push(expected(where, "one of the allowed shapes", input, issue.path));
        return;
      }
      for (const i of alt) renderOne(i, input, out, depth + 1);
      return;
    }
    case "too_big":
    case "too_small": {
      const bound = issue.code === "too_big" ? issue.maximum : issue.minimum;
      const word = issue.code === "too_big" ? "at most" : "at least";
      const unit = issue.origin === "string" ? " characters" : issue.origin === "array" ? " items" : "";
      out.push(expected(where, `${word} ${literal(bound)}${unit}`, input, issue.path));
      return;
    }
    case "invalid_format":
    case "not_multiple_of":
    case "invalid_key":
    case "invalid_element":
    case "custom":
      out.push(`${where}: ${issue.message}`);
      return;
    default: {
      const never: never = issue;
      out.push(`${where}: ${String((never as { message?: unknown }).message)}`);
    }
  }
}

/**
 * Render validation issues, each with its field, what was expected and what was there. A
 * union's issue is rendered from the alternative that came closest. At most `max` issues are
 * listed (then "and N more").
 *
 * @param issues the issues (`result.error.issues` of a failed `safeParse`)
 * @param input the value that was validated (to say what was there)
 * @param max issues listed at most
 * @returns the issues, `; `-separated
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * const schema = z.object({ error: z.object({ details: z.record(z.string(), z.unknown()).optional() }) });
 * const input = { error: { details: [] } };
 * const r = schema.safeParse(input);
 * assert.equal(formatIssues(r.error?.issues ?? [], input), "error.details: expected an object, got an array");
 * ```
 */
export function formatIssues(issues: readonly Issue[], input: unknown, max: number = 5): string {
  const lines: string[] = [];
  for (const issue of issues) renderOne(issue, input, lines, 0);
  const unique = [...new Set(lines)];
  const shown = unique.slice(0, Math.max(1, max));
  const more = unique.length - shown.length;
  return shown.join("; ") + (more > 0 ? `; and ${more} more` : "");
}
