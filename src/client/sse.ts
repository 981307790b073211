/**
 * An incremental Server-Sent Events parser (the `text/event-stream` line format).
 *
 * @module
 */

/** One dispatched SSE event. */
export interface SseEvent {
  /** the `event:` field (default `"message"`) */
  event: string;
  /** the joined `data:` lines */
  data: string;
  /** the last `id:` seen (the stream's last event id), if any */
  id?: string;
}

/**
 * Feeds text chunks and yields complete events. Holds at most one partial line and one partial event.
 *
 * @example
 * ```ts
 * import { SseParser } from "./sse.ts";
 * const p = new SseParser();
 * const evs = [...p.push("id: 1\nevent: tick\ndata: a\ndata: b\n\n")];
 * if (evs.length !== 1 || evs[0]?.data !== "a\nb" || evs[0]?.id !== "1" || p.lastEventId !== "1") throw new Error();
 * ```
 */
export class SseParser {
  #buffer = "";
  #data: string[] = [];
  #event = "";
  #lastEventId: string | undefined;
  #retryMs: number | undefined;

  /** the last event id received (for `Last-Event-ID` on reconnect) */
  get lastEventId(): string | undefined {
    return this.#lastEventId;
  }

  /** the server's `retry:` hint in ms, if any */
  get retryMs(): number | undefined {
    return this.#retryMs;
  }

  /** bytes (UTF-16 units) held for a partial line / event */
  get pendingSize(): number {
    return this.#buffer.length + this.#data.reduce((n, d) => n + d.length, 0);
  }

  /** Forget a partial event (after a reconnect the stream starts afresh). */
  resetPartial(): void {
    this.#buffer = "";
    this.#data = [];
    this.#event = "";
  }

  /**
   * Feed a decoded chunk.
   *
   * @param chunk text
   * @yields each event completed by this chunk
   */
  *push(chunk: string): Generator<SseEvent> {
    this.#buffer += chunk;
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.#buffer);
      if (m === null) return;
      // a lone "\r" at the end may be the first half of "\r\n": wait for more
      if (m[0] === "\r" && m.index === this.#buffer.length - 1) return;
      const line = this.#buffer.slice(0, m.index);
      this.#buffer = this.#buffer.slice(m.index + m[0].length);
      const ev = this.#line(line);
      if (ev) yield ev;
    }
  }

  #line(line: string): SseEvent | undefined {
    if (line === "") {
      if (this.#data.length === 0) {
        this.#event = "";
        return undefined;
      }
      const ev: SseEvent = {
        event: this.#event === "" ? "message" : this.#event,
        data: this.#data.join("\n"),
      };
      if (this.#lastEventId !== undefined) ev.id = this.#lastEventId;
      this.#data = [];
      this.#event = "";
      return ev;
    }
    if (line.startsWith(":")) return undefined;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "data":
        this.#data.push(value);
        break;
      case "event":
        this.#event = value;
        break;
      case "id":
        if (!value.includes("\0")) this.#lastEventId = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.#retryMs = Number(value);
        break;
      default:
        break;
    }
    return undefined;
  }
}
