/**
 * The canary matcher (internal to `canary.ts`): a canary set's forms, compiled once; one pass over a
 * text that finds every span; masking and excerpts.
 *
 * Two views of the text are searched, both without copying it:
 * - view 0, the text as it is: URL-encoded and base64 forms (case matters in base64);
 * - view 1, the text ASCII-lowercased with separators removed (whitespace, C0/C1 controls, NUL,
 *   zero-width and bidi format characters, `-`, `:`, `%`): the raw token, its 12-character runs and
 *   the hex of its UTF-8 bytes (and 24-hex-digit runs of it). So `RONC_…`, `r o n c _ …`, a token
 *   split by zero-width spaces, UTF-16 text (NUL between characters), `72:6f:6e…`, `72 6F 6E …`
 *   and `%72%6F…` are all found.
 *
 * One pass classifies each character with a 64 Ki-entry table; only runs of at least 12 candidate
 * characters are hashed (a rolling hash of 12 characters), so ordinary text costs one table lookup
 * per character.
 *
 * @module
 */
import type { LeakFinding } from "../schema/evidence.ts";
import { type CanaryFormText, formsOf, FRAGMENT_LENGTH, SEPARATOR_RANGES } from "./_canary_forms.ts";

/** How a canary was found. */
export type CanaryForm =
  | "raw"
  | "url-encoded"
  | "base64"
  | "fragment"
  | "hex"
  | "case-changed"
  | "separated";

/** A found canary with its extent. */
export interface CanarySpan {
  /** the canary that was found (never print it: mask it) */
  canary: string;
  form: CanaryForm;
  /** index of the first character of the match in the scanned text */
  index: number;
  /** index just past the match */
  end: number;
}

/** Character classes of the table. */
const C_VIEW0 = 1;
const C_VIEW1 = 2;
const C_SEP = 4;

interface Pattern {
  canary: string;
  form: CanaryFormText["form"];
  /** as searched: view 1 patterns are normalized (lowercase, no separators) */
  text: string;
  /** for runs (fragment, hex run) and wholes: the normalized whole this lies in, and where */
  whole: string;
  at: number;
}

/** The compiled form set of one canary set. */
interface Matcher {
  table: Uint8Array;
  byHash0: Map<number, Pattern[]>;
  byHash1: Map<number, Pattern[]>;
  /** patterns shorter than the hash window, searched with indexOf in the text as it is */
  short: Pattern[];
  /** one bit per hash value (mod 2^20) of any pattern: most windows are rejected without a Map lookup */
  bits: Uint32Array;
}

const BITS_MASK = (1 << 20) - 1;

const W = FRAGMENT_LENGTH;
const B = 0x01000193;
/** B^(W-1) mod 2^32 */
const B_TOP = (() => {
  let p = 1;
  for (let i = 0; i < W - 1; i++) p = Math.imul(p, B);
  return p;
})();

function hashOf(s: string): number {
  let h = 0;
  for (let i = 0; i < W; i++) h = (Math.imul(h, B) + s.charCodeAt(i)) | 0;
  return h;
}

function isSep(table: Uint8Array, c: number): boolean {
  return (table[c]! & C_SEP) !== 0;
}

function normalize(s: string, table: Uint8Array): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (isSep(table, c)) continue;
    if (c >= 65 && c <= 90) c += 32;
    out += String.fromCharCode(c);
  }
  return out;
}

function addTo(map: Map<number, Pattern[]>, bits: Uint32Array, p: Pattern) {
  const h = hashOf(p.text);
  const b = h & BITS_MASK;
  bits[b >>> 5] = bits[b >>> 5]! | (1 << (b & 31));
  const list = map.get(h);
  if (list) list.push(p);
  else map.set(h, [p]);
}

function compile(canaries: readonly string[]): Matcher {
  const table = new Uint8Array(65536);
  for (const [a, b] of SEPARATOR_RANGES) for (let c = a; c <= b; c++) table[c] = C_SEP;
  const m: Matcher = {
    table,
    byHash0: new Map(),
    byHash1: new Map(),
    short: [],
    bits: new Uint32Array((BITS_MASK + 1) / 32),
  };
  const mark = (s: string, cls: number) => {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      table[c] = table[c]! | cls;
      if (cls === C_VIEW1 && c >= 97 && c <= 122) table[c - 32] = table[c - 32]! | cls;
    }
  };
  for (const canary of new Set(canaries)) {
    const forms = formsOf(canary);
    const wholeRaw = normalize(canary, table);
    const wholeHex = forms.find((f) => f.form === "hex")?.text ?? "";
    for (const f of forms) {
      if (f.form === "url-encoded" || f.form === "base64") {
        const p: Pattern = { canary, form: f.form, text: f.text, whole: f.text, at: 0 };
        if (p.text.length < W) m.short.push(p);
        else {
          mark(p.text, C_VIEW0);
          addTo(m.byHash0, m.bits, p);
        }
        continue;
      }
      const text = normalize(f.text, table);
      const whole = f.form === "hex" ? wholeHex : wholeRaw;
      const p: Pattern = { canary, form: f.form, text, whole, at: Math.max(0, whole.indexOf(text)) };
      if (text.length < W) {
        m.short.push({ ...p, text: f.text });
        continue;
      }
      mark(text, C_VIEW1);
      addTo(m.byHash1, m.bits, p);
    }
  }
  return m;
}

const cache = new Map<string, Matcher>();
const CACHE_MAX = 64;
let last: { canaries: string[]; matcher: Matcher } | undefined;

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function matcherFor(canaries: readonly string[]): Matcher {
  // fast path: the same set as last time (the driver host asks once per output line)
  if (last && sameList(last.canaries, canaries)) return last.matcher;
  const key = canaries.join("\n");
  let matcher = cache.get(key);
  if (matcher) cache.delete(key);
  else matcher = compile(canaries);
  cache.set(key, matcher);
  if (cache.size > CACHE_MAX) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  last = { canaries: [...canaries], matcher };
  return matcher;
}

/** Scratch buffers of view 1 (a run's normalized codes and their positions in the text). */
let norm = new Uint16Array(4096);
let pos = new Int32Array(4096);

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
 * Find every canary span in `text`: non-overlapping, leftmost first, longest at each position;
 * a run (fragment, hex run) is extended over as much of the canary as surrounds it, so a
 * truncated canary is masked whole.
 *
 * @param text the text to scan
 * @param canaries the canaries to look for
 * @returns the spans, by index
 */
export function findSpans(text: string, canaries: readonly string[]): CanarySpan[] {
  if (canaries.length === 0 || text.length === 0) return [];
  const m = matcherFor(canaries);
  const cands: CanarySpan[] = [];
  const t = m.table;
  const bits = m.bits;

  const run0 = (from: number, to: number) => {
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
  };

  const run1 = (from: number, to: number, count: number) => {
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
    let h = 0;
    for (let i = 0; i < W; i++) h = (Math.imul(h, B) + nb[i]!) | 0;
    let covered = -1;
    for (let k = 0;; k++) {
      const list = (bits[(h & BITS_MASK) >>> 5]! & (1 << (h & 31))) === 0 ? undefined : m.byHash1.get(h);
      if (list) {
        for (const p of list) {
          const len = p.text.length;
          if (k + len > n) continue;
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
  };

  // one lookup per character; a run is hashed only when it ends long enough
  const n = text.length;
  let len0 = 0; // length of the current view-0 run
  let s1 = 0; // start of the current view-1 run
  let c1 = 0; // its characters of view 1 (separators not counted)
  for (let i = 0; i < n; i++) {
    const f = t[text.charCodeAt(i)]!;
    if ((f & C_VIEW0) !== 0) len0++;
    else {
      if (len0 >= W) run0(i - len0, i);
      len0 = 0;
    }
    if ((f & C_VIEW1) !== 0) {
      if (c1++ === 0) s1 = i;
    } else if ((f & C_SEP) === 0) {
      if (c1 >= W) run1(s1, i, c1);
      c1 = 0;
    }
  }
  if (len0 >= W) run0(n - len0, n);
  if (c1 >= W) run1(s1, n, c1);
  for (const p of m.short) {
    for (let at = text.indexOf(p.text); at !== -1; at = text.indexOf(p.text, at + 1)) {
      cands.push({ canary: p.canary, form: p.form, index: at, end: at + p.text.length });
    }
  }
  if (cands.length === 0) return [];
  cands.sort((a, b) =>
    a.index - b.index || (b.end - b.index) - (a.end - a.index) || rank(a.form) - rank(b.form)
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

/** What a masked canary is replaced with. */
export const MASK = "<canary>";

/**
 * Render `text[from, to)` with every span inside replaced by the mask (spans must not cross the ends).
 *
 * @param text the text
 * @param spans its spans, by index
 * @param from start
 * @param to end
 * @returns the masked slice
 */
export function maskSpans(text: string, spans: readonly CanarySpan[], from: number, to: number): string {
  let out = "";
  let at = from;
  for (const s of spans) {
    if (s.end <= from || s.index >= to) continue;
    out += text.slice(at, s.index) + MASK;
    at = s.end;
  }
  return out + text.slice(at, to);
}

/** Characters of context on each side of a match in an excerpt. */
const EXCERPT_CONTEXT = 60;

/** A leak finding and the canary it is about. */
export interface TaggedFinding {
  /** the canary found (never print it) */
  canary: string;
  finding: LeakFinding;
}

/**
 * Leak findings with masked excerpts, each tagged with its canary.
 *
 * @param text the scanned text
 * @param canaries the canaries to look for
 * @param where where the text came from
 * @param max at most this many findings
 * @returns the tagged findings
 */
export function taggedFindings(
  text: string,
  canaries: readonly string[],
  where: string,
  max: number,
): TaggedFinding[] {
  const spans = findSpans(text, canaries);
  const out: TaggedFinding[] = [];
  for (const s of spans.slice(0, max)) {
    let from = Math.max(0, s.index - EXCERPT_CONTEXT);
    let to = Math.min(text.length, s.end + EXCERPT_CONTEXT);
    // never cut through another span
    for (const o of spans) {
      if (o.index < from && o.end > from) from = o.index;
      if (o.index < to && o.end > to) to = o.end;
    }
    const excerpt = (from > 0 ? "…" : "") + maskSpans(text, spans, from, to) + (to < text.length ? "…" : "");
    out.push({
      canary: s.canary,
      finding: { where, form: s.form, excerpt: excerpt.replace(/[\r\n]+/g, " ⏎ ") },
    });
  }
  return out;
}
