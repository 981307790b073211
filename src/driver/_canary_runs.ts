/**
 * The exact matching steps shared by both canary scanners (internal to `canary.ts`): the patterns
 * of one view-0 run, the patterns of one view-1 run (with extension of runs over the whole canary),
 * the short patterns, and the merge of candidates into non-overlapping spans. The simple scanner
 * (`_canary_simple.ts`) calls the run steps on every run; the fast one (`_canary_fast.ts`) only on
 * the runs its sampling cannot rule out.
 *
 * @module
 */
import {
  B,
  B_TOP,
  BITS_MASK,
  C_SEP,
  C_VIEW1,
  type CanaryForm,
  type CanarySpan,
  type Matcher,
  slot1,
  STEP1N,
  W,
} from "./_canary_compile.ts";

/** Scratch buffers of view 1 (a run's normalized codes and their positions in the text). */
let norm = new Uint16Array(4096);
let pos = new Int32Array(4096);

/**
 * Every view-0 pattern occurring in `text[from, to)` (a run of at least 12 view-0 characters).
 *
 * @param text the text
 * @param m the matcher
 * @param cands where candidates are pushed
 * @param from run start
 * @param to run end
 */
export function run0(text: string, m: Matcher, cands: CanarySpan[], from: number, to: number): void {
  const bits = m.bits;
  let h = 0;
  for (let i = from; i < from + W; i++) h = (Math.imul(h, B) + text.charCodeAt(i)) | 0;
  for (let i = from;; i++) {
    const list = (bits[(h & BITS_MASK) >>> 5]! & (1 << (h & 31))) === 0 ? undefined : m.byHash0.get(h);
    if (list) {
      for (const p of list) {
        if (i + p.text.length <= to && text.startsWith(p.text, i)) {
          cands.push({ canary: p.canary, form: p.form, index: i, end: i + p.text.length });
        }
      }
    }
    if (i + W >= to) break;
    h = (Math.imul(h - Math.imul(text.charCodeAt(i), B_TOP), B) + text.charCodeAt(i + W)) | 0;
  }
}

/**
 * Every view-1 pattern in the run `text[from, to)` (ASCII-lowercased, separators skipped), each
 * fragment or hex run extended over as much of its whole as surrounds it.
 *
 * @param text the text
 * @param m the matcher
 * @param cands where candidates are pushed
 * @param from run start (a view-1 character)
 * @param to run end (a breaking character, or the text's end)
 * @param count the run's view-1 characters (it sizes a buffer)
 */
export function run1(
  text: string,
  m: Matcher,
  cands: CanarySpan[],
  from: number,
  to: number,
  count: number,
): void {
  const t = m.table;
  let nb = norm;
  let pb = pos;
  if (nb.length < count) {
    nb = new Uint16Array(count);
    pb = new Int32Array(count);
    // keep grown buffers up to 1 Mi characters; a bigger run gets its own
    if (count <= 1 << 20) {
      norm = nb;
      pos = pb;
    }
  }
  let n = 0;
  for (let i = from; i < to; i++) {
    let c = text.charCodeAt(i);
    if ((t[c]! & C_VIEW1) === 0) continue;
    if (c >= 65 && c <= 90) c += 32;
    nb[n] = c;
    pb[n++] = i;
  }
  if (n >= W) search1(text, m, cands, nb, pb, n);
}

/**
 * The fast scanner's view-1 step: normalize the segment that starts at `from` up to the next
 * breaking character (neither view 1 nor separator) and search it like {@link run1}, unless it has
 * fewer than 12 view-1 characters or no sampled gram of it is a gram of a pattern (each match holds
 * one), which gives the same candidates without the search.
 *
 * @param text the text
 * @param m the matcher
 * @param cands where candidates are pushed
 * @param from the segment's start (just after a breaking character, or 0)
 * @returns the index of the breaking character that ends the segment (or the text's length)
 */
export function segment1(text: string, m: Matcher, cands: CanarySpan[], from: number): number {
  const t = m.table;
  const len = text.length;
  let nb = norm;
  let pb = pos;
  let n = 0;
  let i = from;
  for (; i < len; i++) {
    let c = text.charCodeAt(i);
    const f = t[c]!;
    if ((f & C_VIEW1) === 0) {
      if ((f & C_SEP) === 0) break;
      continue;
    }
    if (n === nb.length) {
      const nn = new Uint16Array(n * 2);
      const pp = new Int32Array(n * 2);
      nn.set(nb);
      pp.set(pb);
      nb = nn;
      pb = pp;
    }
    if (c >= 65 && c <= 90) c += 32;
    nb[n] = c;
    pb[n++] = i;
  }
  if (nb.length <= 1 << 20) {
    norm = nb;
    pos = pb;
  }
  if (n >= W && gramHit(m.gramBits1, nb, n)) search1(text, m, cands, nb, pb, n);
  return i;
}

function search1(
  text: string,
  m: Matcher,
  cands: CanarySpan[],
  nb: Uint16Array,
  pb: Int32Array,
  n: number,
): void {
  const bits = m.bits;
  let h = 0;
  for (let i = 0; i < W; i++) h = (Math.imul(h, B) + nb[i]!) | 0;
  let covered = -1;
  for (let k = 0;; k++) {
    const list = (bits[(h & BITS_MASK) >>> 5]! & (1 << (h & 31))) === 0 ? undefined : m.byHash1.get(h);
    if (list) {
      for (const p of list) {
        const len = p.text.length;
        if (k + len > n) continue;
        // a match here could end no later than this (a run extends at most to its whole's end)
        const reach = p.form === "fragment" || p.form === "hex" ? k + p.whole.length - p.at : k + len;
        if (reach <= covered) continue; // it would be skipped below: it cannot end past `covered`
        let ok = true;
        for (let j = 0; j < len; j++) {
          if (nb[k + j] !== p.text.charCodeAt(j)) {
            ok = false;
            break;
          }
        }
        if (!ok) continue;
        let a = k;
        let b = k + len;
        if (p.form === "fragment" || p.form === "hex") {
          // extend over the rest of the whole on both sides
          for (let j = p.at - 1; j >= 0 && a > 0 && nb[a - 1] === p.whole.charCodeAt(j); j--) a--;
          for (let j = p.at + len; j < p.whole.length && b < n && nb[b] === p.whole.charCodeAt(j); j++) b++;
        }
        if (b <= covered) continue;
        const index = pb[a]!;
        const end = pb[b - 1]! + 1;
        let form: CanaryForm = p.form === "hex" ? "hex" : b - a === p.whole.length ? "raw" : "fragment";
        if (form !== "hex" && !p.canary.includes(text.slice(index, end))) {
          form = end - index !== b - a ? "separated" : "case-changed";
        }
        cands.push({ canary: p.canary, form, index, end });
        covered = Math.max(covered, b);
      }
    }
    if (k + W >= n) break;
    h = (Math.imul(h - Math.imul(nb[k]!, B_TOP), B) + nb[k + W]!) | 0;
  }
}

function gramHit(bits: Uint32Array, nb: Uint16Array, n: number): boolean {
  for (let k = 0; k + 4 <= n; k += STEP1N) {
    const s = slot1(nb[k]!, nb[k + 1]!, nb[k + 2]!, nb[k + 3]!);
    if ((bits[s >>> 5]! & (1 << (s & 31))) !== 0) return true;
  }
  return false;
}

/**
 * Every occurrence of the patterns shorter than 12 characters (or not ASCII), by `indexOf`.
 *
 * @param text the text
 * @param m the matcher
 * @param cands where candidates are pushed
 */
export function shortMatches(text: string, m: Matcher, cands: CanarySpan[]): void {
  for (const p of m.short) {
    for (let at = text.indexOf(p.text); at !== -1; at = text.indexOf(p.text, at + 1)) {
      cands.push({ canary: p.canary, form: p.form, index: at, end: at + p.text.length });
    }
  }
}

function rank(f: CanaryForm): number {
  switch (f) {
    case "raw":
      return 0;
    case "url-encoded":
      return 1;
    case "base64":
      return 2;
    case "hex":
      return 3;
    case "case-changed":
      return 4;
    case "separated":
      return 5;
    case "fragment":
      return 6;
    default: {
      const _x: never = f;
      throw new Error(`unknown form ${String(_x)}`);
    }
  }
}

/**
 * Merge candidates into spans: leftmost first, longest at each position, then the most specific
 * form, then the canary (a total order, so the order candidates were found in does not matter); a
 * candidate overlapping the previous span grows that span's end.
 *
 * @param cands the candidates (sorted in place)
 * @returns the spans, by index
 */
export function mergeSpans(cands: CanarySpan[]): CanarySpan[] {
  if (cands.length === 0) return [];
  cands.sort((a, b) =>
    a.index - b.index || (b.end - b.index) - (a.end - a.index) || rank(a.form) - rank(b.form) ||
    (a.canary < b.canary ? -1 : a.canary > b.canary ? 1 : 0)
  );
  const out: CanarySpan[] = [];
  let reached = 0;
  for (const c of cands) {
    if (c.index < reached) {
      // overlaps the previous span: let it grow the previous span's end (masking must cover both)
      const prev = out[out.length - 1];
      if (prev && c.end > prev.end) prev.end = c.end;
      reached = Math.max(reached, c.end);
      continue;
    }
    out.push({ ...c });
    reached = c.end;
  }
  return out;
}
