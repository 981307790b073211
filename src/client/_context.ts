/**
 * What the reference client's stages share: the client's runtime, one attempt's context, a read
 * response, and the abort marker that carries a typed error through an `AbortSignal`.
 *
 * @module
 */
import type { Behaviour } from "./_faults.ts";
import type { Credentials } from "./_credentials.ts";
import type { DebugLog } from "./_log.ts";
import type { ClientConfig, ResolvedTimeouts } from "./_options.ts";
import type { RonError } from "./errors.ts";

/** One client's configuration and services, passed to every stage. */
export interface Runtime {
  /** the resolved options */
  readonly config: ClientConfig;
  /** the fault settings (`config.behaviour`) */
  readonly behaviour: Behaviour;
  /** the HTTP client (TLS settings, connection pool) */
  readonly http: Deno.HttpClient;
  /** the debug log */
  readonly log: DebugLog;
  /** the token and its provider */
  readonly credentials: Credentials;
  /** aborts when the client is closed (the reason is an {@linkcode AbortMarker}) */
  readonly closed: AbortSignal;
}

/** An abort reason carrying the typed error to throw. */
export class AbortMarker {
  /** @param error the error the aborted work ends with */
  constructor(readonly error: RonError) {}
}

/** One attempt of a logical request (or one connection of a stream). */
export interface AttemptContext {
  /** the logical request's method */
  method: string;
  /** the logical request's URL */
  url: URL;
  /** headers of every attempt (without `Authorization`) */
  headers: Record<string, string>;
  /** the body text */
  body: string | undefined;
  /** aborts on total timeout, cancellation or close */
  signal: AbortSignal;
  /** the timeouts that apply */
  timeouts: ResolvedTimeouts;
  /** the `X-Request-ID` */
  requestId: string;
  /** 1-based attempt number */
  attempt: number;
  /** `performance.now()` when the logical request began */
  started: number;
  /** the headers last put on the wire (for the `requestHeadersInErrors` setting only) */
  sent: Record<string, string>;
}

/** A response whose body has been read. */
export interface RawResponse {
  /** HTTP status */
  status: number;
  /** response headers */
  headers: Headers;
  /** the body */
  bytes: Uint8Array;
  /** whether the body was cut short (only with the `acceptTruncated` setting) */
  truncated: boolean;
}

/** Errors that end the request at once, even where their type would be retried. */
const FINAL_ERRORS = new WeakSet<RonError>();

/**
 * Mark an error as final: the retry loop does not retry it.
 *
 * @param e the error
 * @returns `e`
 */
export function final<E extends RonError>(e: E): E {
  FINAL_ERRORS.add(e);
  return e;
}

/**
 * Whether {@linkcode final} marked `e`.
 *
 * @param e the error
 * @returns whether it is final
 */
export function isFinal(e: RonError): boolean {
  return FINAL_ERRORS.has(e);
}

/**
 * Wait `ms`, or reject with the signal's reason when it aborts first.
 *
 * @param ms the delay
 * @param signal ends the wait early
 * @returns when the delay is over
 */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Headers as a plain record (names lower-cased by `Headers`).
 *
 * @param h the headers
 * @returns name → value
 */
export function headersRecord(h: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of h.entries()) out[k] = v;
  return out;
}
