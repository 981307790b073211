/**
 * The files of one field client (`field/<name>/`): `field.json` (how to install and start its driver),
 * `prediction.json` (the outcome predicted for every check, committed before the first run) and
 * `notes.md` (one line per disagreement between prediction and verdict). Internal to `field/run.ts`.
 *
 * @module
 */
import { z } from "zod";
import { errorMessage } from "../src/util/error_message.ts";
import { PROFILE_NAMES } from "../cli/profiles.ts";

/** A check outcome as the report names it. */
export type Outcome = "pass" | "fail" | "error" | "not_applicable";

/** The profile a `field.json` that names none is certified with. */
export const DEFAULT_PROFILE = "sdk";

/** The first segment of a check id of any profile (`sdk.…`, `chaos.…`, `svc.…`, `secrets.…`, …). */
const ID_PREFIX = `(?:${PROFILE_NAMES.join("|")})`;

const FieldSpecSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  language: z.string().min(1),
  client: z.string().min(1),
  profile: z.string().regex(/^[a-z][a-z0-9-]*$/).default(DEFAULT_PROFILE),
  command: z.string().min(1).optional(),
  target: z.string().regex(/^[^/.][^\0]*\.toml$/).optional(),
  serve: z.string().min(1).optional(),
  args: z.array(z.string()).max(32).default([]),
  setup: z.string(),
  requires: z.array(z.string().min(1)),
}).refine((s) => (s.command === undefined) !== (s.target === undefined), {
  message: "exactly one of `command` (a driver) and `target` (a target file) is required",
}).refine((s) => s.serve === undefined || s.target !== undefined, {
  message: "`serve` starts the app a `target` file describes: it needs `target`",
});

/** A client's `field.json`. */
export interface FieldSpec {
  name: string;
  language: string;
  /** "<package>@<version>" */
  client: string;
  /** the kit profile the client is certified with (its name, e.g. "sdk" or "secrets"; default "sdk") */
  profile: string;
  /** the driver's command line, relative to the repository root (a driver-based profile) */
  command?: string | undefined;
  /** a target file (TOML, from the repository root) passed as `--target` instead of a driver */
  target?: string | undefined;
  /** a shell command that starts the app the target describes (gets a free port in `PORT`;
   * `${PORT}` in the target file is replaced) */
  serve?: string | undefined;
  /** extra arguments for the profile's task (e.g. `["--only", "svc.iso"]`) */
  args: string[];
  /** a shell command that installs or builds the driver (idempotent) */
  setup: string;
  /** programs that must be on PATH */
  requires: string[];
  /** the client's folder, relative to the repository root */
  dir: string;
}

/** A predicted outcome and its reason. */
export interface Prediction {
  outcome: Outcome;
  reason: string;
}

/**
 * Normalise the ways an outcome may be spelled (`n.a.`, `na`, `not applicable`, …).
 *
 * @param v a predicted outcome as written
 * @returns the outcome, or undefined when it names none
 */
export function outcomeOf(v: unknown): Outcome | undefined {
  if (typeof v !== "string") return undefined;
  const s = v.trim().toLowerCase().replace(/[\s/-]+/g, "_").replace(/\./g, "");
  if (s === "pass" || s === "fail" || s === "error") return s;
  if (["na", "n_a", "not_applicable", "notapplicable"].includes(s)) return "not_applicable";
  return undefined;
}

function entry(id: string, v: unknown): [string, Prediction] | undefined {
  if (typeof v === "string") {
    const o = outcomeOf(v);
    return o ? [id, { outcome: o, reason: "" }] : undefined;
  }
  if (v === null || typeof v !== "object") return undefined;
  const r = v as Record<string, unknown>;
  const o = outcomeOf(r.outcome ?? r.predicted ?? r.expected ?? r.verdict);
  const reason = typeof r.reason === "string" ? r.reason : "";
  return o ? [id, { outcome: o, reason }] : undefined;
}

/**
 * Read predictions from a parsed `prediction.json`. Accepted shapes: `{predictions: {id: …}}`,
 * `{id: …}`, or an array of `{id|check, outcome|predicted, reason}`; a value is an outcome string or
 * an object with `outcome` (or `predicted`) and `reason`.
 *
 * @param doc the parsed file
 * @returns check id → prediction
 * @example
 * ```ts
 * import { parsePredictions } from "./_spec.ts";
 * const p = parsePredictions({ predictions: { "sdk.a.b": { outcome: "n.a.", reason: "r" } } });
 * if (p.get("sdk.a.b")?.outcome !== "not_applicable") throw new Error();
 * ```
 */
export function parsePredictions(doc: unknown): Map<string, Prediction> {
  const out = new Map<string, Prediction>();
  const root = doc !== null && typeof doc === "object" && "predictions" in doc
    ? (doc as { predictions: unknown }).predictions
    : doc;
  if (Array.isArray(root)) {
    for (const item of root) {
      if (item === null || typeof item !== "object") continue;
      const r = item as Record<string, unknown>;
      const id = r.id ?? r.check;
      const e = typeof id === "string" ? entry(id, r) : undefined;
      if (e) out.set(...e);
    }
  } else if (root !== null && typeof root === "object") {
    for (const [id, v] of Object.entries(root)) {
      const e = id.includes(".") ? entry(id, v) : undefined;
      if (e) out.set(...e);
    }
  }
  return out;
}

const ID = `${ID_PREFIX}\\.[a-z0-9-]+(?:\\.[a-z0-9-]+)*`;
const LEAD_ID = new RegExp(`^\\W*(${ID})`);
const ANY_ID = new RegExp(`\\b(${ID})\\b`, "g");

/**
 * The explanation lines of a `notes.md`: every line (a wrapped list item counts as one line) that names
 * a check id (`sdk.…`, `chaos.…`, `svc.…` or `secrets.…`), keyed by each id it names; a line that starts with the id wins over
 * one that only mentions it, and otherwise the first line wins.
 *
 * @param text the notes file
 * @returns check id → the line, without its list marker
 * @example
 * ```ts
 * import { parseNotes } from "./_spec.ts";
 * const n = parseNotes("# notes\n- `sdk.a.b`: predicted pass, got fail; the client\n  is wrong\n");
 * if (n.get("sdk.a.b") !== "`sdk.a.b`: predicted pass, got fail; the client is wrong") throw new Error();
 * ```
 */
export function parseNotes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const items: string[] = [];
  for (const raw of text.split("\n")) {
    // a wrapped list item (deno fmt wraps at 110 columns) continues on indented lines
    if (/^\s+\S/.test(raw) && items.length > 0) items[items.length - 1] += ` ${raw.trim()}`;
    else items.push(raw);
  }
  const mentions = new Map<string, string>();
  for (const item of items) {
    if (item.trimStart().startsWith("#")) continue;
    const line = item.replace(/^\s*[-*]\s*/, "").trim();
    const lead = line.match(LEAD_ID)?.[1];
    if (lead && !out.has(lead)) out.set(lead, line);
    for (const m of line.matchAll(ANY_ID)) {
      if (m[1] && !mentions.has(m[1])) mentions.set(m[1], line);
    }
  }
  for (const [id, line] of mentions) if (!out.has(id)) out.set(id, line);
  return out;
}

/**
 * Every `field/<name>/field.json` under `root`, sorted by name; files that do not parse are
 * reported as problems rather than thrown.
 *
 * @param root the repository root
 * @returns the specs and the problems
 */
export async function discover(root: string): Promise<{ specs: FieldSpec[]; problems: string[] }> {
  const specs: FieldSpec[] = [];
  const problems: string[] = [];
  for await (const e of Deno.readDir(`${root}/field`)) {
    if (!e.isDirectory || e.name.startsWith(".") || e.name.startsWith("_")) continue;
    const file = `${root}/field/${e.name}/field.json`;
    let text: string;
    try {
      text = await Deno.readTextFile(file);
    } catch {
      continue;
    }
    try {
      const r = FieldSpecSchema.safeParse(JSON.parse(text));
      if (!r.success) problems.push(`field/${e.name}/field.json: ${z.prettifyError(r.error)}`);
      else specs.push({ ...r.data, dir: `field/${e.name}` });
    } catch (err) {
      problems.push(`field/${e.name}/field.json: ${errorMessage(err)}`);
    }
  }
  specs.sort((a, b) => a.name.localeCompare(b.name));
  return { specs, problems };
}

/**
 * Read a client's predictions and notes (either may be missing).
 *
 * @param root the repository root
 * @param spec the client
 * @returns predictions (empty when the file is missing or unreadable) and notes
 */
export async function readClientFiles(
  root: string,
  spec: FieldSpec,
): Promise<{ predictions: Map<string, Prediction>; notes: Map<string, string>; problem?: string }> {
  let predictions = new Map<string, Prediction>();
  let problem: string | undefined;
  try {
    predictions = parsePredictions(
      JSON.parse(await Deno.readTextFile(`${root}/${spec.dir}/prediction.json`)),
    );
  } catch (e) {
    problem = `${spec.dir}/prediction.json: ${errorMessage(e)}`;
  }
  let notes = new Map<string, string>();
  try {
    notes = parseNotes(await Deno.readTextFile(`${root}/${spec.dir}/notes.md`));
  } catch {
    // no notes yet: every disagreement is unexplained
  }
  return problem ? { predictions, notes, problem } : { predictions, notes };
}
