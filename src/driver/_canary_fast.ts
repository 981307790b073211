/**
 * The fast canary scanner (internal to `canary.ts`): the same spans as the simple scanner
 * (`_canary_simple.ts`, a property test holds them equal), without looking at every character.
 *
 * One pass over samples every {@link STEP0} = 8 characters. Every match spans at least 12
 * characters of the text, so its first sample `p` lies in `[s, s + 7]` (`s` its start) and the four
 * characters `p…p+3` lie inside it. At each sample:
 * - View 0 (URL-encoded and base64 forms, exact ASCII text of 12 or more characters): the
 *   4-character gram at `p` is, for a match starting at `s`, the pattern's gram at offset
 *   `p - s < 8`; the matcher indexes those 8 grams of each pattern, a bit filter rejects almost
 *   every sample, and a hit is verified with `startsWith` at `p - off`. Each match is found once.
 * - View 1 (raw, fragment and hex forms, lowercased, separators skipped): a match holds at most 7
 *   view-1 characters before `p` and at least 12 in all, so the first 4 view-1 characters from `p`
 *   on (skipping separators) are in it, with no breaking character (neither view 1 nor separator)
 *   before them: lowercased, they are a 4-character gram of a pattern. A sample whose character
 *   breaks, or whose next 4 view-1 characters are no gram of a pattern (one bit test), holds no
 *   match. Only at the rare other samples is the segment around `p` (between two breaking
 *   characters) delimited, normalized and searched whole by the exact step the simple scanner uses
 *   (`segment1`), once per segment.
 * Ordinary prose, JSON, logs, UUIDs and hex dumps almost never pass either filter, so the cost is
 * about four character reads and two bit tests per 8 characters.
 *
 * @module
 */
import {
  C_ANY1,
  C_SEP,
  C_VIEW0,
  C_VIEW1,
  type CanarySpan,
  gramKey,
  type Matcher,
  matcherFor,
  slot0,
  slot1,
  STEP0,
} from "./_canary_compile.ts";
import { mergeSpans, segment1, shortMatches } from "./_canary_runs.ts";

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

/** ASCII-lowercase a code. */
function low(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/**
 * Whether a view-1 match may hold `p`: the first 4 view-1 characters from `p` (separators skipped,
 * no breaking character before them) form a gram of a view-1 pattern.
 */
function gather1(text: string, t: Uint8Array, bits: Uint32Array, p: number): boolean {
  const n = text.length;
  let a = 0;
  let b = 0;
  let c = 0;
  let k = 0;
  for (let i = p; i < n; i++) {
    const x = text.charCodeAt(i);
    const f = t[x]!;
    if ((f & C_VIEW1) === 0) {
      if ((f & C_SEP) === 0) return false;
      continue;
    }
    const l = low(x);
    if (k === 0) a = l;
    else if (k === 1) b = l;
    else if (k === 2) c = l;
    else {
      const s = slot1(a, b, c, l);
      return (bits[s >>> 5]! & (1 << (s & 31))) !== 0;
    }
    k++;
  }
  return false;
}

/** The start of the segment holding `p` (just after the previous breaking character, or 0). */
function segmentStart(text: string, t: Uint8Array, p: number): number {
  let a = p;
  while (a > 0 && (t[text.charCodeAt(a - 1)]! & C_ANY1) !== 0) a--;
  return a;
}

/** One pass over the samples of both views (one pass over memory, which matters for 64 MiB). */
function scan(text: string, m: Matcher, cands: CanarySpan[]): void {
  const t = m.table;
  const bits0 = m.gramBits0;
  const bits1 = m.gramBits1;
  const n = text.length;
  let done = 0; // view-1 segments before this index have been searched
  let p = 0;
  for (; p + 4 <= n; p += STEP0) {
    const c0 = text.charCodeAt(p);
    const c1 = text.charCodeAt(p + 1);
    const c2 = text.charCodeAt(p + 2);
    const c3 = text.charCodeAt(p + 3);
    const all = t[c0]! & t[c1]! & t[c2]! & t[c3]!;
    if ((all & C_VIEW0) !== 0) {
      // four view-0 characters (ASCII: a pattern with any other character is searched by indexOf)
      const key = gramKey(c0, c1, c2, c3);
      const s = slot0(key);
      if ((bits0[s >>> 5]! & (1 << (s & 31))) !== 0) hit0(text, m, cands, p, key);
    }
    // a breaking character among the four leaves fewer than 4 view-1 characters before it
    if ((all & C_ANY1) === 0 || p < done) continue;
    if ((all & C_VIEW1) !== 0) {
      const s = slot1(
        c0 - 65 < 26 && c0 >= 65 ? c0 + 32 : c0,
        c1 - 65 < 26 && c1 >= 65 ? c1 + 32 : c1,
        c2 - 65 < 26 && c2 >= 65 ? c2 + 32 : c2,
        c3 - 65 < 26 && c3 >= 65 ? c3 + 32 : c3,
      );
      if ((bits1[s >>> 5]! & (1 << (s & 31))) === 0) continue;
    } else if (!gather1(text, t, bits1, p)) continue;
    done = segment1(text, m, cands, segmentStart(text, t, p));
  }
  // the last samples (fewer than 4 characters left: no view-0 match holds them)
  for (; p < n; p += STEP0) {
    if (p < done || (t[text.charCodeAt(p)]! & C_ANY1) === 0 || !gather1(text, t, bits1, p)) continue;
    done = segment1(text, m, cands, segmentStart(text, t, p));
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
