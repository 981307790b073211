/**
 * The reference server's parts for the `svc.chaos.*` checks: a never-ending SSE route whose queue is
 * bounded (a subscriber that leaves no room for `backpressureMs` is dropped; the
 * `unbounded-sse-queue` mutant queues without bound and drops no one), and the body reader of the
 * `non-atomic-write` mutant (it hands over the item's name as soon as that has arrived).
 *
 * @module
 */

const enc = new TextEncoder();

/** Events a subscriber's queue holds before the route waits (SSE_QUEUE_MAXSIZE). */
export const SSE_QUEUE_MAX = 8;
/** The live route's pace: one event of ~16 KiB every 4 ms (~4 MB/s, enough to fill the buffers fast). */
const EVERY_MS = 4;
const PAD = "x".repeat(16 * 1024);

/**
 * A never-ending SSE response: an event every few ms while the subscriber's queue has room.
 *
 * @param opts the backpressure timeout, and the mutant's switch
 * @returns the response
 * @example
 * ```ts
 * import { liveEvents } from "./_chaos_routes.ts";
 * const r = liveEvents({ backpressureMs: 1000, unbounded: false });
 * const reader = r.body!.getReader();
 * const first = await reader.read();
 * await reader.cancel();
 * if (!new TextDecoder().decode(first.value).startsWith("id: 1")) throw new Error();
 * ```
 */
export function liveEvents(opts: { backpressureMs: number; unbounded: boolean }): Response {
  let timer: ReturnType<typeof setInterval> | undefined;
  let n = 0;
  const body = new ReadableStream<Uint8Array>({
    start(ctl) {
      let roomAt = performance.now();
      const tick = () => {
        const room = (ctl.desiredSize ?? 0) > 0;
        if (room || opts.unbounded) {
          n++;
          ctl.enqueue(enc.encode(`id: ${n}\nevent: tick\ndata: {"n":${n},"pad":"${PAD}"}\n\n`));
          if (room) roomAt = performance.now();
        } else if (performance.now() - roomAt > opts.backpressureMs) {
          clearInterval(timer);
          // Deno.serve prints the stream's error as it drops the connection: one plain line, no stack
          ctl.error(
            `reference server: dropped an SSE subscriber whose queue had no room for ${opts.backpressureMs} ms`,
          );
        }
      };
      tick();
      timer = setInterval(tick, EVERY_MS);
    },
    cancel() {
      clearInterval(timer);
    },
  }, new CountQueuingStrategy({ highWaterMark: SSE_QUEUE_MAX }));
  return new Response(body, {
    status: 200,
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      "x-accel-buffering": "no",
    },
  });
}

/**
 * Read a request body, calling `onName` once the JSON's `"name"` string has arrived whole (the
 * `non-atomic-write` mutant stores the item then, before the rest of the body is read).
 *
 * @param req the request
 * @param max the most bytes read
 * @param onName called at most once, with the name
 * @returns the whole body text
 * @throws when the body fails (the client went away) or exceeds `max`
 */
export async function readBodyEarly(
  req: Request,
  max: number,
  onName: (name: string) => void,
): Promise<string> {
  const reader = req.body?.getReader();
  if (!reader) return "";
  const dec = new TextDecoder();
  let text = "";
  let named = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += dec.decode(value, { stream: true });
    if (text.length > max) {
      await reader.cancel();
      throw new Error("body too large");
    }
    const m = named ? null : /"name"\s*:\s*"([^"\\]{1,100})"/.exec(text);
    if (m) {
      named = true;
      onName(m[1] ?? "");
    }
  }
  return text;
}
