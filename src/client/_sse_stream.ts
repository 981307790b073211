/**
 * SSE stage of the reference client: one bounded subscription (events, duration, reconnects with
 * backoff and `Last-Event-ID`), parsed by {@linkcode SseParser}.
 *
 * @module
 */
import { AbortMarker, type AttemptContext, type Runtime, sleep } from "./_context.ts";
import { readBody } from "./_body.ts";
import { buildUrl, resolveTimeouts, USER_AGENT } from "./_options.ts";
import { toError } from "./_response.ts";
import { fetchOnce, networkError } from "./_transport.ts";
import { RonCancelledError, RonError, RonNetworkError, RonTimeoutError, RonTooLargeError } from "./errors.ts";
import { backoffDelay } from "./retry.ts";
import { type SseEvent, SseParser } from "./sse.ts";
import type { SubscribeOptions, SubscriptionOutcome } from "./types.ts";

const DEFAULT_SSE_MAX_DURATION_MS = 60_000;
const DEFAULT_SSE_MAX_RECONNECTS = 3;
const BACKOFF_BASE_MS = 100;
const BACKOFF_CAP_MS = 2_000;

/**
 * Open an SSE stream and yield its events; the return value says how it ended.
 *
 * @param rt the client's runtime
 * @param path path relative to the base URL
 * @param opts bounds and cancellation
 * @returns an async generator of events, returning a {@linkcode SubscriptionOutcome}
 * @throws RonConfigError for an invalid path
 */
export async function* openStream(
  rt: Runtime,
  path: string,
  opts: SubscribeOptions,
): AsyncGenerator<SseEvent, SubscriptionOutcome, void> {
  const url = buildUrl(rt.config.base, path, opts.query);
  const bounded = rt.behaviour.sseBounded;
  const forever = rt.behaviour.sseReconnects === "forever";
  const maxEvents = bounded ? opts.maxEvents ?? Infinity : Infinity;
  const maxDurationMs = bounded ? opts.maxDurationMs ?? DEFAULT_SSE_MAX_DURATION_MS : undefined;
  const maxReconnects = forever ? Infinity : opts.maxReconnects ?? DEFAULT_SSE_MAX_RECONNECTS;
  const requestId = crypto.randomUUID();
  const timeouts = resolveTimeouts(rt.config, undefined);
  const started = performance.now();
  const durationHit = new AbortMarker(new RonTimeoutError("total", maxDurationMs ?? 0));
  const overall = new AbortController();
  const onUserAbort = () => overall.abort(new AbortMarker(new RonCancelledError()));
  const onClose = () => overall.abort(rt.closed.reason);
  opts.signal?.addEventListener("abort", onUserAbort, { once: true });
  rt.closed.addEventListener("abort", onClose, { once: true });
  if (opts.signal?.aborted) onUserAbort();
  const timer = maxDurationMs === undefined
    ? undefined
    : setTimeout(() => overall.abort(durationHit), maxDurationMs);
  const parser = new SseParser();
  const limit = rt.config.maxResponseBytes;
  let count = 0;
  let reconnects = 0;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const ended = (e: unknown): SubscriptionOutcome => {
    const reason = overall.signal.reason;
    if (overall.signal.aborted && reason === durationHit) return { end: "max_duration", reconnects };
    const error = overall.signal.aborted && reason instanceof AbortMarker
      ? reason.error
      : e instanceof RonError
      ? e
      : networkError(e);
    if (error.correlationId === undefined) error.correlationId = requestId;
    return { end: "error", error, reconnects };
  };
  try {
    for (;;) {
      let failure: unknown = undefined;
      try {
        const authorization = await rt.credentials.authorization();
        const headers: Record<string, string> = {
          "accept": "text/event-stream",
          "cache-control": "no-cache",
          "user-agent": USER_AGENT,
          "x-request-id": requestId,
        };
        if (authorization !== undefined) headers["authorization"] = authorization;
        const lastId = parser.lastEventId;
        if (lastId !== undefined && rt.behaviour.sseResume) headers["last-event-id"] = lastId;
        const ctx: AttemptContext = {
          method: "GET",
          url,
          headers,
          body: undefined,
          signal: overall.signal,
          timeouts,
          requestId,
          attempt: reconnects + 1,
          started,
          sent: headers,
        };
        const res = await fetchOnce(rt, ctx, "GET", url, headers, undefined, 0);
        if (res.status === 204) {
          await res.body?.cancel().catch(() => {});
          return { end: "closed", reconnects };
        }
        if (res.status !== 200) {
          const raw = await readBody(rt, res, ctx);
          const error = raw.status >= 400
            ? toError(raw, requestId, rt.behaviour, rt.credentials.secrets())
            : new RonNetworkError(`unexpected status ${raw.status} for an event stream`);
          return { end: "error", error, reconnects };
        }
        if (res.body === null) throw new RonNetworkError("event stream without a body");
        reader = res.body.getReader();
        const decoder = new TextDecoder();
        parser.resetPartial();
        for (;;) {
          const r = await reader.read();
          if (r.done) break;
          for (const ev of parser.push(decoder.decode(r.value, { stream: true }))) {
            count++;
            yield ev;
            if (count >= maxEvents) return { end: "max_events", reconnects };
          }
          if (parser.pendingSize > limit) {
            return { end: "error", error: new RonTooLargeError(limit, 200), reconnects };
          }
        }
        rt.log.log(() => ({
          event: "sse",
          request_id: requestId,
          method: "GET",
          url: rt.log.text(url.href),
          attempt: reconnects + 1,
          reason: "stream closed",
        }));
      } catch (err) {
        if (overall.signal.aborted) return ended(err);
        if (err instanceof RonError && !(err instanceof RonNetworkError)) return ended(err);
        failure = err;
      } finally {
        await reader?.cancel().catch(() => {});
        reader = undefined;
      }
      if (reconnects >= maxReconnects) {
        return failure === undefined ? { end: "closed", reconnects } : ended(failure);
      }
      const delay = forever ? 10 + Math.random() * 40 : Math.max(
        backoffDelay(reconnects, BACKOFF_BASE_MS, BACKOFF_CAP_MS),
        Math.min(parser.retryMs ?? 0, BACKOFF_CAP_MS),
      );
      reconnects++;
      try {
        await sleep(delay, overall.signal);
      } catch (err) {
        return ended(err);
      }
    }
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    opts.signal?.removeEventListener("abort", onUserAbort);
    rt.closed.removeEventListener("abort", onClose);
    overall.abort();
    await reader?.cancel().catch(() => {});
  }
}
