/**
 * The compiled canary matcher (internal to `canary.ts`): a canary set's forms, compiled once and
 * cached. The table classes each UTF-16 code unit: view 0 (a character of a URL-encoded or base64
 * form, searched as it is), view 1 (a character of the raw, fragment or hex forms, searched
 * ASCII-lowercased with separators removed) and separator (ignored by view 1). Patterns of 12 or
 * more characters are found by a rolling hash of their first 12 (`byHash0`, `byHash1`) and view-0
 * patterns also by 4-character grams (`grams0`, for the sampled fast scanner; view 1 by the
 * `gramBits1` filter); shorter ones by `indexOf`.
 *
 * @module
 */
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
export const C_VIEW0 = 1;
export const C_VIEW1 = 2;
export const C_SEP = 4;
/** Set with {@link C_VIEW1} and with {@link C_SEP}: a character that does not break a view-1 segment. */
export const C_ANY1 = 8;

export interface Pattern {
  canary: string;
  form: CanaryFormText["form"];
  /** as searched: view 1 patterns are normalized (lowercase, no separators) */
  text: string;
  /** for runs (fragment, hex run) and wholes: the normalized whole this lies in, and where */
  whole: string;
  at: number;
}

/** The compiled form set of one canary set. */
export interface Matcher {
  table: Uint8Array;
  byHash0: Map<number, Pattern[]>;
  byHash1: Map<number, Pattern[]>;
  /** patterns shorter than the hash window, searched with indexOf in the text as it is */
  short: Pattern[];
  /** one bit per hash value (mod 2^20) of any pattern: most windows are rejected without a Map lookup */
  bits: Uint32Array;
  /** the fast scanner's view-0 index: 4-character grams ({@link gramKey}) at offsets 0…7 of each view-0 pattern */
  grams0: Map<number, Gram[]>;
  /** one bit per {@link slot0} of the keys in `grams0` */
  gramBits0: Uint32Array;
  /** one bit per {@link slot1} of every 4-character gram of each view-1 pattern (at any offset) */
  gramBits1: Uint32Array;
  /** an estimate of the bytes this matcher holds (the cache is bounded by the sum) */
  bytes: number;
  /** the canaries it finds */
  included: Set<string>;
}

/** A view-0 pattern whose characters `off…off+3` form a gram (see `_canary_fast.ts`). */
export interface Gram {
  pattern: Pattern;
  off: number;
}

/** Sampling step: the 4 characters from one sample every 8 lie inside any match of 12 or more. */
export const STEP0 = 8;
/** Sampling step inside a normalized view-1 run: one 4-character gram every 9 lies inside any match. */
export const STEP1N = 9;

/**
 * The key of a 4-character gram of ASCII characters (exact: 7 bits each).
 *
 * @param a first code (< 128)
 * @param b second code
 * @param c third code
 * @param d fourth code
 * @returns a 28-bit key
 */
export function gramKey(a: number, b: number, c: number, d: number): number {
  return a | (b << 7) | (c << 14) | (d << 21);
}

/**
 * The filter slot (20 bits) of a {@link gramKey}.
 *
 * @param key the key
 * @returns its slot
 */
export function slot0(key: number): number {
  return Math.imul(key, 0x9e3779b1) >>> 12;
}

/**
 * The filter slot (20 bits) of a 4-character gram of normalized view-1 codes.
 *
 * @param a first code
 * @param b second code
 * @param c third code
 * @param d fourth code
 * @returns its slot
 */
export function slot1(a: number, b: number, c: number, d: number): number {
  return Math.imul(((a * 31 + b) * 31 + c) * 31 + d, 0x9e3779b1) >>> 12;
}

export const BITS_MASK: number = (1 << 20) - 1;

export const W: number = FRAGMENT_LENGTH;
export const B = 0x01000193;
/** B^(W-1) mod 2^32 */
export const B_TOP: number = (() => {
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

function addTo(map: Map<number, Pattern[]>, bits: Uint32Array, p: Pattern, h: number) {
  const b = h & BITS_MASK;
  bits[b >>> 5] = bits[b >>> 5]! | (1 << (b & 31));
  const list = map.get(h);
  if (list) list.push(p);
  else map.set(h, [p]);
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 128) return false;
  return true;
}

function setBit(bits: Uint32Array, b: number): void {
  bits[b >>> 5] = bits[b >>> 5]! | (1 << (b & 31));
}

/** The compiled forms of one canary (shared by every set that holds it; never mutated). */
interface Part {
  short: Pattern[];
  view0: Pattern[];
  hash0: number[];
  /** view-0 grams at offsets 0…7, with their keys */
  grams0: Gram[];
  keys0: number[];
  view1: Pattern[];
  hash1: number[];
  /** slots of every 4-character gram of the view-1 patterns */
  slots1: number[];
  /** the table entries its patterns set: [code, class bits, code, class bits, …] */
  marks: number[];
}

/** The table of separators every matcher starts from. */
const BASE_TABLE: Uint8Array = (() => {
  const t = new Uint8Array(65536);
  for (const [a, b] of SEPARATOR_RANGES) for (let c = a; c <= b; c++) t[c] = C_SEP | C_ANY1;
  return t;
})();

function compilePart(canary: string): Part {
  const part: Part = {
    short: [],
    view0: [],
    hash0: [],
    grams0: [],
    keys0: [],
    view1: [],
    hash1: [],
    slots1: [],
    marks: [],
  };
  const forms = formsOf(canary);
  const wholeRaw = normalize(canary, BASE_TABLE);
  const wholeHex = forms.find((f) => f.form === "hex")?.text ?? "";
  for (const f of forms) {
    if (f.form === "url-encoded" || f.form === "base64") {
      const p: Pattern = { canary, form: f.form, text: f.text, whole: f.text, at: 0 };
      if (p.text.length < W || !isAscii(p.text)) {
        part.short.push(p); // indexOf finds these
        continue;
      }
      part.view0.push(p);
      part.hash0.push(hashOf(p.text));
      const t = p.text;
      for (let off = 0; off < STEP0 && off + 4 <= t.length; off++) {
        part.keys0.push(
          gramKey(t.charCodeAt(off), t.charCodeAt(off + 1), t.charCodeAt(off + 2), t.charCodeAt(off + 3)),
        );
        part.grams0.push({ pattern: p, off });
      }
      continue;
    }
    const text = normalize(f.text, BASE_TABLE);
    const whole = f.form === "hex" ? wholeHex : wholeRaw;
    const p: Pattern = { canary, form: f.form, text, whole, at: Math.max(0, whole.indexOf(text)) };
    if (text.length < W) {
      part.short.push({ ...p, text: f.text });
      continue;
    }
    part.view1.push(p);
    part.hash1.push(hashOf(text));
    for (let off = 0; off + 4 <= text.length; off++) {
      part.slots1.push(
        slot1(
          text.charCodeAt(off),
          text.charCodeAt(off + 1),
          text.charCodeAt(off + 2),
          text.charCodeAt(off + 3),
        ),
      );
    }
  }
  const classes = new Map<number, number>();
  const mark = (t: string, f: number) => {
    for (let i = 0; i < t.length; i++) {
      const c = t.charCodeAt(i);
      classes.set(c, (classes.get(c) ?? 0) | f);
      // view 1 is searched lowercased: its letters are view 1 in either case
      if (f !== C_VIEW0 && c >= 97 && c <= 122) classes.set(c - 32, (classes.get(c - 32) ?? 0) | f);
    }
  };
  for (const p of part.view0) mark(p.text, C_VIEW0);
  for (const p of part.view1) mark(p.text, C_VIEW1 | C_ANY1);
  for (const [c, f] of classes) part.marks.push(c, f);
  return part;
}

/** Compiled canaries, least recently used first (a run's sets share most of their canaries). */
const parts = new Map<string, Part>();
const PARTS_MAX = 512;

function partOf(canary: string): Part {
  let p = parts.get(canary);
  if (p) {
    parts.delete(canary);
    parts.set(canary, p);
    return p;
  }
  p = compilePart(canary);
  parts.set(canary, p);
  if (parts.size > PARTS_MAX) {
    const oldest = parts.keys().next().value;
    if (oldest !== undefined) parts.delete(oldest);
  }
  return p;
}

function emptyMatcher(): Matcher {
  return {
    table: BASE_TABLE.slice(),
    byHash0: new Map(),
    byHash1: new Map(),
    short: [],
    bits: new Uint32Array((BITS_MASK + 1) / 32),
    grams0: new Map(),
    gramBits0: new Uint32Array((BITS_MASK + 1) / 32),
    gramBits1: new Uint32Array((BITS_MASK + 1) / 32),
    bytes: 0,
    included: new Set(),
  };
}

/** Add the canaries `m` does not hold yet, in order (exactly what compiling the longer set gives). */
function addCanaries(m: Matcher, canaries: Iterable<string>): void {
  const table = m.table;
  let bytes = 0;
  for (const canary of canaries) {
    if (m.included.has(canary)) continue;
    m.included.add(canary);
    const part = partOf(canary);
    for (const p of part.short) m.short.push(p);
    for (let i = 0; i < part.marks.length; i += 2) {
      const c = part.marks[i]!;
      table[c] = table[c]! | part.marks[i + 1]!;
    }
    part.view0.forEach((p, i) => addTo(m.byHash0, m.bits, p, part.hash0[i]!));
    part.grams0.forEach((g, i) => {
      const key = part.keys0[i]!;
      setBit(m.gramBits0, slot0(key));
      const list = m.grams0.get(key);
      if (list) list.push(g);
      else m.grams0.set(key, [g]);
    });
    part.view1.forEach((p, i) => addTo(m.byHash1, m.bits, p, part.hash1[i]!));
    for (const k of part.slots1) setBit(m.gramBits1, k);
    bytes += (part.short.length + part.view0.length + part.view1.length) * PATTERN_BYTES +
      part.grams0.length * GRAM_BYTES;
  }
  if (m.bytes === 0) {
    bytes += table.byteLength + m.bits.byteLength + m.gramBits0.byteLength + m.gramBits1.byteLength;
  }
  m.bytes += bytes;
}

/** Heap bytes of one pattern (the object, its strings, its map entry), measured with a heap snapshot. */
const PATTERN_BYTES = 200;
/** Heap bytes of one gram (the object and its list slot). */
const GRAM_BYTES = 48;

const cache = new Map<string, Matcher>();
const CACHE_MAX = 64;
/**
 * Bound on the bytes the cached matchers hold: a run makes a fresh canary set per check (some with
 * hundreds of canaries), and 64 of them kept whole were most of the kit's heap (a null-driver certify's
 * RSS grew to 424 MB).
 */
const CACHE_BYTES = 16 * 1024 * 1024;
let cached = 0;
let last: { canaries: string[]; key: string; matcher: Matcher } | undefined;

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && startsWith(b, a);
}

function startsWith(list: readonly string[], prefix: readonly string[]): boolean {
  if (prefix.length > list.length) return false;
  for (let i = 0; i < prefix.length; i++) if (list[i] !== prefix[i]) return false;
  return true;
}

/**
 * The bytes the cached matchers hold (an estimate; for tests).
 *
 * @returns the sum of the cached matchers' `bytes`
 */
export function cachedBytes(): number {
  return cached;
}

/**
 * The compiled matcher of a canary set (cached: the last set, and up to 64 sets by content, least
 * recently used first out, within 16 MiB).
 *
 * @param canaries the canaries
 * @returns the matcher
 */
export function matcherFor(canaries: readonly string[]): Matcher {
  // fast path: the same set as last time (the driver host asks once per output line)
  if (last && sameList(last.canaries, canaries)) return last.matcher;
  const key = canaries.join("\n");
  let matcher = cache.get(key);
  if (matcher) cache.delete(key);
  else if (last && startsWith(canaries, last.canaries) && cache.get(last.key) === last.matcher) {
    // the last set grown by some canaries (a run adds them one at a time): extend its matcher, which
    // then stops being the last set's (that set is compiled again if it is asked for)
    matcher = last.matcher;
    cache.delete(last.key);
    cached -= matcher.bytes;
    addCanaries(matcher, canaries.slice(last.canaries.length));
    cached += matcher.bytes;
  } else {
    matcher = emptyMatcher();
    addCanaries(matcher, canaries);
    cached += matcher.bytes;
  }
  cache.set(key, matcher);
  // evict the least recently used sets, always keeping this one
  while (cache.size > 1 && (cache.size > CACHE_MAX || cached > CACHE_BYTES)) {
    const [oldest, m] = cache.entries().next().value!;
    cache.delete(oldest);
    cached -= m.bytes;
  }
  last = { canaries: [...canaries], key, matcher };
  return matcher;
}
