/**
 * Canary masking and bounding for whole result trees: every string (and every object key), at any
 * depth, goes through `maskCanaries`, so reports print `<canary>` and never a secret; evidence is
 * cut to a stated depth and size, and says what was cut. Every walk is iterative (no recursion), so
 * no nesting depth can overflow the stack.
 *
 * @module
 */
import { type CanaryMatch, findCanaries, MASK, maskCanaries } from "../driver/canary.ts";

/** How far {@link boundTree} keeps a tree. */
export interface TreeBounds {
  /** containers nested deeper than this are replaced by a note */
  maxDepth: number;
  /** characters kept of one string (masked first, then cut) */
  maxString: number;
  /** items kept of one array */
  maxItems: number;
  /** keys kept of one object */
  maxKeys: number;
  /** values kept in the whole tree */
  maxNodes: number;
  /** string characters kept in the whole tree; later strings are cut to what is left */
  maxChars: number;
}

/** The bounds of one check's evidence in a report. */
export const EVIDENCE_BOUNDS: Readonly<TreeBounds> = {
  maxDepth: 32,
  maxString: 4096,
  maxItems: 100,
  maxKeys: 100,
  maxNodes: 5000,
  maxChars: 64 * 1024,
};

/** Characters masked beyond a cut, so a canary across the cut is still found whole. */
const CUT_MARGIN = 512;

function size(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)} kB`;
  return `${(n / 1_000_000).toFixed(1)} MB`;
}

/** UTF-8 length of `s[from, to)`. */
function utf8Exact(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n++;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** UTF-8 length of `s` from `from` on: exact up to 1 Mi characters, estimated from a sample beyond. */
function utf8Length(s: string, from: number): number {
  const n = s.length - from;
  if (n <= 1 << 20) return utf8Exact(s, from, s.length);
  const sample = 1 << 16;
  return Math.round((utf8Exact(s, from, from + sample) / sample) * n);
}

/**
 * Mask every canary in `text`, then cut it to `max` characters, saying how much was cut. The cut
 * never splits a `<canary>` or a surrogate pair; only `max` + 512 characters are ever scanned.
 *
 * @param text any text (e.g. a 10 MB reply)
 * @param canaries the run's canaries
 * @param max characters kept
 * @returns the masked, cut text
 * @example
 * ```ts
 * import { capText } from "./mask.ts";
 * const c = "ronc_" + "0123456789abcdef".repeat(2);
 * const out = capText(`${c} ${"x".repeat(10_000_000)}`, [c], 100);
 * if (!out.startsWith("<canary> xxx") || !out.endsWith("… 10.0 MB cut")) throw new Error(out);
 * ```
 */
export function capText(text: string, canaries: readonly string[], max: number): string {
  if (text.length <= max) return canaries.length > 0 ? maskCanaries(text, canaries) : text;
  const masked = maskCanaries(text.slice(0, max + CUT_MARGIN), canaries);
  let cut = Math.min(max, masked.length);
  const m = masked.lastIndexOf(MASK, cut - 1);
  if (m >= 0 && m + MASK.length > cut) cut = m;
  const hi = masked.charCodeAt(cut - 1);
  if (cut > 0 && hi >= 0xd800 && hi < 0xdc00) cut--;
  return `${masked.slice(0, cut)}… ${size(utf8Length(text, Math.min(cut, text.length)))} cut`;
}

/** What one bounded walk cut. */
interface Cuts {
  strings: number;
  bytes: number;
  deep: number;
  deepAt: string;
  items: number;
  keys: number;
  nodes: boolean;
  chars: boolean;
}

function describeCuts(c: Cuts, b: TreeBounds): string | undefined {
  const parts: string[] = [];
  if (c.strings > 0) {
    parts.push(`${c.strings} string(s) cut to ${b.maxString} characters (${size(c.bytes)} cut in all)`);
  }
  if (c.deep > 0) {
    parts.push(`${c.deep} value(s) nested deeper than ${b.maxDepth} cut (first at ${c.deepAt})`);
  }
  if (c.items > 0) parts.push(`${c.items} array item(s) past ${b.maxItems} per array cut`);
  if (c.keys > 0) parts.push(`${c.keys} object key(s) past ${b.maxKeys} per object cut`);
  if (c.nodes) parts.push(`values past ${b.maxNodes} in all cut`);
  if (c.chars) parts.push(`text past ${b.maxChars} characters in all cut`);
  return parts.length > 0 ? `the report cut this evidence: ${parts.join("; ")}` : undefined;
}

type Container = Record<string, unknown> | unknown[];

/** A pending value: where its copy goes, how deep it is, and its path (for messages). */
interface Frame {
  src: unknown;
  dst: Container;
  key: string | number;
  depth: number;
  path: string;
}

/** Marks the end of an object's subtree (to cut cycles on the current path only). */
interface Exit {
  exit: object;
}

function setOwn(dst: Container, key: string | number, v: unknown) {
  if (Array.isArray(dst)) dst[key as number] = v;
  // defineProperty: a "__proto__" key stays an ordinary key
  else Object.defineProperty(dst, key, { value: v, writable: true, enumerable: true, configurable: true });
}

function walk(
  value: unknown,
  text: (s: string, budget: number) => string,
  key: (s: string) => string,
  b: TreeBounds | undefined,
  cuts: Cuts,
): unknown {
  const holder: unknown[] = [undefined];
  const onPath = new WeakSet<object>();
  const stack: (Frame | Exit)[] = [{ src: value, dst: holder, key: 0, depth: 0, path: "" }];
  let nodes = 0;
  let chars = 0;
  while (stack.length > 0) {
    const f = stack.pop()!;
    if ("exit" in f) {
      onPath.delete(f.exit);
      continue;
    }
    nodes++;
    const v = f.src;
    if (typeof v === "string") {
      const budget = b ? Math.max(0, Math.min(b.maxString, b.maxChars - chars)) : Infinity;
      if (b && budget < Math.min(v.length, b.maxString)) cuts.chars = true;
      const out = text(v, budget);
      chars += Math.min(v.length, budget);
      setOwn(f.dst, f.key, out);
      continue;
    }
    if (v === null || typeof v !== "object") {
      setOwn(f.dst, f.key, v);
      continue;
    }
    if (onPath.has(v)) {
      setOwn(f.dst, f.key, "[cycle]");
      continue;
    }
    if (b && f.depth >= b.maxDepth) {
      if (cuts.deep++ === 0) cuts.deepAt = f.path || "the top";
      setOwn(f.dst, f.key, `[… nested deeper than ${b.maxDepth}: cut]`);
      continue;
    }
    if (v instanceof Error) {
      setOwn(f.dst, f.key, {
        name: text(v.name, b?.maxString ?? Infinity),
        message: text(v.message, b?.maxString ?? Infinity),
      });
      continue;
    }
    onPath.add(v);
    stack.push({ exit: v });
    const room = b ? Math.max(0, b.maxNodes - nodes - (stack.length - 1)) : Infinity;
    const path = f.path.length > 60 ? f.path : undefined;
    if (Array.isArray(v)) {
      let keep = b ? Math.min(v.length, b.maxItems) : v.length;
      if (b && v.length > b.maxItems) cuts.items += v.length - b.maxItems;
      if (keep > room) {
        cuts.nodes = true;
        keep = room;
      }
      const out: unknown[] = new Array(keep);
      setOwn(f.dst, f.key, out);
      for (let i = keep - 1; i >= 0; i--) {
        stack.push({ src: v[i], dst: out, key: i, depth: f.depth + 1, path: path ?? `${f.path}[${i}]` });
      }
      continue;
    }
    const out: Record<string, unknown> = {};
    setOwn(f.dst, f.key, out);
    const entries = Object.entries(v);
    let keep = b ? Math.min(entries.length, b.maxKeys) : entries.length;
    if (b && entries.length > b.maxKeys) cuts.keys += entries.length - b.maxKeys;
    if (keep > room) {
      cuts.nodes = true;
      keep = room;
    }
    const frames: Frame[] = [];
    for (let i = 0; i < keep; i++) {
      const [k, inner] = entries[i]!;
      const mk = key(k);
      setOwn(out, mk, undefined); // keep the key order
      frames.push({
        src: inner,
        dst: out,
        key: mk,
        depth: f.depth + 1,
        path: path ?? `${f.path}.${mk.slice(0, 20)}`,
      });
    }
    for (let i = frames.length - 1; i >= 0; i--) stack.push(frames[i]!);
  }
  return holder[0];
}

function noCuts(): Cuts {
  return { strings: 0, bytes: 0, deep: 0, deepAt: "", items: 0, keys: 0, nodes: false, chars: false };
}

/**
 * Apply a string masker to every string and object key in a JSON-like tree. Returns a copy;
 * the input is not changed. Cycles are cut (a repeated object on the current path becomes
 * `"[cycle]"`). Iterative: any depth is fine.
 *
 * @param value any JSON-like value
 * @param mask the function applied to each string
 * @returns the masked copy
 * @example
 * ```ts
 * import { maskDeep } from "./mask.ts";
 * const out = maskDeep({ a: ["xSECRETx"], SECRET: 1 }, (s) => s.replaceAll("SECRET", "<canary>"));
 * if (JSON.stringify(out) !== '{"a":["x<canary>x"],"<canary>":1}') throw new Error(JSON.stringify(out));
 * ```
 */
export function maskDeep<T>(value: T, mask: (s: string) => string): T {
  // The walk preserves the shape of JSON-like values (strings stay strings, arrays stay arrays).
  return walk(value, mask, mask, undefined, noCuts()) as T;
}

/**
 * Mask every canary (every form {@link findCanaries} knows) in a whole tree.
 *
 * @param value a result, a report or any JSON-like value
 * @param canaries the run's canaries
 * @returns the masked copy
 * @example
 * ```ts
 * import { maskTree } from "./mask.ts";
 * const c = "ronc_" + "0123456789abcdef".repeat(2);
 * const out = maskTree({ notes: [`token=${c.toUpperCase()}`] }, [c]);
 * if (JSON.stringify(out) !== '{"notes":["token=<canary>"]}') throw new Error(JSON.stringify(out));
 * ```
 */
export function maskTree<T>(value: T, canaries: readonly string[]): T {
  if (canaries.length === 0) return value;
  return maskDeep(value, (s) => maskCanaries(s, canaries));
}

/**
 * Mask and bound a tree of evidence: strings masked, then cut to `maxString` (and to what is left
 * of `maxChars`), arrays to `maxItems`, objects to `maxKeys`, the whole to `maxNodes`, and
 * containers nested deeper than `maxDepth` replaced by a note. Strings stay strings, arrays stay
 * arrays and objects stay objects (a cut drops items or keys, never adds one), so a typed
 * evidence record keeps its type. Iterative.
 *
 * @param value the evidence (or any JSON-like value)
 * @param canaries the run's canaries
 * @param bounds the bounds (default {@link EVIDENCE_BOUNDS})
 * @returns the bounded copy and, when anything was cut, one sentence saying what
 * @example
 * ```ts
 * import { boundTree } from "./mask.ts";
 * let deep: unknown = "end";
 * for (let i = 0; i < 100_000; i++) deep = [deep];
 * const { value, cut } = boundTree({ reply: deep, big: "x".repeat(10_000_000) }, []);
 * if (JSON.stringify(value).length > 10_000 || !cut?.includes("nested deeper than 32")) throw new Error(cut);
 * ```
 */
export function boundTree<T>(
  value: T,
  canaries: readonly string[],
  bounds: Readonly<TreeBounds> = EVIDENCE_BOUNDS,
): { value: T; cut?: string } {
  const cuts = noCuts();
  const text = (s: string, budget: number) => {
    if (s.length <= budget) return canaries.length > 0 ? maskCanaries(s, canaries) : s;
    cuts.strings++;
    cuts.bytes += utf8Length(s, budget);
    return capText(s, canaries, budget);
  };
  const key = (k: string) => capText(k, canaries, 200);
  const out = walk(value, text, key, bounds, cuts) as T;
  const cut = describeCuts(cuts, bounds);
  return cut === undefined ? { value: out } : { value: out, cut };
}

/**
 * The first canary still readable in `text` in any form the kit detects (a last guard before a
 * report is written).
 *
 * @param text the text to scan
 * @param canaries the run's canaries
 * @returns the first match, or undefined
 * @example
 * ```ts
 * import { findUnmasked } from "./mask.ts";
 * const c = "ronc_" + "0123456789abcdef".repeat(2);
 * if (findUnmasked("nothing here", [c]) !== undefined) throw new Error();
 * if (findUnmasked(`BEARER ${c.toUpperCase()}`, [c])?.form !== "case-changed") throw new Error();
 * ```
 */
export function findUnmasked(text: string, canaries: readonly string[]): CanaryMatch | undefined {
  if (canaries.length === 0) return undefined;
  return findCanaries(text, canaries)[0];
}
