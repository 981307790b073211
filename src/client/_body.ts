/**
 * Body-reading stage of the reference client: read a response body under the size cap (enforced
 * while streaming) and the read timeout (the idle gap between chunks; the whole body when a small
 * declared one is read in one call), ending early when the request is aborted.
 *
 * @module
 */
import { AbortMarker, type AttemptContext, type RawResponse, type Runtime } from "./_context.ts";
import { LOG_BODY_CHARS } from "./_log.ts";
import { abortConnection } from "./_transport.ts";
import { RonError, RonNetworkError, RonTimeoutError, RonTooLargeError } from "./errors.ts";

/** Declared bodies up to this size are read in one call (no per-chunk idle timer). */
const FAST_BODY_BYTES = 256 * 1024;
const CLOSED_EARLY = "network error: connection closed before the response ended";

/** Races reads against the request's abort and a read timer. */
interface AbortRace {
  /** `read`'s value, or a rejection with the abort's reason (an {@linkcode AbortMarker} on timeout) */
  race<T>(read: Promise<T>): Promise<T>;
  /** stop listening to the request's signal */
  dispose(): void;
}

/**
 * THE abort race of body reading: every read of one body races the request's signal and a fresh
 * `readMs` timer; once either fires, every later read rejects at once.
 */
function abortRace(signal: AbortSignal, readMs: number | undefined): AbortRace {
  const local = new AbortController();
  const onAbort = () => local.abort(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  const aborted = new Promise<never>((_, reject) => {
    local.signal.addEventListener("abort", () => reject(local.signal.reason), { once: true });
  });
  aborted.catch(() => {});
  return {
    async race<T>(read: Promise<T>): Promise<T> {
      const timer = readMs === undefined
        ? undefined
        : setTimeout(() => local.abort(new AbortMarker(new RonTimeoutError("read", readMs))), readMs);
      try {
        return await Promise.race([read, aborted]);
      } finally {
        if (timer !== undefined) clearTimeout(timer);
      }
    },
    dispose() {
      // no `local.abort()` here: an abort without a reason builds a DOMException (a stack trace) and
      // runs the listeners, the largest single cost of a small request in the profile; after
      // dispose no read races any more, and `aborted` (already caught) is simply dropped.
      signal.removeEventListener("abort", onAbort);
    },
  };
}

/**
 * The one read of a small declared body, raced against the request's signal and a `readMs` timer,
 * settling like {@linkcode abortRace}'s `race` (the signal's reason, or an {@linkcode AbortMarker} on
 * timeout) without its controller, second promise and `Promise.race`.
 */
function raceOnce<T>(read: Promise<T>, signal: AbortSignal, readMs: number | undefined): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const settle = () => {
      if (timer !== undefined) clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    };
    const onAbort = () => {
      settle();
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    if (readMs !== undefined) {
      timer = setTimeout(() => {
        timer = undefined;
        settle();
        reject(new AbortMarker(new RonTimeoutError("read", readMs)));
      }, readMs);
    }
    read.then((v) => {
      settle();
      resolve(v);
    }, (e) => {
      settle();
      reject(e);
    });
  });
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!; // the one chunk of a small body: no copy
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}

/**
 * Read a response's body within the limits, and log the response.
 *
 * @param rt the client's runtime
 * @param res the response, body unread
 * @param ctx the attempt (its signal and read timeout)
 * @returns status, headers and body bytes
 * @throws RonTooLargeError above the size cap; RonTimeoutError when a read outlasts `readMs`;
 *   RonNetworkError for a body cut short; the abort's typed error when the request ends meanwhile
 */
export async function readBody(rt: Runtime, res: Response, ctx: AttemptContext): Promise<RawResponse> {
  const { behaviour } = rt;
  const limit = rt.config.maxResponseBytes;
  const declared = res.headers.get("content-length");
  const declaredLength = declared !== null && /^\d+$/.test(declared) ? Number(declared) : undefined;
  if (declaredLength !== undefined && declaredLength > limit) {
    await res.body?.cancel().catch(() => {});
    throw new RonTooLargeError(limit, res.status);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  let truncated = false;
  if (res.body) {
    // A small declared body is read in one call (the runtime enforces Content-Length, so it cannot
    // exceed the limit checked above), and `readMs` bounds all of it; any other is read chunk by chunk.
    const whole = behaviour.smallBodyFastPath && declaredLength !== undefined &&
      declaredLength <= FAST_BODY_BYTES;
    const reader = whole ? undefined : res.body.getReader();
    const race = reader === undefined ? undefined : abortRace(ctx.signal, ctx.timeouts.readMs);
    const add = (chunk: Uint8Array) => {
      total += chunk.byteLength;
      if (total > limit) throw new RonTooLargeError(limit, res.status);
      chunks.push(chunk);
    };
    try {
      if (reader === undefined) {
        const bytes = res.arrayBuffer();
        bytes.catch(() => {});
        add(new Uint8Array(await raceOnce(bytes, ctx.signal, ctx.timeouts.readMs)));
      } else {
        for (;;) {
          const r = await race!.race(reader.read());
          if (r.done) break;
          add(r.value);
          if (!behaviour.readWholeBody) break;
        }
        if (
          declaredLength !== undefined && res.headers.get("content-encoding") === null &&
          total < declaredLength && behaviour.readWholeBody
        ) {
          throw new RonNetworkError(CLOSED_EARLY);
        }
      }
    } catch (err) {
      if (err instanceof AbortMarker) {
        // an unfinished arrayBuffer() cannot be cancelled: abort the connection instead
        if (reader === undefined) abortConnection(res, err);
        throw err.error;
      }
      if (err instanceof RonTooLargeError) throw err;
      if (behaviour.acceptTruncated) truncated = true;
      else if (err instanceof RonError) throw err;
      else throw new RonNetworkError(CLOSED_EARLY);
    } finally {
      race?.dispose();
      await reader?.cancel().catch(() => {});
    }
  }
  const raw: RawResponse = {
    status: res.status,
    headers: res.headers,
    bytes: concat(chunks, total),
    truncated,
  };
  rt.log.log(() => ({
    event: "response",
    request_id: ctx.requestId,
    method: ctx.method,
    url: rt.log.text(ctx.url.href),
    attempt: ctx.attempt,
    status: res.status,
    duration_ms: Math.round(performance.now() - ctx.started),
    headers: rt.log.headers(res.headers),
    body: rt.log.text(new TextDecoder().decode(raw.bytes.subarray(0, LOG_BODY_CHARS))),
  }));
  return raw;
}
