/**
 * Over-long stdout lines (past the 16 MiB line limit): which call they answer, as far as their
 * ends tell, and how to say what happened. Internal to the driver host.
 *
 * @module
 */
import type { Oversized } from "./types.ts";
import { MAX_LINE_BYTES, peekReply, type Split } from "./jsonl.ts";

/** Characters of an over-long line's ends read for its id and ok. */
const PEEK_CHARS = 4096;

/** What an over-long line turned out to be once it ended. */
export interface LongReply {
  /** the call it answers, when its first or last keys say */
  id: number | undefined;
  ok: boolean | undefined;
  bytes: number;
}

/** Follows one over-long stdout line piece by piece. */
export class LongLine {
  /** it starts like a JSON object (a reply when its ends give an id or ok) */
  readonly object: boolean;
  /** where its pieces are kept: `driver stdout` (SDK output) or a reply label */
  readonly where: string;
  id: number | undefined;
  #ok: boolean | undefined;
  #tail = "";

  /**
   * @param head the line's first piece
   * @param opOf the op in flight under an id, if any
   */
  constructor(head: string, opOf: (id: number) => string | undefined) {
    const h = head.slice(0, PEEK_CHARS);
    const peek = peekReply(h, "");
    this.object = h.trimStart().startsWith("{");
    this.id = peek.id;
    this.#ok = peek.ok;
    const op = peek.id === undefined ? undefined : opOf(peek.id);
    this.where = peek.replyLike ? (op ? `reply to ${op}` : "reply (over-long)") : "driver stdout";
  }

  /** what its first keys said about `ok` */
  get ok(): boolean | undefined {
    return this.#ok;
  }

  /**
   * Take the next piece.
   *
   * @param s the piece
   * @returns the reply once the line has ended as one; undefined before, or for SDK output
   */
  piece(s: Extract<Split, { kind: "long" }>): LongReply | undefined {
    this.#tail = (this.#tail + s.text.slice(-PEEK_CHARS)).slice(-PEEK_CHARS);
    if (s.at !== "last" || !this.object) return undefined;
    const peek = peekReply("{", this.#tail);
    this.id ??= peek.id;
    this.#ok ??= peek.ok;
    if (this.id === undefined && this.#ok === undefined) return undefined; // a long JSON log line
    return { id: this.id, ok: this.#ok, bytes: s.bytes };
  }
}

/**
 * Say what an over-long reply is.
 *
 * @param bytes its length in bytes (so far, when `ended` is false)
 * @param ok what its `ok` said, if known
 * @param ended whether its newline (or the end of stream) came
 * @returns the detail's parts and the call result's `oversized`
 */
export function describeOversized(
  bytes: number,
  ok: boolean | undefined,
  ended: boolean,
): { what: string; limit: string; oversized: Oversized } {
  const reply = ok === true ? "success" : ok === false ? "error" : "unknown";
  const what = ended ? `reply of ${bytes} bytes` : `reply of more than ${bytes} bytes (no newline yet)`;
  const why = reply === "success"
    ? "; the SDK returned the body instead of refusing it"
    : reply === "error"
    ? " (an error reply)"
    : "";
  return {
    what,
    limit: `exceeds the ${MAX_LINE_BYTES / (1024 * 1024)} MiB line limit${why}`,
    oversized: { bytes, reply },
  };
}
