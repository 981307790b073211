/**
 * Canary secrets: make them, find them (raw, in any case, with separators, URL-encoded, base64, hex,
 * and any 12-character run), mask them, and scan a directory tree for them.
 * See docs/PROTOCOL.md § "Canaries", docs/DESIGN.md § "Canary secrets and the leak scan" and
 * docs/threat-model.md (what the scan does not catch).
 *
 * @module
 */
import type { LeakFinding } from "../schema/evidence.ts";
import { type CanaryFormText, formsOf } from "./_canary_forms.ts";
import { scanDir, type ScanLimits } from "./_scan_tree.ts";
import {
  type CanaryForm,
  type CanarySpan,
  findSpans,
  MASK,
  maskSpans,
  type TaggedFinding,
  taggedFindings,
} from "./_canary_match.ts";

export type { CanaryForm, CanaryFormText, CanarySpan, TaggedFinding };
export { FRAGMENT_LENGTH } from "./_canary_forms.ts";
export { MASK };
export {
  describeScan,
  SCAN_MAX_BYTES,
  SCAN_MAX_DIRS,
  SCAN_MAX_FILES,
  SCAN_TAIL_BYTES,
  scanDir,
  type ScanLimits,
  type SkippedEntry,
  type TreeScan,
} from "./_scan_tree.ts";

/** One place a canary was found. */
export interface CanaryMatch {
  /** the canary that was found (never print it: mask it) */
  canary: string;
  form: CanaryForm;
  /** index of the first character of the match in the scanned text */
  index: number;
}

/**
 * Make a fresh canary token: `ronc_` followed by 32 random lowercase hex digits.
 *
 * @returns a new canary
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.match(newCanary(), /^ronc_[0-9a-f]{32}$/);
 * ```
 */
export function newCanary(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return "ronc_" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Every searchable text of a canary: the raw text, its URL encodings (`encodeURIComponent` and form
 * encoding), base64 (standard and URL-safe) of the canary, of the canary upper-cased, of
 * `Bearer <canary>`, of `user:<canary>` and of the canary's 16 raw bytes (the 32 hex digits after
 * `ronc_`), each at the three byte alignments it can have inside a longer base64 text, the hex of
 * its UTF-8 bytes and every 24-digit (12-byte) run of that hex, and every run of
 * {@link FRAGMENT_LENGTH} characters of it. Raw, hex and run forms also match in any letter case
 * and with separators between characters (whitespace, controls, NUL, zero-width and bidi format
 * characters, `-`, `:`, `%`). Duplicates are removed, keeping the first (most specific) form.
 *
 * @param canary the canary
 * @returns the forms, most specific first
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const forms = canaryForms("ronc_3f9a1c07d2e84b6a95c0f1e27d3b8a46");
 * assert.equal(forms[0]?.form, "raw");
 * assert.ok(forms.some((f) => f.form === "base64" && f.text === btoa("ronc_3f9a1c07d2e84b6a95c0f1e27d3b8a46")));
 * assert.equal(forms.filter((f) => f.form === "fragment").length, 37 - 12 + 1);
 * ```
 */
export function canaryForms(canary: string): CanaryFormText[] {
  return formsOf(canary);
}

/**
 * Find every canary span in `text`: non-overlapping, leftmost first, longest at each position; a
 * run of a canary is extended over as much of the canary as surrounds it, so a truncated canary is
 * masked whole.
 *
 * @param text the text to scan
 * @param canaries the canaries to look for
 * @returns the spans, by index
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const c = "ronc_3f9a1c07d2e84b6a95c0f1e27d3b8a46";
 * assert.deepEqual(findCanarySpans(`x ${c.toUpperCase()} y`, [c]), [{ canary: c, form: "case-changed", index: 2, end: 39 }]);
 * ```
 */
export function findCanarySpans(text: string, canaries: readonly string[]): CanarySpan[] {
  return findSpans(text, canaries);
}

/**
 * Find every canary in `text`, in any form the kit knows (see {@link canaryForms}).
 * Matches do not overlap; where forms overlap the longest wins. The forms of a
 * canary set are compiled once and cached, so this is cheap to call per line.
 *
 * @param text the text to scan
 * @param canaries the canaries to look for
 * @returns one entry per match, by index
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const c = "ronc_3f9a1c07d2e84b6a95c0f1e27d3b8a46";
 * assert.deepEqual(findCanaries(`token=${c}`, [c]), [{ canary: c, form: "raw", index: 6 }]);
 * assert.equal(findCanaries(`Authorization: Basic ${btoa("user:" + c)}`, [c])[0]?.form, "base64");
 * assert.equal(findCanaries(`...${c.slice(10, 30)}...`, [c])[0]?.form, "fragment");
 * assert.deepEqual(findCanaries("nothing to see here, 0123456789", [c]), []);
 * ```
 */
export function findCanaries(text: string, canaries: readonly string[]): CanaryMatch[] {
  return findCanarySpans(text, canaries).map((s) => ({ canary: s.canary, form: s.form, index: s.index }));
}

/**
 * Replace every form of every canary in `text` with `<canary>`.
 *
 * @param text the text to mask
 * @param canaries the canaries to hide
 * @returns the masked text
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const c = "ronc_3f9a1c07d2e84b6a95c0f1e27d3b8a46";
 * assert.equal(maskCanaries(`a ${c} b ${encodeURIComponent("x")}`, [c]), "a <canary> b x");
 * ```
 */
export function maskCanaries(text: string, canaries: readonly string[]): string {
  const spans = findSpans(text, canaries);
  if (spans.length === 0) return text;
  return maskSpans(text, spans, 0, text.length);
}

/**
 * Turn the canary matches in `text` into leak findings with masked excerpts.
 *
 * @param text the scanned text
 * @param canaries the canaries to look for
 * @param where where the text came from (e.g. "driver stderr")
 * @param max at most this many findings (default 5)
 * @returns the findings
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const c = "ronc_3f9a1c07d2e84b6a95c0f1e27d3b8a46";
 * const [f] = leakFindings(`debug: Authorization: Bearer ${c}`, [c], "driver stderr");
 * assert.deepEqual(f, { where: "driver stderr", form: "raw", excerpt: "debug: Authorization: Bearer <canary>" });
 * ```
 */
export function leakFindings(
  text: string,
  canaries: readonly string[],
  where: string,
  max = 5,
): LeakFinding[] {
  return taggedLeakFindings(text, canaries, where, max).map((t) => t.finding);
}

/**
 * Like {@link leakFindings}, with the canary each finding is about (to filter
 * findings by canary later without the text).
 *
 * @param text the scanned text
 * @param canaries the canaries to look for
 * @param where where the text came from
 * @param max at most this many findings (default 5)
 * @returns the tagged findings
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const c = "ronc_3f9a1c07d2e84b6a95c0f1e27d3b8a46";
 * assert.equal(taggedLeakFindings(`x ${c}`, ["other-canary-000000", c], "reply to request")[0]?.canary, c);
 * ```
 */
export function taggedLeakFindings(
  text: string,
  canaries: readonly string[],
  where: string,
  max = 5,
): TaggedFinding[] {
  return taggedFindings(text, canaries, where, max);
}

/**
 * Scan every regular file under `dir` (recursively; symlinks not followed; at most
 * {@link SCAN_MAX_FILES} files in {@link SCAN_MAX_DIRS} directories; the first 7 MiB and the last
 * 1 MiB of a file bigger than {@link SCAN_MAX_BYTES}; gzip files also decompressed, up to the same
 * cap) and every file name for the canaries. Findings only: {@link scanDir} also says what was
 * skipped. A missing directory has no findings.
 *
 * @param dir the directory to scan
 * @param canaries the canaries to look for
 * @param label how the directory is named in findings, e.g. "HOME" → `file HOME/.cache/x`
 * @param limits lower bounds for tests (defaults: the SCAN_* constants)
 * @returns the findings, excerpts and paths masked
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const c = "ronc_3f9a1c07d2e84b6a95c0f1e27d3b8a46";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/token.txt`, `token=${c}\n`);
 * const [f] = await scanTree(dir, [c], "HOME");
 * assert.deepEqual(f, { where: "file HOME/token.txt", form: "raw", excerpt: "token=<canary> ⏎ " });
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function scanTree(
  dir: string,
  canaries: readonly string[],
  label: string,
  limits: ScanLimits = {},
): Promise<LeakFinding[]> {
  return (await scanDir(dir, canaries, label, limits)).findings;
}
