/**
 * The file-tree leak scan (internal to `canary.ts`): every file and file name under a directory,
 * bounded, and an account of everything it did not scan (or scanned only in part), so evidence can
 * say "scanned N files; skipped M: …" instead of claiming it scanned everything.
 *
 * @module
 */
import type { LeakFinding } from "../schema/evidence.ts";
import { findSpans, maskSpans, taggedFindings } from "./_canary_match.ts";

/** Files {@link scanDir} reads at most. */
export const SCAN_MAX_FILES = 2000;
/** Directories {@link scanDir} lists at most. */
export const SCAN_MAX_DIRS = 2000;
/** Bytes read from each file by {@link scanDir} (a bigger file: its start and its last {@link SCAN_TAIL_BYTES}). */
export const SCAN_MAX_BYTES = 8 * 1024 * 1024;
/** Of {@link SCAN_MAX_BYTES}, how many come from the end of a bigger file. */
export const SCAN_TAIL_BYTES = 1024 * 1024;
/** Skipped entries listed by name in a {@link TreeScan} (all are counted). */
const MAX_SKIPPED_LISTED = 20;

/** Bounds of one {@link scanDir} (tests lower them). */
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
   * bytes read from each file (and decompressed from a gzip file)
   * @default 8388608
   */
  maxBytes?: number;
  /**
   * of `maxBytes`, how many are read from the end of a bigger file
   * @default 1048576
   */
  tailBytes?: number;
  /** only read files modified at or after this time (ms since the epoch), e.g. to scan a shared temp folder */
  since?: number;
}

/** A file or directory the scan did not read, or read only in part. */
export interface SkippedEntry {
  /** e.g. "HOME/.cache/big.log" (canaries masked) */
  path: string;
  /** e.g. "symlink, not followed" */
  why: string;
}

/** What one scan of a directory tree found, read and skipped. */
export interface TreeScan {
  findings: LeakFinding[];
  /** files read, in whole or in part */
  files: number;
  /** directories listed */
  dirs: number;
  /** files not read or read in part, and directories not listed (at most 20 listed by name) */
  skipped: SkippedEntry[];
  /** how many entries were skipped in all (`skipped` lists the first 20) */
  skippedCount: number;
  /** files not read because they are older than `since` */
  older: number;
}

function mib(n: number): string {
  return n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(1)} MiB` : `${Math.ceil(n / 1024)} KiB`;
}

type Bytes = Uint8Array<ArrayBuffer>;

interface ReadResult {
  head: Bytes;
  tail?: Bytes;
  size: number;
  older?: boolean;
}

async function readInto(file: Deno.FsFile, buf: Bytes): Promise<Bytes> {
  let n = 0;
  while (n < buf.length) {
    const r = await file.read(buf.subarray(n));
    if (r === null) break;
    n += r;
  }
  return buf.subarray(0, n);
}

async function readBounded(path: string, max: number, tailMax: number, since?: number): Promise<ReadResult> {
  const file = await Deno.open(path, { read: true });
  try {
    const st = await file.stat();
    if (since !== undefined && (st.mtime?.getTime() ?? Infinity) < since) {
      return { head: new Uint8Array(0), size: st.size, older: true };
    }
    if (st.size <= max) return { head: await readInto(file, new Uint8Array(st.size)), size: st.size };
    const tailLen = Math.min(tailMax, max);
    const head = await readInto(file, new Uint8Array(max - tailLen));
    await file.seek(st.size - tailLen, Deno.SeekMode.Start);
    return { head, tail: await readInto(file, new Uint8Array(tailLen)), size: st.size };
  } finally {
    file.close();
  }
}

/** Decompress a gzip head, at most `max` bytes out; what came out before any error counts. */
async function gunzip(bytes: Bytes, max: number): Promise<{ data: Bytes; complete: boolean }> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let complete = false;
  const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip")).getReader();
  try {
    while (total < max) {
      const r = await reader.read();
      if (r.done) {
        complete = true;
        break;
      }
      chunks.push(r.value.subarray(0, max - total));
      total += Math.min(r.value.length, max - total);
    }
  } catch {
    // corrupt or cut short: keep what was decompressed
  } finally {
    await reader.cancel().catch(() => {});
  }
  const data = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    data.set(c, at);
    at += c.length;
  }
  return { data, complete };
}

function decode(bytes: Uint8Array): string {
  // a BOM names UTF-16; BOM-less UTF-16 is still found (NUL is a separator of the matcher)
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le").decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder("utf-16be").decode(bytes);
  return new TextDecoder("utf-8").decode(bytes);
}

function mask(text: string, canaries: readonly string[]): string {
  const spans = findSpans(text, canaries);
  return spans.length === 0 ? text : maskSpans(text, spans, 0, text.length);
}

/**
 * Scan every regular file under `dir` (recursively; symlinks are not followed, but their targets'
 * names are scanned) and every file name for the canaries, within the limits, and say what was
 * skipped. A missing directory has no findings and one skipped entry.
 *
 * @param dir the directory to scan
 * @param canaries the canaries to look for
 * @param label how the directory is named in findings, e.g. "HOME" → `file HOME/.cache/x`
 * @param limits lower bounds for tests (defaults: the SCAN_* constants)
 * @returns findings (excerpts and paths masked), counts and what was skipped
 */
export async function scanDir(
  dir: string,
  canaries: readonly string[],
  label: string,
  limits: ScanLimits = {},
): Promise<TreeScan> {
  const scan: TreeScan = { findings: [], files: 0, dirs: 0, skipped: [], skippedCount: 0, older: 0 };
  if (canaries.length === 0) return scan;
  const maxFiles = limits.maxFiles ?? SCAN_MAX_FILES;
  const maxDirs = limits.maxDirs ?? SCAN_MAX_DIRS;
  const maxBytes = limits.maxBytes ?? SCAN_MAX_BYTES;
  const tailBytes = limits.tailBytes ?? Math.min(SCAN_TAIL_BYTES, Math.floor(maxBytes / 8));
  const skip = (path: string, why: string) => {
    scan.skippedCount++;
    if (scan.skipped.length < MAX_SKIPPED_LISTED) scan.skipped.push({ path, why });
  };
  const find = (text: string, where: string, max = 5) => {
    for (const t of taggedFindings(text, canaries, where, max)) scan.findings.push(t.finding);
  };
  let overFileCap = 0;
  const stack: string[] = [""];
  while (stack.length > 0) {
    if (scan.dirs >= maxDirs) {
      skip(`${label}/…`, `directory cap (${maxDirs}) reached: ${stack.length} more directories not listed`);
      break;
    }
    const rel = stack.pop() ?? "";
    const shown = rel ? `${label}/${mask(rel, canaries)}` : label;
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(rel ? `${dir}/${rel}` : dir));
    } catch (e) {
      skip(
        shown,
        e instanceof Deno.errors.NotFound ? "directory missing" : `directory unreadable (${errName(e)})`,
      );
      continue;
    }
    scan.dirs++;
    entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    const toRead: string[] = [];
    for (const e of entries) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      const where = `${label}/${mask(path, canaries)}`;
      find(e.name, `file name ${where}`, 1);
      if (e.isSymlink) {
        try {
          find(await Deno.readLink(`${dir}/${path}`), `symlink target ${where}`, 1);
        } catch {
          // vanished: nothing to scan
        }
        skip(where, "symlink, not followed");
      } else if (e.isDirectory) stack.push(path);
      else if (!e.isFile) skip(where, "not a regular file");
      else if (scan.files + toRead.length < maxFiles) toRead.push(path);
      else overFileCap++;
    }
    // read a few files at a time; findings stay in name order
    const found: LeakFinding[][] = toRead.map(() => []);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < toRead.length; i = next++) {
        const path = toRead[i] ?? "";
        const where = `${label}/${mask(path, canaries)}`;
        const mine: LeakFinding[] = (found[i] = []);
        const add = (text: string, w: string) => {
          for (const t of taggedFindings(text, canaries, w, 5)) mine.push(t.finding);
        };
        let r: ReadResult;
        try {
          r = await readBounded(`${dir}/${path}`, maxBytes, tailBytes, limits.since);
        } catch (e) {
          skip(
            where,
            e instanceof Deno.errors.NotFound ? "vanished before it was read" : `unreadable (${errName(e)})`,
          );
          continue;
        }
        if (r.older) {
          scan.older++;
          continue;
        }
        scan.files++;
        add(decode(r.head), `file ${where}`);
        if (r.tail) {
          add(decode(r.tail), `file ${where} (end)`);
          skip(
            where,
            `${mib(r.size)}: only the first ${mib(r.head.length)} and the last ${mib(r.tail.length)} scanned`,
          );
        }
        if (r.head[0] === 0x1f && r.head[1] === 0x8b) {
          const z = await gunzip(r.head, maxBytes);
          add(decode(z.data), `file ${where} (gzip)`);
          if (!z.complete) {
            skip(where, `gzip: only the first ${mib(z.data.length)} decompressed were scanned`);
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, toRead.length) }, worker));
    for (const f of found) scan.findings.push(...f);
  }
  if (overFileCap > 0) {
    skip(`${label}/…`, `file cap (${maxFiles}) reached: ${overFileCap} more files not read`);
  }
  return scan;
}

function errName(e: unknown): string {
  return e instanceof Error ? e.name : typeof e;
}

/**
 * One sentence on what a scan covered: "HOME: scanned 12 files in 3 directories; skipped 2: …".
 *
 * @param scan the scan
 * @param label the directory's label
 * @returns the sentence (paths masked)
 */
export function describeScan(scan: TreeScan, label: string): string {
  let s = `${label}: scanned ${scan.files} file${scan.files === 1 ? "" : "s"} in ${scan.dirs} director${
    scan.dirs === 1 ? "y" : "ies"
  }`;
  if (scan.older > 0) s += ` (${scan.older} older files not read)`;
  if (scan.skippedCount === 0) return s + "; nothing skipped";
  const listed = scan.skipped.map((k) => `${k.path} (${k.why})`).join(", ");
  const more = scan.skippedCount - scan.skipped.length;
  return `${s}; skipped or cut ${scan.skippedCount}: ${listed}${more > 0 ? `, and ${more} more` : ""}`;
}
