/**
 * The simple canary scanner (internal; the reference the fast scanner is tested against): one pass
 * that classifies every character with the matcher's table and runs the exact matching steps on
 * every run long enough to hold a match.
 *
 * @module
 */
import { C_SEP, C_VIEW0, C_VIEW1, type CanarySpan, matcherFor, W } from "./_canary_compile.ts";
import { mergeSpans, run0, run1, shortMatches } from "./_canary_runs.ts";

/**
 * Find every canary span in `text` by looking at every character (see `findSpans` in
 * `_canary_match.ts`, which must return exactly the same).
 *
 * @param text the text to scan
 * @param canaries the canaries to look for
 * @returns the spans, by index
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const c = "ronc_3f9a1c07d2e84b6a95c0f1e27d3b8a46";
 * assert.deepEqual(findSpansSimple(`x ${c} y`, [c]), [{ canary: c, form: "raw", index: 2, end: 39 }]);
 * ```
 */
export function findSpansSimple(text: string, canaries: readonly string[]): CanarySpan[] {
  if (canaries.length === 0 || text.length === 0) return [];
  const m = matcherFor(canaries);
  const t = m.table;
  const cands: CanarySpan[] = [];
  const n = text.length;
  let len0 = 0; // length of the current view-0 run
  let s1 = 0; // start of the current view-1 run
  let c1 = 0; // its characters of view 1 (separators not counted)
  for (let i = 0; i < n; i++) {
    const f = t[text.charCodeAt(i)]!;
    if ((f & C_VIEW0) !== 0) len0++;
    else {
      if (len0 >= W) run0(text, m, cands, i - len0, i);
      len0 = 0;
    }
    if ((f & C_VIEW1) !== 0) {
      if (c1++ === 0) s1 = i;
    } else if ((f & C_SEP) === 0) {
      if (c1 >= W) run1(text, m, cands, s1, i, c1);
      c1 = 0;
    }
  }
  if (len0 >= W) run0(text, m, cands, n - len0, n);
  if (c1 >= W) run1(text, m, cands, s1, n, c1);
  shortMatches(text, m, cands);
  return mergeSpans(cands);
}
