/**
 * JSON Lines framing of the driver protocol: split a byte stream into lines,
 * tell replies from SDK output, and encode requests.
 * See docs/PROTOCOL.md § "Framing".
 *
 * @module
 */

/** Longest line (in bytes, without its newline) taken whole; a longer one is reported in pieces. */
export const MAX_LINE_BYTES: number = 16 * 1024 * 1024;

/** What {@link LineSplitter} yields. */
export type Split =
  /** a complete line of at most the bound (its newline and a `\r` before it dropped) */
  | { kind: "line"; text: string }
  /**
   * a piece of an over-long line: `first` (the head, exactly the bound), `middle` pieces of the
   * bound each, then `last` (what remained when the newline or the end of stream came, maybe
   * empty); `bytes` counts the line's bytes so far (the whole line for `last`)
   */
  | { kind: "long"; at: "first" | "middle" | "last"; text: string; bytes: number };

/**
 * Splits a UTF-8 byte stream into lines (`\n`, an optional `\r` before it is dropped). A line
 * longer than `maxLineBytes` is yielded in pieces of that size with its running byte count, so
 * memory stays bounded whatever the other side writes and the reader can still say how long it was.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const s = new LineSplitter();
 * const enc = new TextEncoder();
 * assert.deepEqual(s.push(enc.encode("a\r\nb")), [{ kind: "line", text: "a" }]);
 * assert.deepEqual(s.push(enc.encode("c\n")), [{ kind: "line", text: "bc" }]);
 * assert.deepEqual(s.end(), []);
 * ```
 */
export class LineSplitter {
  readonly #decoder = new TextDecoder("utf-8", { fatal: false });
  readonly #max: number;
  #parts: string[] = [];
  /** bytes in the current piece */
  #pieceBytes = 0;
  /** bytes of the current line so far */
  #lineBytes = 0;
  /** the current line is over the bound (its head was yielded) */
  #long = false;

  /** @param maxLineBytes longest line taken whole (default {@link MAX_LINE_BYTES}) */
  constructor(maxLineBytes: number = MAX_LINE_BYTES) {
    this.#max = Math.max(1, maxLineBytes);
  }

  /** Bytes of the unfinished line so far (0 between lines). */
  get pendingBytes(): number {
    return this.#lineBytes;
  }

  /**
   * Feed bytes.
   *
   * @param chunk the next bytes of the stream
   * @returns the lines (and pieces of over-long lines) completed by this chunk
   */
  push(chunk: Uint8Array): Split[] {
    const out: Split[] = [];
    let at = 0;
    while (at < chunk.length) {
      const nl = chunk.indexOf(0x0a, at);
      this.#add(chunk.subarray(at, nl === -1 ? chunk.length : nl), out);
      if (nl === -1) break;
      this.#finish(out);
      at = nl + 1;
    }
    return out;
  }

  /**
   * End of stream.
   *
   * @returns the last, unterminated line (or the last piece of an over-long one), if any
   */
  end(): Split[] {
    const out: Split[] = [];
    if (this.#lineBytes > 0 || this.#long) this.#finish(out);
    return out;
  }

  #add(bytes: Uint8Array, out: Split[]): void {
    let rest = bytes;
    while (this.#pieceBytes + rest.length > this.#max) {
      const room = this.#max - this.#pieceBytes;
      this.#parts.push(this.#decoder.decode(rest.subarray(0, room), { stream: true }));
      this.#lineBytes += room;
      rest = rest.subarray(room);
      out.push({
        kind: "long",
        at: this.#long ? "middle" : "first",
        text: this.#take(),
        bytes: this.#lineBytes,
      });
      this.#long = true;
    }
    if (rest.length > 0) {
      this.#parts.push(this.#decoder.decode(rest, { stream: true }));
      this.#pieceBytes += rest.length;
      this.#lineBytes += rest.length;
    }
  }

  #take(): string {
    const text = this.#parts.join("");
    this.#parts = [];
    this.#pieceBytes = 0;
    return text;
  }

  #finish(out: Split[]): void {
    this.#parts.push(this.#decoder.decode()); // a truncated character ends with its line
    const text = this.#take();
    if (this.#long) out.push({ kind: "long", at: "last", text, bytes: this.#lineBytes });
    else out.push({ kind: "line", text: text.endsWith("\r") ? text.slice(0, -1) : text });
    this.#lineBytes = 0;
    this.#long = false;
  }
}

/** A stdout line, classified. */
export type Line =
  /** SDK output: anything that is not a JSON object with a numeric `id` and a boolean `ok` */
  | { kind: "output" }
  /** a reply (still to be validated against the protocol schema) */
  | { kind: "reply"; id: number; value: unknown };

/**
 * Classify a stdout line: a line that parses as JSON and has a numeric `id`
 * and a boolean `ok` is a reply; everything else is SDK output.
 *
 * @param line one stdout line
 * @returns what the line is
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(classifyLine('{"id":1,"ok":true,"result":{}}').kind, "reply");
 * assert.equal(classifyLine('{"level":"debug","msg":"hi"}').kind, "output");
 * assert.equal(classifyLine("INFO starting").kind, "output");
 * ```
 */
export function classifyLine(line: string): Line {
  const t = line.trim();
  if (!t.startsWith("{") || !t.endsWith("}")) return { kind: "output" };
  let value: unknown;
  try {
    value = JSON.parse(t);
  } catch {
    return { kind: "output" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { kind: "output" };
  const id: unknown = Reflect.get(value, "id");
  const ok: unknown = Reflect.get(value, "ok");
  if (typeof id !== "number" || typeof ok !== "boolean") return { kind: "output" };
  return { kind: "reply", id, value };
}

/**
 * Encode a request line: `{"id", "op", ...params}` and a newline. `id` and
 * `op` in `params` are ignored.
 *
 * @param id the request id
 * @param op the op name
 * @param params the op's params
 * @returns the line to write
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(encodeRequest(3, "hello", { protocol: 1 }), '{"id":3,"op":"hello","protocol":1}\n');
 * ```
 */
export function encodeRequest(id: number, op: string, params: Record<string, unknown>): string {
  const msg: Record<string, unknown> = { id, op };
  for (const [k, v] of Object.entries(params)) {
    if (k !== "id" && k !== "op") msg[k] = v;
  }
  return JSON.stringify(msg) + "\n";
}

/** What the ends of an over-long line say about it. */
export interface ReplyPeek {
  /** the line starts like a JSON object whose first or last keys include `id` or `ok` */
  replyLike: boolean;
  /** the reply's id, when a leading or trailing key gives it */
  id?: number;
  /** the reply's `ok`, when a leading or trailing key gives it */
  ok?: boolean;
}

const KEY_VALUE = String.raw`"(id|ok)"\s*:\s*(-?\d+(?:\.\d+)?|true|false)`;
const LEADING = new RegExp(String.raw`^\s*` + KEY_VALUE + String.raw`\s*,`);
const TRAILING = new RegExp(String.raw`,\s*` + KEY_VALUE + String.raw`\s*$`);

/**
 * Read `id` and `ok` from the ends of a line too long to parse: the keys a driver writes first
 * (`{"id":3,"ok":true,"result":…`) or last (`…,"ok":true,"id":3}`).
 *
 * @param head the line's first characters
 * @param tail the line's last characters
 * @returns whether it looks like a reply, and its id and ok when the ends give them
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(peekReply('{"id":3,"ok":true,"result":{"json":"xxx', 'xx"}}'), {
 *   replyLike: true,
 *   id: 3,
 *   ok: true,
 * });
 * assert.deepEqual(peekReply("INFO body=xxxx", "xxx"), { replyLike: false });
 * ```
 */
export function peekReply(head: string, tail: string): ReplyPeek {
  const found: { id?: number; ok?: boolean } = {};
  const take = (key: string | undefined, value: string | undefined) => {
    if (key === "id" && found.id === undefined && value !== undefined && /^\d+$/.test(value)) {
      found.id = Number(value);
    }
    if (key === "ok" && found.ok === undefined && (value === "true" || value === "false")) {
      found.ok = value === "true";
    }
  };
  let h = head.trimStart();
  if (!h.startsWith("{")) return { replyLike: false };
  h = h.slice(1);
  for (let i = 0; i < 2; i++) {
    const m = LEADING.exec(h);
    if (!m) break;
    take(m[1], m[2]);
    h = h.slice(m[0].length);
  }
  let t = tail.trimEnd();
  if (t.endsWith("}")) {
    t = t.slice(0, -1);
    for (let i = 0; i < 2; i++) {
      const m = TRAILING.exec(t);
      if (!m) break;
      take(m[1], m[2]);
      t = t.slice(0, m.index);
    }
  }
  if (found.id === undefined && found.ok === undefined) return { replyLike: false };
  return { replyLike: true, ...found };
}
