/**
 * Internal: abortable waits and the streamed bodies of the scenario player. Every timer is cleared
 * and every listener removed when the wait ends, the stream finishes, the client cancels the stream,
 * or one of the `stop` signals (scenario released, server closed) fires.
 *
 * @module
 */
import type { Body } from "../schema/scenario.ts";

const encoder = new TextEncoder();

/**
 * Wait `ms` (Infinity = until stopped) or until any of `signals` aborts.
 *
 * @returns true when the time ran out, false when a signal aborted first
 */
export function wait(ms: number, signals: readonly AbortSignal[]): Promise<boolean> {
  if (signals.some((s) => s.aborted)) return Promise.resolve(false);
  return new Promise((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (elapsed: boolean) => {
      if (timer !== undefined) clearTimeout(timer);
      for (const s of signals) s.removeEventListener("abort", onAbort);
      resolve(elapsed);
    };
    const onAbort = () => finish(false);
    for (const s of signals) s.addEventListener("abort", onAbort, { once: true });
    if (Number.isFinite(ms)) timer = setTimeout(() => finish(true), ms);
  });
}

/** Produces the next chunk (after waiting as it likes, honouring `signal`); null = end of body. */
type Next = (signals: readonly AbortSignal[]) => Promise<Uint8Array | null> | Uint8Array | null;

/**
 * A pull-driven byte stream that stops producing when the consumer cancels or a `stop` signal fires
 * (then it closes cleanly).
 */
function producerStream(stop: readonly AbortSignal[], next: Next): ReadableStream<Uint8Array> {
  const cancelled = new AbortController();
  const signals = [...stop, cancelled.signal];
  let onStop: (() => void) | undefined;
  const detach = () => {
    if (onStop) { for (const s of stop) s.removeEventListener("abort", onStop); }
    onStop = undefined;
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      onStop = () => {
        detach();
        cancelled.abort(); // wake a pending wait
        try {
          controller.close();
        } catch { /* already closed or cancelled */ }
      };
      for (const s of stop) s.addEventListener("abort", onStop, { once: true });
      if (stop.some((s) => s.aborted)) onStop();
    },
    async pull(controller) {
      if (cancelled.signal.aborted) return;
      const chunk = await next(signals);
      if (cancelled.signal.aborted) return; // closed by onStop or cancelled meanwhile
      if (chunk === null) {
        detach();
        controller.close();
        return;
      }
      controller.enqueue(chunk);
    },
    cancel() {
      detach();
      cancelled.abort();
    },
  }, { highWaterMark: 0 });
}

function repeatFill(fill: string, size: number): Uint8Array {
  const pattern = encoder.encode(fill === "" ? "a" : fill);
  const out = new Uint8Array(size);
  for (let off = 0; off < size; off += pattern.length) out.set(pattern.subarray(0, size - off), off);
  return out;
}

const CHUNK = 16 * 1024;

/** The default content-type of a body kind. */
export function defaultContentType(body: Body): string {
  switch (body.kind) {
    case "json":
      return "application/json";
    case "text":
      return "text/plain; charset=utf-8";
    case "bytes":
    case "endless":
    case "trickle":
      return "application/octet-stream";
    case "sse":
      return "text/event-stream";
    default: {
      const _x: never = body;
      return _x;
    }
  }
}

/** Options for {@linkcode renderBody}. */
export interface RenderOptions {
  /** stop producing (stream closes) when one of these aborts: scenario released, server closed */
  stop: readonly AbortSignal[];
  /** the request's `Last-Event-ID`, parsed (0 if absent or invalid) */
  lastEventId: number;
}

/**
 * The response body for a scripted body.
 *
 * @returns a string (json/text) or a stream (everything else)
 */
export function renderBody(body: Body, opts: RenderOptions): string | ReadableStream<Uint8Array> {
  switch (body.kind) {
    case "json":
      return JSON.stringify(body.value === undefined ? null : body.value);
    case "text":
      return body.value;
    case "bytes": {
      const fill = body.fill || "a";
      const fillLen = encoder.encode(fill).length;
      // a whole number of fill patterns per chunk keeps the pattern aligned across chunks
      const chunk = repeatFill(fill, Math.max(fillLen, CHUNK - (CHUNK % fillLen)));
      let left = body.size;
      return producerStream(opts.stop, () => {
        if (left <= 0) return null;
        const n = Math.min(left, chunk.length);
        left -= n;
        return chunk.slice(0, n);
      });
    }
    case "endless": {
      const chunk = repeatFill("a", body.chunk_bytes ?? CHUNK);
      return producerStream(opts.stop, () => chunk.slice());
    }
    case "trickle": {
      let left = body.bytes ?? Infinity;
      const interval = body.interval_ms;
      return producerStream(opts.stop, async (signals) => {
        if (left <= 0) return null;
        if (!await wait(interval, signals)) return null;
        left--;
        return encoder.encode("a");
      });
    }
    case "sse": {
      const events = body.events ?? [];
      const endless = body.endless ?? false;
      const interval = body.interval_ms ?? 250;
      let seq = opts.lastEventId;
      let i = 0;
      return producerStream(opts.stop, async (signals) => {
        let data: unknown;
        if (i < events.length) {
          data = events[i++];
        } else if (endless) {
          if (!await wait(interval, signals)) return null;
          data = { seq: seq + 1 };
        } else {
          return null; // the scripted events are out: drop the stream
        }
        seq++;
        const json = JSON.stringify(data === undefined ? null : data);
        return encoder.encode(`id: ${seq}\ndata: ${json}\n\n`);
      });
    }
    default: {
      const _x: never = body;
      return _x;
    }
  }
}
