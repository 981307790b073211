/**
 * Canary secrets: make them, find them (raw, URL-encoded, base64 and any
 * 12-character run), mask them, and scan a directory tree for them.
 * See docs/PROTOCOL.md § "Canaries" and docs/DESIGN.md § "Canary secrets and the leak scan".
 *
 * @module
 */
import type { LeakFinding } from "../schema/evidence.ts";

/** How a canary was found. */
export type CanaryForm = "raw" | "url-encoded" | "base64" | "fragment";

/** One searchable form of a canary. */
export interface CanaryFormText {
  form: CanaryForm;
  /** the text to look for */
  text: string;
}

/** One place a canary was found. */
export interface CanaryMatch {
  /** the canary that was found (never print it: mask it) */
  canary: string;
  form: CanaryForm;
  /** index of the first character of the match in the scanned text */
  index: number;
}

/** Length of the runs of a canary that count as a leak ("any 12-character run of it"). */
export const FRAGMENT_LENGTH = 12;

/** What a masked canary is replaced with. */
export const MASK = "<canary>";

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

function base64(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

function urlSafe(b64: string): string {
  return b64.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/**
 * Every form of a canary the kit looks for: the raw text, its URL encodings
 * (`encodeURIComponent` and form encoding), base64 (standard and URL-safe) of
 * the canary, of `Bearer <canary>` and of `user:<canary>`, the base64 of the
 * canary at each of the three byte alignments it can have inside a longer
 * encoded text (so it is found whatever precedes it), and every run of
 * {@link FRAGMENT_LENGTH} characters of it. Duplicates are removed, keeping the
 * first (most specific) form.
 *
 * @param canary the canary
 * @returns the forms, longest-meaning first
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
  const out: CanaryFormText[] = [];
  const seen = new Set<string>();
  const add = (form: CanaryForm, text: string) => {
    if (text.length === 0 || seen.has(text)) return;
    seen.add(text);
    out.push({ form, text });
  };
  if (canary.length === 0) return out;
  add("raw", canary);
  add("url-encoded", encodeURIComponent(canary));
  add("url-encoded", new URLSearchParams({ x: canary }).toString().slice(2));
  const enc = new TextEncoder();
  for (const plain of [canary, `Bearer ${canary}`, `user:${canary}`]) {
    const b64 = base64(enc.encode(plain));
    add("base64", b64);
    add("base64", urlSafe(b64));
  }
  // The canary's own bytes at each alignment: only the 4-char groups made of canary bytes alone.
  const bytes = enc.encode(canary);
  for (let k = 0; k < 3; k++) {
    const padded = new Uint8Array(k + bytes.length);
    padded.set(bytes, k);
    const full = base64(padded);
    const core = full.slice(k === 0 ? 0 : 4, Math.floor(padded.length / 3) * 4);
    if (core.length >= FRAGMENT_LENGTH) {
      add("base64", core);
      add("base64", urlSafe(core));
    }
  }
  if (canary.length > FRAGMENT_LENGTH) {
    for (let i = 0; i + FRAGMENT_LENGTH <= canary.length; i++) {
      const run = canary.slice(i, i + FRAGMENT_LENGTH);
      // A run with almost no variety ("aaaaaaaaaaaa") would match ordinary text: skip it.
      if (new Set(run).size >= 4) add("fragment", run);
    }
  }
  return out;
}

interface Pattern {
  canary: string;
  form: CanaryForm;
  text: string;
}

/** The compiled form set of one canary set: a rolling-hash index of every pattern's first 12 chars. */
interface Matcher {
  byHash: Map<number, Pattern[]>;
  /** patterns shorter than the hash window, searched with indexOf */
  short: Pattern[];
}

const W = FRAGMENT_LENGTH;
const B = 0x01000193;
/** B^(W-1) mod 2^32 */
const B_TOP = (() => {
  let p = 1;
  for (let i = 0; i < W - 1; i++) p = Math.imul(p, B);
  return p;
})();

function hashAt(s: string, from: number): number {
  let h = 0;
  for (let i = from; i < from + W; i++) h = (Math.imul(h, B) + s.charCodeAt(i)) | 0;
  return h;
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
  const matcher = compile(canaries);
  last = { canaries: [...canaries], matcher };
  return matcher;
}

function compile(canaries: readonly string[]): Matcher {
  const key = canaries.join("\n");
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const m: Matcher = { byHash: new Map(), short: [] };
  for (const canary of new Set(canaries)) {
    for (const f of canaryForms(canary)) {
      const p: Pattern = { canary, form: f.form, text: f.text };
      if (p.text.length < W) {
        m.short.push(p);
        continue;
      }
      const h = hashAt(p.text, 0);
      const list = m.byHash.get(h);
      if (list) list.push(p);
      else m.byHash.set(h, [p]);
    }
  }
  cache.set(key, m);
  if (cache.size > CACHE_MAX) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  return m;
}

/** A found canary with its extent (internal: the public API reports the start only). */
export interface CanarySpan extends CanaryMatch {
  /** index just past the match */
  end: number;
}

/**
 * Find every canary span in `text`: non-overlapping, leftmost first, longest
 * at each position; a fragment match is extended over as much of the canary
 * as follows it, so a truncated canary is masked whole.
 *
 * @param text the text to scan
 * @param canaries the canaries to look for
 * @returns the spans, by index
 */
export function findCanarySpans(text: string, canaries: readonly string[]): CanarySpan[] {
  if (canaries.length === 0 || text.length === 0) return [];
  const m = matcherFor(canaries);
  const cands: CanarySpan[] = [];
  const consider = (p: Pattern, at: number) => {
    let end = at + p.text.length;
    if (p.form === "fragment") {
      // extend over the rest of the canary that follows
      const off = p.canary.indexOf(p.text);
      let j = off + p.text.length;
      while (j < p.canary.length && end < text.length && text.charCodeAt(end) === p.canary.charCodeAt(j)) {
        end++;
        j++;
      }
    }
    cands.push({ canary: p.canary, form: p.form, index: at, end });
  };
  if (m.byHash.size > 0 && text.length >= W) {
    let h = hashAt(text, 0);
    const last = text.length - W;
    for (let i = 0;; i++) {
      const list = m.byHash.get(h);
      if (list) {
        for (const p of list) if (text.startsWith(p.text, i)) consider(p, i);
      }
      if (i >= last) break;
      h = (Math.imul(h - Math.imul(text.charCodeAt(i), B_TOP), B) + text.charCodeAt(i + W)) | 0;
    }
  }
  for (const p of m.short) {
    for (let at = text.indexOf(p.text); at !== -1; at = text.indexOf(p.text, at + 1)) consider(p, at);
  }
  if (cands.length === 0) return [];
  const rank = (f: CanaryForm) => (f === "raw" ? 0 : f === "url-encoded" ? 1 : f === "base64" ? 2 : 3);
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
  const spans = findCanarySpans(text, canaries);
  if (spans.length === 0) return text;
  return maskSpans(text, spans, 0, text.length);
}

/** Render `text[from, to)` with every span inside replaced by the mask (spans must lie within). */
function maskSpans(text: string, spans: readonly CanarySpan[], from: number, to: number): string {
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

/** A leak finding and the canary it is about. */
export interface TaggedFinding {
  /** the canary found (never print it) */
  canary: string;
  finding: LeakFinding;
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
  const spans = findCanarySpans(text, canaries);
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

/** Bounds of {@link scanTree}. */
export const SCAN_MAX_FILES = 2000;
/** Directories {@link scanTree} lists at most. */
export const SCAN_MAX_DIRS = 2000;
/** Bytes read from each file by {@link scanTree}. */
export const SCAN_MAX_BYTES = 8 * 1024 * 1024;

/** Bounds of one {@link scanTree} (tests lower them). */
export interface ScanLimits {
  /**
   * files read at most
   * @default 2000
   */
  maxFiles?: number;
  /**
   * directories listed at most
   * @default 2000
   */
  maxDirs?: number;
  /**
   * bytes read from each file
   * @default 8388608
   */
  maxBytes?: number;
}

async function readHead(path: string, max: number): Promise<Uint8Array> {
  const file = await Deno.open(path, { read: true });
  try {
    const size = (await file.stat()).size;
    const buf = new Uint8Array(Math.min(max, size));
    let n = 0;
    while (n < buf.length) {
      const r = await file.read(buf.subarray(n));
      if (r === null) break;
      n += r;
    }
    return buf.subarray(0, n);
  } finally {
    file.close();
  }
}

/**
 * Scan every regular file under `dir` (recursively, symlinks not followed; at
 * most {@link SCAN_MAX_FILES} files in {@link SCAN_MAX_DIRS} directories and
 * the first {@link SCAN_MAX_BYTES} bytes of each) and every file name for the
 * canaries. A missing directory has no
 * findings.
 *
 * @param dir the directory to scan
 * @param canaries the canaries to look for
 * @param label how the directory is named in findings, e.g. "HOME" → `file HOME/.cache/x`
 * @param limits lower bounds for tests (defaults: the SCAN_MAX_* constants)
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
  const out: LeakFinding[] = [];
  if (canaries.length === 0) return out;
  const maxFiles = limits.maxFiles ?? SCAN_MAX_FILES;
  const maxDirs = limits.maxDirs ?? SCAN_MAX_DIRS;
  const maxBytes = limits.maxBytes ?? SCAN_MAX_BYTES;
  let files = 0;
  let dirs = 0;
  const stack: string[] = [""];
  while (stack.length > 0 && files < maxFiles && dirs++ < maxDirs) {
    const rel = stack.pop() ?? "";
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(rel ? `${dir}/${rel}` : dir));
    } catch {
      continue; // missing or unreadable directory
    }
    entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    const toRead: string[] = [];
    for (const e of entries) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      out.push(...leakFindings(e.name, canaries, `file name ${label}/${maskCanaries(path, canaries)}`, 1));
      if (e.isSymlink) continue;
      if (e.isDirectory) stack.push(path);
      else if (e.isFile && files < maxFiles) {
        files++;
        toRead.push(path);
      }
    }
    // read a few files at a time; findings stay in name order
    const found: LeakFinding[][] = new Array(toRead.length);
    let next = 0;
    const worker = async () => {
      const decoder = new TextDecoder("utf-8", { fatal: false });
      for (let i = next++; i < toRead.length; i = next++) {
        const path = toRead[i] ?? "";
        try {
          const text = decoder.decode(await readHead(`${dir}/${path}`, maxBytes));
          found[i] = leakFindings(text, canaries, `file ${label}/${maskCanaries(path, canaries)}`);
        } catch {
          found[i] = []; // vanished or unreadable
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, toRead.length) }, worker));
    for (const f of found) if (f) out.push(...f);
  }
  return out;
}
