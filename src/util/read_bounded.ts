/**
 * One bounded way to read the text a user points the kit at (a target file, a key, a CA, a JWKS
 * body): at most `maxBytes`, within `timeoutMs`, and for a path only a regular file (a FIFO, a
 * device or a directory is refused before it is opened, so `/dev/zero` or a FIFO cannot fill the
 * memory or hang the run). Every error names the field the path came from.
 *
 * @module
 */
import { deadline } from "./deadline.ts";
import { errorMessage } from "./error_message.ts";

/** Options of {@linkcode readBounded}. */
export interface ReadBoundedOptions {
  /** what the source is, for errors: a field ("credentials.public_key") or a flag ("--target") */
  field: string;
  /** the most bytes accepted @default 1048576 (1 MiB) */
  maxBytes?: number;
  /** the time limit of the whole read, in ms @default 10000 */
  timeoutMs?: number;
}

/** Why a bounded read failed: the field, and what went wrong (`detail`). */
export class ReadBoundedError extends Error {
  /** the field the source came from */
  readonly field: string;
  /** what went wrong, without the field */
  readonly detail: string;
  /**
   * @param field the field the source came from
   * @param detail what went wrong
   */
  constructor(field: string, detail: string) {
    super(`${field}: ${detail}`);
    this.name = "ReadBoundedError";
    this.field = field;
    this.detail = detail;
  }
}

function kind(info: Deno.FileInfo): string {
  if (info.isDirectory) return "a directory";
  if (info.isFifo) return "a FIFO";
  if (info.isCharDevice || info.isBlockDevice) return "a device";
  if (info.isSocket) return "a socket";
  return "not a regular file";
}

function bytesText(n: number): string {
  return n >= 1024 * 1024 && n % (1024 * 1024) === 0
    ? `${n / (1024 * 1024)} MiB`
    : n >= 1024 && n % 1024 === 0
    ? `${n / 1024} KiB`
    : `${n} bytes`;
}

/** Read a stream to its end, refusing more than `max` bytes; `cancel` ends it early. */
async function drain(
  stream: ReadableStream<Uint8Array>,
  max: number,
  fail: (detail: string) => ReadBoundedError,
  where: string,
  onReader: (r: ReadableStreamDefaultReader<Uint8Array>) => void,
): Promise<Uint8Array> {
  const reader = stream.getReader();
  onReader(reader);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > max) {
      await reader.cancel().catch(() => {});
      throw fail(`${where} is larger than the limit of ${bytesText(max)}`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Read a file (a regular file only) or a stream as UTF-8 text, bounded in size and time.
 *
 * @param source a file path, or a stream (e.g. a response body; it is cancelled on any error)
 * @param opts the field for errors, the size and time limits
 * @returns the text
 * @throws ReadBoundedError naming the field: missing, not a regular file, too large, too slow,
 *   not UTF-8
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readBounded, ReadBoundedError } from "./read_bounded.ts";
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "hello");
 * assert.equal(await readBounded(path, { field: "key" }), "hello");
 * await assert.rejects(readBounded(path, { field: "key", maxBytes: 3 }), ReadBoundedError);
 * await Deno.remove(path);
 * ```
 */
export async function readBounded(
  source: string | ReadableStream<Uint8Array>,
  opts: ReadBoundedOptions,
): Promise<string> {
  const max = opts.maxBytes ?? 1024 * 1024;
  const ms = opts.timeoutMs ?? 10_000;
  const where = typeof source === "string" ? source : "the response body";
  const fail = (detail: string) => new ReadBoundedError(opts.field, detail);
  let file: Deno.FsFile | undefined;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let late = false;
  const work = async (): Promise<Uint8Array> => {
    if (typeof source !== "string") return await drain(source, max, fail, where, (r) => reader = r);
    const info = await Deno.stat(source);
    if (!info.isFile) throw fail(`${source} is ${kind(info)}, not a regular file`);
    if (info.size > max) {
      throw fail(`${source} is ${info.size} bytes, larger than the limit of ${bytesText(max)}`);
    }
    const f = await Deno.open(source, { read: true });
    if (late) {
      f.close();
      throw fail("opened too late");
    }
    file = f;
    const again = await f.stat();
    if (!again.isFile) throw fail(`${source} is ${kind(again)}, not a regular file`);
    return await drain(f.readable, max, fail, where, (r) => reader = r);
  };
  let bytes: Uint8Array;
  try {
    const r = await deadline(work(), ms);
    if (!r.ok) {
      late = true;
      throw fail(`reading ${where} took longer than ${ms} ms`);
    }
    bytes = r.value;
  } catch (e) {
    await reader?.cancel().catch(() => {});
    if (typeof source !== "string" && reader === undefined) await source.cancel().catch(() => {});
    if (e instanceof ReadBoundedError) throw e;
    throw fail(
      e instanceof Deno.errors.NotFound
        ? `${where} does not exist`
        : `cannot read ${where}: ${errorMessage(e)}`,
    );
  } finally {
    try {
      file?.close();
    } catch { /* closed with its stream */ }
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw fail(`${where} is not UTF-8 text`);
  }
}
