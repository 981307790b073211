/**
 * Retry policy of the reference client: which requests and statuses are retried, the backoff, and
 * `Retry-After` parsing.
 *
 * @module
 */

/** Methods that are safe to retry without an idempotency key (seed 000 §2.3). */
export const IDEMPOTENT_METHODS: readonly string[] = ["GET", "HEAD", "OPTIONS", "TRACE"];

/** Statuses that are retried (when the request may be retried at all). */
export const RETRYABLE_STATUSES: readonly number[] = [408, 425, 429, 500, 502, 503, 504];

/** Statuses whose `Retry-After` is honoured. */
export const RETRY_AFTER_STATUSES: readonly number[] = [429, 503];

/**
 * Whether a request may be retried at all: idempotent methods always, writes only with an
 * `Idempotency-Key`.
 *
 * @param method HTTP method (any case)
 * @param hasIdempotencyKey whether the request carries an `Idempotency-Key`
 * @returns true when retries are allowed
 * @example
 * ```ts
 * import { isRetryableRequest } from "./retry.ts";
 * if (!isRetryableRequest("GET", false) || isRetryableRequest("POST", false)) throw new Error();
 * if (!isRetryableRequest("POST", true)) throw new Error();
 * ```
 */
export function isRetryableRequest(method: string, hasIdempotencyKey: boolean): boolean {
  return IDEMPOTENT_METHODS.includes(method.toUpperCase()) || hasIdempotencyKey;
}

/**
 * Exponential backoff with "full jitter" (seed 000 §2.3): a uniformly random wait in
 * `[0, min(cap, base * 2^attempt)]`, so the ceiling grows with each attempt and two clients pick
 * different delays (no synchronised retry storms).
 *
 * @param attempt 0 for the wait before the first retry
 * @param baseMs base delay (100 ms in the client)
 * @param capMs maximum delay (2000 ms in the client)
 * @param random a source of [0, 1) (defaults to `Math.random`)
 * @returns the delay in ms
 * @example
 * ```ts
 * import { backoffDelay } from "./retry.ts";
 * const d = backoffDelay(1, 100, 2000);
 * if (d < 0 || d > 200) throw new Error(String(d));
 * ```
 */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(random() * ceiling);
}

/**
 * Parse a `Retry-After` value (delta seconds or an HTTP date).
 *
 * @param value the header value, or null
 * @param now the current time in ms since the epoch
 * @returns the delay in ms (>= 0), or undefined when absent or unparseable
 * @example
 * ```ts
 * import { parseRetryAfter } from "./retry.ts";
 * if (parseRetryAfter("2", 0) !== 2000) throw new Error();
 * if (parseRetryAfter(new Date(10_000).toUTCString(), 4_000) !== 6000) throw new Error();
 * if (parseRetryAfter("soon", 0) !== undefined) throw new Error();
 * ```
 */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
