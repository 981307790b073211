/**
 * One attempt of a request through the stages (a concurrency permit, transport, body reading,
 * response mapping), and the error a request ends with. The retry loop in `client.ts` drives them.
 *
 * @module
 */
import { AbortMarker, type AttemptContext, isFinal, type RawResponse, type Runtime } from "./_context.ts";
import { readBody } from "./_body.ts";
import { toError, withSentHeaders } from "./_response.ts";
import type { Semaphore } from "./_semaphore.ts";
import { fetchFollowing, networkError } from "./_transport.ts";
import { RonError, RonNetworkError } from "./errors.ts";
import { parseRetryAfter, RETRY_AFTER_STATUSES } from "./retry.ts";

/** How one attempt ended: a response below 400, or an error the retry loop may retry. */
export type AttemptOutcome =
  | { ok: true; raw: RawResponse }
  | { ok: false; error: RonError; status?: number; retryAfterMs?: number };

/**
 * One attempt, following redirects. Never throws for an HTTP status.
 *
 * @param rt the client's runtime
 * @param semaphore the client's concurrency bound, if any
 * @param ctx the attempt
 * @returns the read response, or a retry candidate (network error or error status)
 * @throws the errors that end the request at once (timeouts, cancellation, refused transport, …)
 */
export async function attemptOnce(
  rt: Runtime,
  semaphore: Semaphore | undefined,
  ctx: AttemptContext,
): Promise<AttemptOutcome> {
  let release: (() => void) | undefined;
  try {
    if (semaphore) release = await semaphore.acquire(ctx.signal);
    const raw = await readBody(rt, await fetchFollowing(rt, ctx), ctx);
    if (raw.status < 400) return { ok: true, raw };
    const error = toError(raw, ctx.requestId, rt.behaviour, rt.credentials.secrets());
    const out: AttemptOutcome = { ok: false, error, status: raw.status };
    if (RETRY_AFTER_STATUSES.includes(raw.status)) {
      const ra = parseRetryAfter(raw.headers.get("retry-after"));
      if (ra !== undefined) out.retryAfterMs = ra;
    }
    return out;
  } catch (err) {
    if (err instanceof TypeError && rt.behaviour.crashOnUnknownProblemField && !ctx.signal.aborted) throw err;
    if (ctx.signal.aborted) throw ctx.signal.reason instanceof AbortMarker ? ctx.signal.reason.error : err;
    if (err instanceof AbortMarker) return { ok: false, error: err.error };
    if (err instanceof RonNetworkError && !isFinal(err)) return { ok: false, error: err };
    if (err instanceof RonError) throw err;
    const error = networkError(err);
    if (error instanceof RonNetworkError) return { ok: false, error };
    throw error;
  } finally {
    release?.();
  }
}

/**
 * The error a request ends with: typed, correlated with the request, logged.
 *
 * @param rt the client's runtime
 * @param err what the retry loop caught
 * @param signal the request's signal (its reason names a timeout, cancellation or close)
 * @param ctx the last attempt
 * @returns the error to throw
 */
export function finishError(rt: Runtime, err: unknown, signal: AbortSignal, ctx: AttemptContext): unknown {
  const { behaviour } = rt;
  let error: unknown = err;
  if (err instanceof AbortMarker) error = err.error;
  else if (
    !(err instanceof RonError) && !(err instanceof TypeError && behaviour.crashOnUnknownProblemField)
  ) {
    error = signal.reason instanceof AbortMarker ? signal.reason.error : networkError(err);
  }
  if (error instanceof RonError) {
    if (error.correlationId === undefined) error.correlationId = ctx.requestId;
    const type = error.type;
    if (behaviour.requestHeadersInErrors) error = withSentHeaders(error, ctx.sent);
    rt.log.log(() => ({
      event: "error",
      request_id: ctx.requestId,
      method: ctx.method,
      url: rt.log.text(ctx.url.href),
      attempt: ctx.attempt,
      duration_ms: Math.round(performance.now() - ctx.started),
      reason: type,
    }));
  }
  return error;
}
