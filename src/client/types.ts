/**
 * The reference client's public types: its options, a request's options and result, and a
 * subscription's options and outcome. Re-exported by `client.ts` (and so by `mod.ts`).
 *
 * @module
 */
import type { RonError } from "./errors.ts";
import type { Secret } from "./secret.ts";
import type { SseEvent } from "./sse.ts";

/** Timeouts of one request, in milliseconds. */
export interface TimeoutOptions {
  /**
   * Connection establishment. `fetch` does not report when the connection is up, so the client waits
   * at most `connectMs + readMs` for the response headers; a fire is reported as phase `read`.
   * @default 3000
   */
  connectMs?: number;
  /**
   * Time to the response headers (after `connectMs`), and the longest idle gap between two body
   * chunks.
   * @default 10000
   */
  readMs?: number;
  /**
   * The whole logical request: every attempt, the backoff sleeps between them and the body.
   * @default 30000
   */
  totalMs?: number;
}

/** Audit headers (`X-Audit-Actor`, `X-Audit-Reason`, `X-Audit-Tenant`) for `ron-audit` (seed 000 §9). */
export interface AuditContext {
  /** who acts; sent as `X-Audit-Actor` */
  actor?: string;
  /** why; sent as `X-Audit-Reason` */
  reason?: string;
  /** on whose behalf; sent as `X-Audit-Tenant` */
  tenant?: string;
}

/** Returns the current token; called once per attempt, so it may rotate at any time. */
export type TokenProvider = () => string | Secret | Promise<string | Secret>;

/** One structured debug-log entry. Headers and bodies are already redacted when a logger sees them. */
export interface LogEntry {
  /** what happened */
  event: "request" | "response" | "retry" | "error" | "sse";
  /** the logical request's `X-Request-ID` */
  request_id: string;
  /** HTTP method */
  method: string;
  /** the URL (query redacted) */
  url: string;
  /** 1-based attempt number */
  attempt: number;
  /** response status */
  status?: number;
  /** ms since the logical request began */
  duration_ms?: number;
  /** headers, sensitive values replaced by `[REDACTED]` */
  headers?: Record<string, string>;
  /** body text (first 2 KiB), cap-like values and the current token redacted */
  body?: string;
  /** delay before the next attempt */
  delay_ms?: number;
  /** error type or reason */
  reason?: string;
}

/** Options of {@linkcode RonClient}. */
export interface RonClientOptions {
  /** Base URL, e.g. `https://api.example.com/v1`. Must be `https://` unless `allowInsecureHttp`. */
  baseUrl: string;
  /** The capability token (sent only as `Authorization: Bearer …`). @default undefined (no auth) */
  token?: string | Secret;
  /** Called once per attempt for the current token (wins over `token`). @default undefined */
  tokenProvider?: TokenProvider;
  /** Allow an `http://` base URL. **Dev only; never do this in production.** @default false */
  allowInsecureHttp?: boolean;
  /** An extra trusted CA (PEM), e.g. corporate PKI. Verification stays on. @default undefined */
  caCertPem?: string;
  /**
   * Post-quantum TLS mode (seed 000 §9). `"hybrid"`: connect only with a hybrid post-quantum key
   * exchange (X25519MLKEM768) available. The client cannot choose TLS key-exchange groups itself
   * (`Deno.createHttpClient` has no such option): it relies on the runtime's TLS, which in Deno
   * (rustls) offers X25519MLKEM768 in every handshake (measured on Deno 2.9.6 against the kit's
   * `tools/pq_server`), so `"off"` offers it too. `sdk.tls.pq-hybrid` proves it on every run.
   * @default "off"
   */
  tlsPqMode?: "off" | "hybrid";
  /** Per-client timeouts (each overridable per call). @default { connectMs: 3000, readMs: 10000, totalMs: 30000 } */
  timeouts?: TimeoutOptions;
  /** Retries after the first attempt (only for retryable requests). @default 3 */
  maxRetries?: number;
  /** A `Retry-After` longer than this fails fast instead of sleeping. @default 30000 */
  retryAfterCapMs?: number;
  /** Response body limit, enforced while streaming. @default 16777216 (16 MiB) */
  maxResponseBytes?: number;
  /** Requests in flight at once for this client (SSE streams excluded). @default undefined (no limit) */
  maxConcurrency?: number;
  /** Log every request/response/retry (redacted) to `logger`. @default false */
  debug?: boolean;
  /** More header names to redact in logs. @default [] */
  redactHeaderNames?: string[];
  /** Extra redaction applied to every logged body/URL after the built-in one (e.g. PII). @default identity */
  redact?: (text: string) => string;
  /** Receives debug entries. @default writes JSON lines to `console.error` */
  logger?: (entry: LogEntry) => void;
}

/** Options of {@linkcode RonClient.request}. */
export interface RequestOptions {
  /** HTTP method (any case). */
  method: string;
  /** Path relative to the base URL (no scheme/host). */
  path: string;
  /** Query parameters. @default {} */
  query?: Record<string, string | number | boolean | readonly string[]>;
  /** A JSON body (sent with `Content-Type: application/json`). @default undefined */
  json?: unknown;
  /** Attach a fresh UUID v4 `Idempotency-Key` to a write so it may be retried. @default false */
  idempotent?: boolean;
  /** Send this `Idempotency-Key` verbatim (the write becomes retryable). @default undefined */
  idempotencyKey?: string;
  /** Audit headers. @default undefined */
  auditContext?: AuditContext;
  /** Cancels the request (→ `RonCancelledError`). @default undefined */
  signal?: AbortSignal;
  /** Per-call timeout overrides. @default the client's */
  timeouts?: TimeoutOptions;
}

/** A successful (non-error) response. */
export interface RonResponse {
  /** HTTP status (< 400) */
  status: number;
  /** parsed JSON body, when the body is JSON */
  json?: unknown;
  /** body text, when it is not JSON (e.g. `text/plain`) */
  text?: string;
  /** response headers, names lower-cased */
  headers: Record<string, string>;
  /** the request's `X-Request-ID` */
  requestId: string;
}

/** Options of {@linkcode RonClient.subscribe} / {@linkcode RonClient.stream}. */
export interface SubscribeOptions {
  /** Stop after this many events. @default unlimited for `stream()`, 1000 for `subscribe()` */
  maxEvents?: number;
  /** Stop after this long. @default 60000 */
  maxDurationMs?: number;
  /** Reconnects of a dropped stream (with backoff and `Last-Event-ID`). @default 3 */
  maxReconnects?: number;
  /** Cancels the subscription (ends with `error` / `RonCancelledError`). @default undefined */
  signal?: AbortSignal;
  /** Query parameters. @default {} */
  query?: Record<string, string | number | boolean | readonly string[]>;
}

/** How a subscription ended. */
export type SubscriptionEnd = "max_events" | "max_duration" | "closed" | "error";

/** The outcome of a subscription (the return value of `stream()`). */
export interface SubscriptionOutcome {
  /** why it ended */
  end: SubscriptionEnd;
  /** the error, when `end` is `error` */
  error?: RonError;
  /** how many times the stream was reconnected */
  reconnects: number;
}

/** The result of {@linkcode RonClient.subscribe}. */
export interface SubscriptionResult extends SubscriptionOutcome {
  /** every event received, at most `maxEvents` */
  events: SseEvent[];
}
