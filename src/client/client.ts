/**
 * `RonClient`: the kit's reference API client. It implements the SDK security checklist (seed 000)
 * on web standards and Deno APIs (`fetch`, `Deno.createHttpClient`), and must pass every `sdk` check.
 *
 * Secure defaults: HTTPS only, TLS verification on, finite connect/read/total timeouts, bounded
 * jittered retries only where safe, a response size cap enforced while streaming, typed errors that
 * never quote the token, headers or raw bodies, and a debug log that redacts credentials.
 *
 * This file is the facade and the retry loop; each stage of a request lives in its own file:
 * options (`_options.ts`), credentials (`_credentials.ts`), transport (`_transport.ts`), body reading
 * (`_body.ts`), response mapping (`_response.ts`) and SSE (`_sse_stream.ts`, `sse.ts`). The stages
 * read {@linkcode Behaviour} settings; `_faults.ts` is the one table that turns a test-only fault
 * name into settings.
 *
 * @module
 */
import { attemptOnce, finishError } from "./_attempt.ts";
import { AbortMarker, type AttemptContext, type Runtime, sleep } from "./_context.ts";
import { Credentials } from "./_credentials.ts";
import type { Behaviour } from "./_faults.ts";
import { DebugLog } from "./_log.ts";
import { envOptions, parseClientOptions, parseRequest, resolveTimeouts } from "./_options.ts";
import { toResponse } from "./_response.ts";
import { Semaphore } from "./_semaphore.ts";
import { openStream } from "./_sse_stream.ts";
import { createHttpClient } from "./_transport.ts";
import { RonCancelledError, RonConfigError, RonNetworkError, RonTimeoutError } from "./errors.ts";
import { backoffDelay, RETRYABLE_STATUSES } from "./retry.ts";
import type { Secret } from "./secret.ts";
import type { SseEvent } from "./sse.ts";
import type {
  RequestOptions,
  RonClientOptions,
  RonResponse,
  SubscribeOptions,
  SubscriptionOutcome,
  SubscriptionResult,
} from "./types.ts";

export type * from "./types.ts";

const BACKOFF_BASE_MS = 100;
const DEFAULT_SUBSCRIBE_MAX_EVENTS = 1_000;

/**
 * The reference client.
 *
 * @example
 * ```ts
 * import { RonClient } from "./client.ts";
 * import { RonInsecureTransportError } from "./errors.ts";
 * let refused = false;
 * try {
 *   new RonClient({ baseUrl: "http://127.0.0.1:1", token: "t" });
 * } catch (e) {
 *   refused = e instanceof RonInsecureTransportError;
 * }
 * if (!refused) throw new Error("http:// must be refused");
 * ```
 */
export class RonClient {
  readonly #rt: Runtime;
  readonly #behaviour: Behaviour;
  readonly #semaphore: Semaphore | undefined;
  readonly #closer = new AbortController();
  readonly #constantKey = crypto.randomUUID();
  #closed = false;

  /**
   * Build a client: validate the options, load the CA, keep the token or its provider.
   *
   * @param options see {@linkcode RonClientOptions}
   * @throws RonInsecureTransportError for an `http://` base URL without `allowInsecureHttp`
   * @throws RonConfigError for an invalid URL or option
   */
  constructor(options: RonClientOptions) {
    const config = parseClientOptions(options);
    this.#behaviour = config.behaviour;
    this.#semaphore = config.maxConcurrency === undefined ? undefined : new Semaphore(config.maxConcurrency);
    const credentials = new Credentials(options.token, options.tokenProvider, config.behaviour);
    this.#rt = {
      config,
      behaviour: config.behaviour,
      http: createHttpClient(config.caCertPem),
      log: new DebugLog(config, () => credentials.secrets()),
      credentials,
      closed: this.#closer.signal,
    };
  }

  /**
   * Build a client from `RON_APP_URL`, `RON_APP_TIMEOUT` (seconds → `timeouts.totalMs`) and
   * `RON_APP_TOKEN`, with `overrides` on top.
   *
   * @param overrides options that win over the environment
   * @returns a client
   * @throws RonConfigError when `RON_APP_URL` is missing or `RON_APP_TIMEOUT` is not a positive number
   */
  static fromEnv(overrides: Partial<RonClientOptions> = {}): RonClient {
    return new RonClient(envOptions(overrides));
  }

  /** Whether `close()` (or `zeroize()`) ran. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Replace the static token; later attempts send the new one (in-flight attempts keep theirs).
   *
   * @param token the new token
   */
  rotateToken(token: string | Secret): void {
    this.#ensureOpen();
    this.#rt.credentials.rotate(token);
  }

  /**
   * Close the client: in-flight requests fail, later ones throw `RonConfigError("client closed")`
   * without sending anything, token references are dropped, connections closed.
   */
  close(): void {
    if (!this.#behaviour.honourClose) return;
    if (this.#closed) return;
    this.#closed = true;
    this.#closer.abort(new AbortMarker(new RonConfigError("client closed")));
    this.#rt.credentials.drop();
    try {
      this.#rt.http.close();
    } catch { /* already closed */ }
  }

  /**
   * Best-effort zeroization: overwrite the token buffers, drop every reference, and close. JavaScript
   * strings are immutable, so copies made by `reveal()` for headers live until garbage-collected.
   */
  zeroize(): void {
    if (!this.#behaviour.honourClose) return;
    this.#rt.credentials.drop();
    this.close();
  }

  #ensureOpen(): void {
    if (this.#closed) throw new RonConfigError("client closed");
  }

  /**
   * Send one logical request (with bounded, safe retries).
   *
   * Retries: GET/HEAD/OPTIONS/TRACE always may be retried; writes only with an `Idempotency-Key`
   * (`idempotent: true` or `idempotencyKey`). Retried on network errors and 408/425/429/500/502/503/504,
   * never on other 4xx; timeouts are not retried (the total budget stays predictable). Backoff is
   * exponential with jitter (100 ms base, 2 s cap); `Retry-After` on 429/503 is waited at least, and a
   * `Retry-After` above `retryAfterCapMs` (or past the total deadline) fails fast with the response's
   * error. The same `Idempotency-Key` and `X-Request-ID` are sent on every attempt of one request;
   * each new request gets new ones.
   *
   * Redirects (up to 5) are followed by hand: `Authorization` only to the base URL's origin; an
   * `https` → `http` redirect is refused (`RonInsecureTransportError`) and nothing is sent to it.
   *
   * @param opts method, path, body and options
   * @returns status, parsed JSON (or text) and headers of a non-error response
   * @throws RonProblem for an error status with a Problem body; RonTransportError when that body cannot
   *   be parsed; RonTimeoutError, RonNetworkError, RonTooLargeError, RonInsecureTransportError,
   *   RonConfigError, RonCancelledError
   */
  async request(opts: RequestOptions): Promise<RonResponse> {
    this.#ensureOpen();
    const rt = this.#rt;
    const behaviour = this.#behaviour;
    const { method, url, requestId, headers, body, retryable, generatedKey } = parseRequest(
      rt.config,
      opts,
      this.#constantKey,
    );
    const maxRetries = rt.config.maxRetries;
    const timeouts = resolveTimeouts(rt.config, opts.timeouts);
    const started = performance.now();

    const overall = new AbortController();
    const onUserAbort = () => overall.abort(new AbortMarker(new RonCancelledError()));
    const onClose = () => overall.abort(this.#closer.signal.reason);
    opts.signal?.addEventListener("abort", onUserAbort, { once: true });
    this.#closer.signal.addEventListener("abort", onClose, { once: true });
    if (opts.signal?.aborted) onUserAbort();
    const totalMs = timeouts.totalMs;
    const totalTimer = totalMs === undefined ? undefined : setTimeout(
      () => overall.abort(new AbortMarker(new RonTimeoutError("total", totalMs))),
      totalMs,
    );
    const ctx: AttemptContext = {
      method,
      url,
      headers,
      body,
      signal: overall.signal,
      timeouts,
      requestId,
      attempt: 0,
      started,
      sent: {},
    };
    try {
      for (let attempt = 0;; attempt++) {
        if (attempt > 0 && generatedKey && behaviour.idempotencyKey === "per-attempt") {
          headers["idempotency-key"] = crypto.randomUUID();
        }
        ctx.attempt = attempt + 1;
        const outcome = await attemptOnce(rt, this.#semaphore, ctx);
        if (outcome.ok) return toResponse(outcome.raw, requestId, behaviour);
        const { error, status } = outcome;
        const retryStatus = status === undefined
          ? error instanceof RonNetworkError
          : RETRYABLE_STATUSES.includes(status) || (behaviour.retryOn === "any" && status >= 400);
        const mayRetry = behaviour.retryOn !== "never" && retryable && retryStatus && attempt < maxRetries;
        if (!mayRetry) throw error;
        let delay = behaviour.backoff === "none"
          ? 0
          : backoffDelay(attempt, BACKOFF_BASE_MS, behaviour.retryBackoffCapMs);
        const ra = outcome.retryAfterMs;
        if (ra !== undefined && behaviour.retryAfter !== "ignored") {
          if (ra > rt.config.retryAfterCapMs && behaviour.retryAfter === "capped") throw error;
          delay = Math.max(delay, ra);
        }
        const pastDeadline = totalMs !== undefined && performance.now() - started + delay > totalMs;
        if (pastDeadline && !behaviour.retryPastDeadline) throw error;
        rt.log.log(() => ({
          event: "retry",
          request_id: requestId,
          method,
          url: rt.log.text(url.href),
          attempt: attempt + 1,
          delay_ms: delay,
          reason: status === undefined ? error.type : `status ${status}`,
          ...(status === undefined ? {} : { status }),
        }));
        await sleep(delay, overall.signal);
      }
    } catch (err) {
      throw finishError(rt, err, overall.signal, ctx);
    } finally {
      if (totalTimer !== undefined) clearTimeout(totalTimer);
      opts.signal?.removeEventListener("abort", onUserAbort);
      this.#closer.signal.removeEventListener("abort", onClose);
    }
  }

  /**
   * Open an SSE stream and yield its events. The generator's return value says how it ended.
   * Bounded: at most `maxEvents` events (later ones are never buffered), at most `maxDurationMs`,
   * at most `maxReconnects` reconnects (with backoff and `Last-Event-ID`). SSE streams do not take a
   * `maxConcurrency` permit (a long stream must not starve requests).
   *
   * @param path path relative to the base URL
   * @param opts bounds and cancellation
   * @returns an async generator of events, returning a {@linkcode SubscriptionOutcome}
   */
  async *stream(
    path: string,
    opts: SubscribeOptions = {},
  ): AsyncGenerator<SseEvent, SubscriptionOutcome, void> {
    this.#ensureOpen();
    return yield* openStream(this.#rt, path, opts);
  }

  /**
   * Subscribe to an SSE stream and collect its events until a bound is reached.
   *
   * @param path path relative to the base URL
   * @param opts bounds (`maxEvents` defaults to 1000 here so the buffer is bounded)
   * @returns the events and how the subscription ended
   */
  async subscribe(path: string, opts: SubscribeOptions = {}): Promise<SubscriptionResult> {
    const maxEvents = opts.maxEvents ?? DEFAULT_SUBSCRIBE_MAX_EVENTS;
    const events: SseEvent[] = [];
    const gen = this.stream(path, { ...opts, maxEvents });
    for (;;) {
      const r = await gen.next();
      if (r.done) return { ...r.value, events };
      events.push(r.value);
    }
  }
}
