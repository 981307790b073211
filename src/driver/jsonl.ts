/**
 * JSON Lines framing of the driver protocol: split a byte stream into lines,
 * tell replies from SDK output, and encode requests.
 * See docs/PROTOCOL.md § "Framing".
 *
 * @module
 */

/** Longest line kept whole (in UTF-16 code units); a longer run without a newline is cut into pieces. */
export const MAX_LINE_CHARS = 16 * 1024 * 1024;

/**
 * Splits a UTF-8 byte stream into lines (`\n`, an optional `\r` before it is
 * dropped). A line longer than `maxLineChars` is emitted in pieces, so memory
 * stays bounded whatever the other side writes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const s = new LineSplitter();
 * const enc = new TextEncoder();
 * assert.deepEqual(s.push(enc.encode("a\r\nb")), ["a"]);
 * assert.deepEqual(s.push(enc.encode("c\n")), ["bc"]);
 * assert.deepEqual(s.end(), []);
 * ```
 */
export class LineSplitter {
  readonly #decoder = new TextDecoder("utf-8", { fatal: false });
  readonly #max: number;
  #parts: string[] = [];
  #pendingChars = 0;

  /** @param maxLineChars longest line kept whole (default {@link MAX_LINE_CHARS}) */
  constructor(maxLineChars: number = MAX_LINE_CHARS) {
    this.#max = maxLineChars;
  }

  /**
   * Feed bytes.
   *
   * @param chunk the next bytes of the stream
   * @returns the lines completed by this chunk
   */
  push(chunk: Uint8Array): string[] {
    return this.#text(this.#decoder.decode(chunk, { stream: true }));
  }

  /**
   * End of stream.
   *
   * @returns the last, unterminated line (if any)
   */
  end(): string[] {
    const out = this.#text(this.#decoder.decode());
    if (this.#pendingChars > 0) out.push(this.#take(""));
    return out;
  }

  #take(tail: string): string {
    const line = this.#parts.join("") + tail;
    this.#parts = [];
    this.#pendingChars = 0;
    return line.endsWith("\r") ? line.slice(0, -1) : line;
  }

  #text(text: string): string[] {
    const out: string[] = [];
    let at = 0;
    for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", at)) {
      out.push(this.#take(text.slice(at, nl)));
      at = nl + 1;
    }
    let rest = text.slice(at);
    while (this.#pendingChars + rest.length > this.#max) {
      const room = this.#max - this.#pendingChars;
      out.push(this.#take(rest.slice(0, room)));
      rest = rest.slice(room);
    }
    if (rest.length > 0) {
      this.#parts.push(rest);
      this.#pendingChars += rest.length;
    }
    return out;
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
