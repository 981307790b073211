/**
 * The fast canary scanner (internal to `canary.ts`): the same spans as the simple scanner
 * (`_canary_simple.ts`, a property test holds them equal), without looking at every character.
 *
 * One pass over a grid of samples every 4 characters:
 * - View 0 (URL-encoded and base64 forms, exact text of 12 or more ASCII characters): at every
 *   other sample (every 8 characters) the 3-character gram is read. A match starting at `s` holds
 *   exactly one such sample `p` in `[s, s + 7]`, and `p + 3 <= s + 12`, so the gram at `p` is the
 *   pattern's gram at offset `p - s < 8`: the matcher indexes those 8 grams of each pattern, a bit
 *   filter rejects almost every sample, and a hit is verified with `startsWith` at `p - off`. Each
 *   match is found once.
 * - View 1 (raw, fragment and hex forms, lowercased, separators skipped): a match lies in a segment
 *   between two breaking characters (neither view 1 nor separator) with at least 12 view-1
 *   characters, so the segment spans at least 12 characters and holds three consecutive samples,
 *   and every character between them is a view-1 or separator character. Only there is the
 *   segment delimited, normalized and, when it holds 12 view-1 characters and a sampled gram of a
 *   pattern (`segment1`), searched whole by the exact step the simple scanner uses. Ordinary prose,
 *   JSON and base64 rarely pass those tests; hex dumps do (their worst case is the simple one's).
 *
 * @module
 */
import {
  C_SEP,
  C_VIEW1,
  type CanarySpan,
  gramKey,
  type Matcher,
  matcherFor,
  STEP0,
} from "./_canary_compile.ts";
import { mergeSpans, segment1, shortMatches } from "./_canary_runs.ts";

/** Sampling step of view 1: a 12-character segment holds three consecutive samples. */
const STEP1 = 4;
const V1S = C_VIEW1 | C_SEP;
if (STEP0 !== 2 * STEP1) throw new Error("the view-0 samples must fall on every other view-1 sample");

function hit0(text: string, m: Matcher, cands: CanarySpan[], p: number, key: number): void {
  const list = m.grams0.get(key);
  if (list === undefined) return;
  for (const g of list) {
    const s = p - g.off;
    const pt = g.pattern.text;
    if (s >= 0 && text.startsWith(pt, s)) {
      cands.push({ canary: g.pattern.canary, form: g.pattern.form, index: s, end: s + pt.length });
    }
  }
}

/** One pass over the samples of both views (one pass over memory, which matters for 64 MiB). */
function scan(text: string, m: Matcher, cands: CanarySpan[]): void {
  const t = m.table;
  const bits0 = m.gramBits0;
  const n = text.length;
  let done = 0; // view-1 segments before this index have been handled
  let streak = 0; // consecutive view-1 samples that are view-1 or separator characters
  for (let p = 0; p < n; p += STEP1) {
    const c = text.charCodeAt(p);
    if ((p & (STEP0 - 1)) === 0 && p + 3 <= n) {
      // view 0: the 3-character gram at p
      const key = gramKey(text, p);
      if (key >= 0 && (bits0[key >>> 5]! & (1 << (key & 31))) !== 0) hit0(text, m, cands, p, key);
    }
    if ((t[c]! & V1S) === 0) {
      streak = 0;
      continue;
    }
    if (++streak < 3) continue;
    const q = p - 2 * STEP1;
    if (q < done) continue;
    // a segment holding q, q + 4 and q + 8 holds every character between them
    let i = p - 1;
    while (i > q && (t[text.charCodeAt(i)]! & V1S) !== 0) i--;
    if (i > q) {
      // i breaks: a segment holding a sample before i lies before it, and its samples are behind us
      done = i + 1;
      streak = p - STEP1 > i ? 2 : 1;
      continue;
    }
    // the segment: from just after the previous breaker to the next one
    let a = q;
    while (a > 0 && (t[text.charCodeAt(a - 1)]! & V1S) !== 0) a--;
    done = segment1(text, m, cands, a);
  }
}

/**
 * Find every canary span in `text` (exactly what `findSpansSimple` finds), sampling the text.
 *
 * @param text the text to scan
 * @param canaries the canaries to look for
 * @returns the spans, by index
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const c = "ronc_3f9a1c07d2e84b6a95c0f1e27d3b8a46";
 * assert.deepEqual(findSpansFast(`x ${btoa(c)} y`, [c]), [{ canary: c, form: "base64", index: 2, end: 54 }]);
 * ```
 */
export function findSpansFast(text: string, canaries: readonly string[]): CanarySpan[] {
  if (canaries.length === 0 || text.length === 0) return [];
  const m = matcherFor(canaries);
  const cands: CanarySpan[] = [];
  scan(text, m, cands);
  shortMatches(text, m, cands);
  return mergeSpans(cands);
}
