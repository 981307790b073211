/**
 * `RonClient`: the kit's reference API client. It implements the SDK security checklist (seed 000)
 * on web standards and Deno APIs (`fetch`, `Deno.createHttpClient`), and must pass every `sdk` check.
 *
 * Secure defaults: HTTPS only, TLS verification on, finite connect/read/total timeouts, bounded
 * jittered retries only where safe, a response size cap enforced while streaming, typed errors that
 * never quote the token, headers or raw bodies, and a debug log that redacts credentials.
 *
 * @module
 */
import { parseProblem } from "../schema/problem.ts";
import { type ClientFault, FAULT, GLOBAL_TOKEN_FILE } from "./_faults.ts";
import { Semaphore } from "./_semaphore.ts";
import {
  RonCancelledError,
  RonConfigError,
  RonError,
  RonInsecureTransportError,
  RonNetworkError,
  RonProblem,
  RonTimeoutError,
  RonTooLargeError,
  RonTransportError,
  type TimeoutPhase,
} from "./errors.ts";
import { redactDeep, redactHeaders, redactText } from "./redact.ts";
import {
  backoffDelay,
  IDEMPOTENT_METHODS,
  isRetryableRequest,
  parseRetryAfter,
  RETRY_AFTER_STATUSES,
  RETRYABLE_STATUSES,
} from "./retry.ts";
import { Secret } from "./secret.ts";
import { type SseEvent, SseParser } from "./sse.ts";

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
  /** Post-quantum TLS mode. `"hybrid"` is reserved and rejected for now. @default "off" */
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
  /** INTERNAL, test-only: the mutation matrix's one-fault switch. Never set it. @default undefined */
  [FAULT]?: ClientFault;
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

const DEFAULT_TIMEOUTS = { connectMs: 3_000, readMs: 10_000, totalMs: 30_000 } as const;
const DEFAULT_MAX_RETRIES = 3;
const DEFAULT_RETRY_AFTER_CAP_MS = 30_000;
const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
const DEFAULT_SSE_MAX_DURATION_MS = 60_000;
const DEFAULT_SSE_MAX_RECONNECTS = 3;
const DEFAULT_SUBSCRIBE_MAX_EVENTS = 1_000;
const BACKOFF_BASE_MS = 100;
const BACKOFF_CAP_MS = 2_000;
const MAX_REDIRECTS = 5;
/** Declared bodies up to this size are read in one call (no per-chunk idle timer). */
const FAST_BODY_BYTES = 256 * 1024;
const LOG_BODY_CHARS = 2_048;
const REDIRECT_STATUSES = [301, 302, 303, 307, 308];
const CANONICAL_PROBLEM_KEYS = ["code", "kind", "message", "correlation_id", "details"];
const USER_AGENT = "ron-kit-reference-client/0.1";

/** The controller of each response's fetch, so a body timeout can abort the connection itself. */
const FETCH_ABORT = new WeakMap<Response, AbortController>();

/** Errors that end the request at once, even where their type would be retried. */
const FINAL_ERRORS = new WeakSet<RonError>();

function final<E extends RonError>(e: E): E {
  FINAL_ERRORS.add(e);
  return e;
}

/** The token of the last configured instance, used only by the `global-token` fault. */
let faultGlobalToken: string | undefined;

/** An abort reason carrying the typed error to throw. */
class AbortMarker {
  constructor(readonly error: RonError) {}
}

interface ResolvedTimeouts {
  connectMs?: number;
  readMs?: number;
  totalMs?: number;
}

interface RawResponse {
  status: number;
  headers: Headers;
  bytes: Uint8Array;
  truncated: boolean;
}

interface AttemptContext {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string | undefined;
  signal: AbortSignal;
  timeouts: ResolvedTimeouts;
  requestId: string;
  attempt: number;
  started: number;
  /** the headers last put on the wire (for the `request-in-error` fault only) */
  sent: Record<string, string>;
}

type AttemptOutcome =
  | { ok: true; raw: RawResponse }
  | { ok: false; error: RonError; status?: number; retryAfterMs?: number };

function sleep(ms: number, signal: AbortSignal): Promise<void> {
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

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}

function headersRecord(h: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of h.entries()) out[k] = v;
  return out;
}

function looksTruncated(text: string): boolean {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (const ch of text) {
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === "\\") escaped = true;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "{" || ch === "[") depth++;
    else if (ch === "}" || ch === "]") depth--;
  }
  return inString || depth > 0;
}

/** Classify a network failure without quoting the underlying message (it may carry the URL). */
function networkError(err: unknown): RonError {
  const text = err instanceof Error ? `${err.name} ${err.message} ${String(err.cause ?? "")}` : String(err);
  if (
    /certificate|UnknownIssuer|InvalidCertificate|invalid peer|self[- ]signed|NotValidForName/i.test(text)
  ) {
    return new RonInsecureTransportError("TLS: the server certificate is not trusted");
  }
  if (/refused/i.test(text)) return new RonNetworkError("network error: connection refused");
  if (/reset/i.test(text)) return new RonNetworkError("network error: connection reset");
  if (/dns|resolve|lookup/i.test(text)) return new RonNetworkError("network error: host not found");
  if (/incomplete|closed|eof|body/i.test(text)) {
    return new RonNetworkError("network error: connection closed before the response ended");
  }
  return new RonNetworkError("network error: the request could not be completed");
}

function hasCrLf(value: string): boolean {
  return /[\r\n\0]/.test(value);
}

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
  readonly #base: URL;
  readonly #fault: ClientFault | undefined;
  #token: Secret | undefined;
  #provider: TokenProvider | undefined;
  #providerCache: string | undefined;
  #lastProvided: Secret | undefined;
  readonly #allowHttp: boolean;
  readonly #http: Deno.HttpClient;
  readonly #timeouts: TimeoutOptions;
  readonly #maxRetries: number;
  readonly #retryAfterCapMs: number;
  readonly #maxResponseBytes: number;
  readonly #semaphore: Semaphore | undefined;
  readonly #debug: boolean;
  readonly #redactNames: string[];
  readonly #redactHook: ((text: string) => string) | undefined;
  readonly #logger: (entry: LogEntry) => void;
  readonly #closer = new AbortController();
  readonly #constantKey = crypto.randomUUID();
  #closed = false;

  /**
   * @param options see {@linkcode RonClientOptions}
   * @throws RonInsecureTransportError for an `http://` base URL without `allowInsecureHttp`
   * @throws RonConfigError for an invalid URL or option
   */
  constructor(options: RonClientOptions) {
    this.#fault = options[FAULT];
    let base: URL;
    try {
      base = new URL(options.baseUrl);
    } catch {
      throw new RonConfigError("baseUrl is not a valid URL");
    }
    if (base.username !== "" || base.password !== "") {
      throw new RonConfigError("baseUrl must not carry credentials");
    }
    if (base.search !== "" || base.hash !== "") {
      throw new RonConfigError("baseUrl must not have a query or fragment");
    }
    this.#allowHttp = options.allowInsecureHttp === true || this.#fault === "allow-http";
    if (base.protocol === "http:") {
      if (!this.#allowHttp) {
        throw new RonInsecureTransportError("plain http:// refused; set allowInsecureHttp (dev only)");
      }
    } else if (base.protocol !== "https:") {
      throw new RonConfigError(`unsupported URL scheme ${base.protocol}`);
    }
    if (options.tlsPqMode === "hybrid") throw new RonConfigError('tlsPqMode "hybrid" is not yet supported');
    this.#base = base;
    const nonNeg = (name: string, v: number | undefined, allowZero: boolean): void => {
      if (v === undefined) return;
      if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
        throw new RonConfigError(`${name} must be a ${allowZero ? "non-negative" : "positive"} number`);
      }
    };
    nonNeg("timeouts.connectMs", options.timeouts?.connectMs, false);
    nonNeg("timeouts.readMs", options.timeouts?.readMs, false);
    nonNeg("timeouts.totalMs", options.timeouts?.totalMs, false);
    nonNeg("maxRetries", options.maxRetries, true);
    nonNeg("retryAfterCapMs", options.retryAfterCapMs, true);
    nonNeg("maxResponseBytes", options.maxResponseBytes, false);
    nonNeg("maxConcurrency", options.maxConcurrency, false);
    this.#timeouts = { ...options.timeouts };
    this.#maxRetries = Math.floor(options.maxRetries ?? DEFAULT_MAX_RETRIES);
    this.#retryAfterCapMs = options.retryAfterCapMs ?? DEFAULT_RETRY_AFTER_CAP_MS;
    this.#maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.#semaphore = options.maxConcurrency !== undefined && this.#fault !== "ignore-concurrency"
      ? new Semaphore(Math.floor(options.maxConcurrency))
      : undefined;
    this.#debug = options.debug === true;
    this.#redactNames = [...(options.redactHeaderNames ?? [])];
    this.#redactHook = options.redact;
    this.#logger = options.logger ?? ((entry) => console.error(JSON.stringify(entry)));
    if (options.token !== undefined) {
      this.#token = options.token instanceof Secret
        ? new Secret(options.token.reveal())
        : new Secret(options.token);
    }
    this.#provider = options.tokenProvider;
    if (this.#fault === "global-token" && this.#token) faultGlobalToken = this.#token.reveal();
    if (this.#fault === "global-token-file" && this.#token) {
      try {
        Deno.writeTextFileSync(GLOBAL_TOKEN_FILE, this.#token.reveal());
      } catch { /* best effort: this is a fault */ }
    }
    try {
      this.#http = Deno.createHttpClient(
        options.caCertPem !== undefined ? { caCerts: [options.caCertPem] } : {},
      );
    } catch {
      throw new RonConfigError("caCertPem could not be loaded");
    }
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
    const url = overrides.baseUrl ?? Deno.env.get("RON_APP_URL");
    if (url === undefined || url === "") throw new RonConfigError("RON_APP_URL is not set");
    const opts: RonClientOptions = { ...overrides, baseUrl: url };
    const timeout = Deno.env.get("RON_APP_TIMEOUT");
    if (timeout !== undefined && timeout !== "") {
      const seconds = Number(timeout);
      if (!Number.isFinite(seconds) || seconds <= 0) {
        throw new RonConfigError("RON_APP_TIMEOUT must be a positive number of seconds");
      }
      opts.timeouts = { totalMs: Math.round(seconds * 1000), ...overrides.timeouts };
    }
    const token = Deno.env.get("RON_APP_TOKEN");
    if (opts.token === undefined && opts.tokenProvider === undefined && token !== undefined && token !== "") {
      opts.token = new Secret(token);
    }
    return new RonClient(opts);
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
    const old = this.#token;
    this.#token = token instanceof Secret ? new Secret(token.reveal()) : new Secret(token);
    old?.zeroize();
    if (this.#fault === "global-token") faultGlobalToken = this.#token.reveal();
  }

  /**
   * Close the client: in-flight requests fail, later ones throw `RonConfigError("client closed")`
   * without sending anything, token references are dropped, connections closed.
   */
  close(): void {
    if (this.#fault === "close-noop") return;
    if (this.#closed) return;
    this.#closed = true;
    this.#closer.abort(new AbortMarker(new RonConfigError("client closed")));
    this.#dropSecrets();
    try {
      this.#http.close();
    } catch { /* already closed */ }
  }

  /**
   * Best-effort zeroization: overwrite the token buffers, drop every reference, and close. JavaScript
   * strings are immutable, so copies made by `reveal()` for headers live until garbage-collected.
   */
  zeroize(): void {
    if (this.#fault === "close-noop") return;
    this.#dropSecrets();
    this.close();
  }

  #dropSecrets(): void {
    this.#token?.zeroize();
    this.#token = undefined;
    this.#lastProvided?.zeroize();
    this.#lastProvided = undefined;
    this.#provider = undefined;
    this.#providerCache = undefined;
  }

  #ensureOpen(): void {
    if (this.#closed) throw new RonConfigError("client closed");
  }

  #secrets(): string[] {
    const out: string[] = [];
    if (this.#token && !this.#token.zeroized) out.push(this.#token.reveal());
    if (this.#lastProvided && !this.#lastProvided.zeroized) out.push(this.#lastProvided.reveal());
    return out;
  }

  #redactForLog(text: string): string {
    const out = redactText(text, this.#secrets());
    return this.#redactHook ? this.#redactHook(out) : out;
  }

  /** Log lazily: the entry (and its redaction) is only built in debug mode. */
  #log(make: () => LogEntry): void {
    if (!this.#debug) return;
    try {
      this.#logger(make());
    } catch { /* a logger must never break a request */ }
  }

  #resolveTimeouts(call: TimeoutOptions | undefined): ResolvedTimeouts {
    if (this.#fault === "no-timeout") return {};
    const explicit: TimeoutOptions = { ...this.#timeouts, ...call };
    const out: ResolvedTimeouts = this.#fault === "no-default-timeout"
      ? { ...explicit }
      : { ...DEFAULT_TIMEOUTS, ...explicit };
    if (this.#fault === "idle-timeout-only") delete out.totalMs;
    return out;
  }

  #buildUrl(path: string, query: RequestOptions["query"]): URL {
    if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith("//") || path.includes("\\")) {
      throw new RonConfigError("path must be relative to the base URL");
    }
    const [rawPath = "", rawQuery] = path.split("?", 2);
    const basePath = this.#base.pathname.replace(/\/+$/, "");
    const url = new URL(this.#base.href);
    url.pathname = `${basePath}/${rawPath.replace(/^\/+/, "")}`;
    if (rawQuery !== undefined) url.search = rawQuery;
    if (url.origin !== this.#base.origin) throw new RonConfigError("path must stay on the base URL's origin");
    for (const [k, v] of Object.entries(query ?? {})) {
      if (Array.isArray(v)) { for (const item of v) url.searchParams.append(k, String(item)); }
      else url.searchParams.append(k, String(v));
    }
    return url;
  }

  /** The token for one attempt (one whole value), honouring the token faults. */
  async #currentToken(): Promise<string | undefined> {
    let token: string | undefined;
    if (this.#provider) {
      if (this.#fault === "provider-called-once" && this.#providerCache !== undefined) {
        token = this.#providerCache;
      } else {
        const v = await this.#provider();
        token = v instanceof Secret ? v.reveal() : v;
        if (this.#fault === "provider-called-once") this.#providerCache = token;
        const last = this.#lastProvided;
        if (last === undefined || last.zeroized || last.reveal() !== token) {
          last?.zeroize();
          this.#lastProvided = new Secret(token);
        }
      }
      if (this.#fault === "global-token") faultGlobalToken = token;
      if (this.#fault === "global-token-file") {
        try {
          await Deno.writeTextFile(GLOBAL_TOKEN_FILE, token);
        } catch { /* fault */ }
      }
    } else if (this.#token) {
      token = this.#token.reveal();
    }
    if (this.#closed) throw new RonConfigError("client closed");
    switch (this.#fault) {
      case "global-token":
        return faultGlobalToken ?? token;
      case "global-token-file":
        try {
          return await Deno.readTextFile(GLOBAL_TOKEN_FILE);
        } catch {
          return token;
        }
      case "token-cache-file":
        if (token !== undefined) {
          try {
            const home = Deno.env.get("HOME") ?? ".";
            await Deno.mkdir(`${home}/.ron`, { recursive: true });
            await Deno.writeTextFile(`${home}/.ron/token-cache`, token);
          } catch { /* fault */ }
        }
        return token;
      default:
        return token;
    }
  }

  async #authorization(): Promise<string | undefined> {
    const first = await this.#currentToken();
    if (first === undefined) return undefined;
    if (this.#fault === "torn-rotation") {
      await new Promise((r) => setTimeout(r, 1));
      const second = (await this.#currentToken()) ?? first;
      const half = Math.floor(first.length / 2);
      return `Bearer ${first.slice(0, half)}${second.slice(half)}`;
    }
    return `Bearer ${first}`;
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
    const method = opts.method.toUpperCase();
    if (!/^[A-Z]+$/.test(method)) throw new RonConfigError("invalid HTTP method");
    const url = this.#buildUrl(opts.path, opts.query);
    const requestId = crypto.randomUUID();
    const isWrite = !IDEMPOTENT_METHODS.includes(method);
    let generatedKey = false;
    let idemKey = opts.idempotencyKey;
    if (idemKey === undefined && opts.idempotent === true && isWrite && this.#fault !== "no-idem-key") {
      idemKey = this.#fault === "constant-idem-key" ? this.#constantKey : crypto.randomUUID();
      generatedKey = true;
    }
    if (idemKey !== undefined && (idemKey === "" || hasCrLf(idemKey))) {
      throw new RonConfigError("invalid idempotencyKey");
    }
    const headers: Record<string, string> = {
      "accept": "application/json",
      "user-agent": USER_AGENT,
      "x-request-id": requestId,
    };
    if (idemKey !== undefined) headers["idempotency-key"] = idemKey;
    const audit = opts.auditContext;
    for (
      const [name, value] of [
        ["x-audit-actor", audit?.actor],
        ["x-audit-reason", audit?.reason],
        ["x-audit-tenant", audit?.tenant],
      ] as const
    ) {
      if (value === undefined) continue;
      if (hasCrLf(value)) throw new RonConfigError(`invalid audit value for ${name}`);
      headers[name] = value;
    }
    let body: string | undefined;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers["content-type"] = "application/json";
    }
    const retryable = this.#fault === "retry-writes"
      ? true
      : isRetryableRequest(method, idemKey !== undefined);
    const maxRetries = this.#fault === "retry-forever" ? Infinity : this.#maxRetries;
    const timeouts = this.#resolveTimeouts(opts.timeouts);
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
        if (attempt > 0 && generatedKey && this.#fault === "key-per-attempt") {
          headers["idempotency-key"] = crypto.randomUUID();
        }
        ctx.attempt = attempt + 1;
        const outcome = await this.#attemptOnce(ctx);
        if (outcome.ok) return this.#success(outcome.raw, requestId);
        const { error, status } = outcome;
        const retryStatus = status === undefined
          ? error instanceof RonNetworkError
          : RETRYABLE_STATUSES.includes(status) || (this.#fault === "retry-all" && status >= 400);
        const mayRetry = this.#fault !== "never-retry" && retryable && retryStatus && attempt < maxRetries;
        if (!mayRetry) throw error;
        let delay = this.#fault === "no-backoff" ? 0 : backoffDelay(
          attempt,
          BACKOFF_BASE_MS,
          this.#fault === "retry-forever" ? 200 : BACKOFF_CAP_MS,
        );
        const ra = outcome.retryAfterMs;
        if (ra !== undefined && this.#fault !== "ignore-retry-after") {
          if (ra > this.#retryAfterCapMs && this.#fault !== "obey-any-retry-after") throw error;
          delay = Math.max(delay, ra);
        }
        const pastDeadline = totalMs !== undefined && performance.now() - started + delay > totalMs;
        if (pastDeadline && this.#fault !== "obey-any-retry-after") throw error;
        this.#log(() => ({
          event: "retry",
          request_id: requestId,
          method,
          url: this.#redactForLog(url.href),
          attempt: attempt + 1,
          delay_ms: delay,
          reason: status === undefined ? error.type : `status ${status}`,
          ...(status === undefined ? {} : { status }),
        }));
        await sleep(delay, overall.signal);
      }
    } catch (err) {
      throw this.#finishError(err, overall.signal, ctx);
    } finally {
      if (totalTimer !== undefined) clearTimeout(totalTimer);
      opts.signal?.removeEventListener("abort", onUserAbort);
      this.#closer.signal.removeEventListener("abort", onClose);
    }
  }

  #finishError(err: unknown, signal: AbortSignal, ctx: AttemptContext): unknown {
    let error: unknown = err;
    if (err instanceof AbortMarker) error = err.error;
    else if (!(err instanceof RonError) && !(err instanceof TypeError && this.#fault === "strict-crash")) {
      error = signal.reason instanceof AbortMarker ? signal.reason.error : networkError(err);
    }
    if (error instanceof RonError) {
      if (error.correlationId === undefined) error.correlationId = ctx.requestId;
      const type = error.type;
      if (this.#fault === "request-in-error") error = this.#leakHeaders(error, ctx);
      this.#log(() => ({
        event: "error",
        request_id: ctx.requestId,
        method: ctx.method,
        url: this.#redactForLog(ctx.url.href),
        attempt: ctx.attempt,
        duration_ms: Math.round(performance.now() - ctx.started),
        reason: type,
      }));
    }
    return error;
  }

  /** The `request-in-error` fault: put the sent request headers into the user-visible message. */
  #leakHeaders(error: RonError, ctx: AttemptContext): RonError {
    const suffix = ` (request headers: ${JSON.stringify(ctx.sent)})`;
    if (!(error instanceof RonProblem)) {
      error.message += suffix;
      return error;
    }
    const leaky = new RonProblem(error.status ?? 0, {
      code: error.code,
      kind: error.kind,
      message: error.problemMessage + suffix,
      correlation_id: error.correlationId ?? "",
      details: error.details,
    });
    leaky.correlationId = error.correlationId;
    return leaky;
  }

  /** One attempt, following redirects. Never throws for an HTTP status. */
  async #attemptOnce(ctx: AttemptContext): Promise<AttemptOutcome> {
    let release: (() => void) | undefined;
    try {
      if (this.#semaphore) release = await this.#semaphore.acquire(ctx.signal);
      const raw = await this.#fetchFollowing(ctx);
      if (raw.status < 400) return { ok: true, raw };
      const error = this.#errorFromResponse(raw, ctx.requestId);
      const out: AttemptOutcome = { ok: false, error, status: raw.status };
      if (RETRY_AFTER_STATUSES.includes(raw.status)) {
        const ra = parseRetryAfter(raw.headers.get("retry-after"));
        if (ra !== undefined) out.retryAfterMs = ra;
      }
      return out;
    } catch (err) {
      if (err instanceof TypeError && this.#fault === "strict-crash" && !ctx.signal.aborted) throw err;
      if (ctx.signal.aborted) throw ctx.signal.reason instanceof AbortMarker ? ctx.signal.reason.error : err;
      if (err instanceof AbortMarker) return { ok: false, error: err.error };
      if (err instanceof RonNetworkError && !FINAL_ERRORS.has(err)) return { ok: false, error: err };
      if (err instanceof RonError) throw err;
      const error = networkError(err);
      if (error instanceof RonNetworkError) return { ok: false, error };
      throw error;
    } finally {
      release?.();
    }
  }

  async #fetchFollowing(ctx: AttemptContext): Promise<RawResponse> {
    const authorization = await this.#authorization();
    let url = new URL(ctx.url.href);
    let method = ctx.method;
    let body = ctx.body;
    let sendAuth = true;
    for (let hop = 0;; hop++) {
      const headers: Record<string, string> = { ...ctx.headers };
      if (body === undefined) delete headers["content-type"];
      if (authorization !== undefined && sendAuth) headers["authorization"] = authorization;
      const wireUrl = new URL(url.href);
      if (this.#fault === "token-in-query" && authorization !== undefined) {
        wireUrl.searchParams.set("access_token", authorization.replace(/^Bearer /, ""));
      }
      ctx.sent = headers;
      const res = await this.#fetchOnce(ctx, method, wireUrl, headers, body, hop);
      const location = res.headers.get("location");
      if (!REDIRECT_STATUSES.includes(res.status) || location === null) {
        return await this.#readBody(res, ctx);
      }
      await res.body?.cancel().catch(() => {});
      if (hop >= MAX_REDIRECTS) {
        throw final(new RonNetworkError(`too many redirects (more than ${MAX_REDIRECTS})`));
      }
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw final(new RonNetworkError("redirect to an invalid URL"));
      }
      if (next.protocol !== "https:" && next.protocol !== "http:") {
        throw new RonInsecureTransportError("redirect to an unsupported scheme refused");
      }
      if (url.protocol === "https:" && next.protocol === "http:" && this.#fault !== "follow-downgrade") {
        throw new RonInsecureTransportError("https → http redirect refused");
      }
      if (next.protocol === "http:" && !this.#allowHttp && this.#fault !== "follow-downgrade") {
        throw new RonInsecureTransportError("redirect to plain http:// refused");
      }
      if (
        next.origin !== this.#base.origin && this.#fault !== "auth-on-redirect" &&
        this.#fault !== "follow-downgrade"
      ) {
        sendAuth = false;
      }
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === "POST")) {
        if (method !== "HEAD") method = "GET";
        body = undefined;
      }
      url = next;
    }
  }

  async #fetchOnce(
    ctx: AttemptContext,
    method: string,
    url: URL,
    headers: Record<string, string>,
    body: string | undefined,
    hop: number,
  ): Promise<Response> {
    const { connectMs, readMs } = ctx.timeouts;
    const waitMs = connectMs === undefined && readMs === undefined
      ? undefined
      : (connectMs ?? 0) + (readMs ?? 0);
    const phase: TimeoutPhase = readMs === undefined ? "connect" : "read";
    const local = new AbortController();
    const signal = AbortSignal.any([ctx.signal, local.signal]);
    const timer = waitMs === undefined
      ? undefined
      : setTimeout(() => local.abort(new AbortMarker(new RonTimeoutError(phase, waitMs))), waitMs);
    this.#log(() => ({
      event: "request",
      request_id: ctx.requestId,
      method,
      url: this.#redactForLog(url.href),
      attempt: ctx.attempt,
      headers: this.#fault === "log-headers" ? { ...headers } : redactHeaders(headers, this.#redactNames),
      ...(body === undefined ? {} : { body: this.#redactForLog(body.slice(0, LOG_BODY_CHARS)) }),
      ...(hop > 0 ? { reason: `redirect ${hop}` } : {}),
    }));
    try {
      const res = await fetch(url, {
        method,
        headers,
        redirect: "manual",
        signal,
        client: this.#http,
        ...(body === undefined ? {} : { body }),
      });
      FETCH_ABORT.set(res, local);
      return res;
    } catch (err) {
      if (signal.aborted && signal.reason instanceof AbortMarker) throw signal.reason.error;
      throw networkError(err);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  async #readBody(res: Response, ctx: AttemptContext): Promise<RawResponse> {
    const limit = this.#fault === "no-size-limit" ? Infinity : this.#maxResponseBytes;
    const declared = res.headers.get("content-length");
    const declaredLength = declared !== null && /^\d+$/.test(declared) ? Number(declared) : undefined;
    if (declaredLength !== undefined && declaredLength > limit) {
      await res.body?.cancel().catch(() => {});
      throw new RonTooLargeError(limit, res.status);
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    let truncated = false;
    if (
      res.body && declaredLength !== undefined && declaredLength <= FAST_BODY_BYTES &&
      this.#fault === undefined
    ) {
      // Fast path: a small declared body is read in one go (the runtime enforces Content-Length, so
      // it cannot exceed the limit checked above). `readMs` bounds the whole small body.
      chunks.push(await this.#readSmallBody(res, ctx));
      total = chunks[0]?.byteLength ?? 0;
      if (total > limit) throw new RonTooLargeError(limit, res.status);
    } else if (res.body) {
      const reader = res.body.getReader();
      const readMs = ctx.timeouts.readMs;
      const local = new AbortController();
      const onAbort = () => local.abort(ctx.signal.reason);
      ctx.signal.addEventListener("abort", onAbort, { once: true });
      const aborted = new Promise<never>((_, reject) => {
        local.signal.addEventListener("abort", () => reject(local.signal.reason), { once: true });
      });
      aborted.catch(() => {});
      try {
        for (;;) {
          const idle = readMs === undefined
            ? undefined
            : setTimeout(() => local.abort(new AbortMarker(new RonTimeoutError("read", readMs))), readMs);
          let r: ReadableStreamReadResult<Uint8Array>;
          try {
            r = await Promise.race([reader.read(), aborted]);
          } finally {
            if (idle !== undefined) clearTimeout(idle);
          }
          if (r.done) break;
          total += r.value.byteLength;
          if (total > limit) throw new RonTooLargeError(limit, res.status);
          chunks.push(r.value);
          if (this.#fault === "first-chunk-only") break;
        }
        if (
          declaredLength !== undefined && res.headers.get("content-encoding") === null &&
          total < declaredLength && this.#fault !== "first-chunk-only"
        ) {
          throw new RonNetworkError("network error: connection closed before the response ended");
        }
      } catch (err) {
        if (err instanceof AbortMarker) throw err.error;
        if (err instanceof RonTooLargeError) throw err;
        if (this.#fault === "accept-truncated") {
          truncated = true;
        } else if (err instanceof RonError) {
          throw err;
        } else {
          throw new RonNetworkError("network error: connection closed before the response ended");
        }
      } finally {
        ctx.signal.removeEventListener("abort", onAbort);
        local.abort();
        await reader.cancel().catch(() => {});
      }
    }
    const raw: RawResponse = {
      status: res.status,
      headers: res.headers,
      bytes: concat(chunks, total),
      truncated,
    };
    this.#log(() => ({
      event: "response",
      request_id: ctx.requestId,
      method: ctx.method,
      url: this.#redactForLog(ctx.url.href),
      attempt: ctx.attempt,
      status: res.status,
      duration_ms: Math.round(performance.now() - ctx.started),
      headers: this.#fault === "log-headers"
        ? headersRecord(res.headers)
        : redactHeaders(res.headers, this.#redactNames),
      body: this.#redactForLog(new TextDecoder().decode(raw.bytes.subarray(0, LOG_BODY_CHARS))),
    }));
    return raw;
  }

  async #readSmallBody(res: Response, ctx: AttemptContext): Promise<Uint8Array> {
    const readMs = ctx.timeouts.readMs;
    const local = new AbortController();
    const onAbort = () => local.abort(ctx.signal.reason);
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    const aborted = new Promise<never>((_, reject) => {
      local.signal.addEventListener("abort", () => reject(local.signal.reason), { once: true });
    });
    aborted.catch(() => {});
    const timer = readMs === undefined
      ? undefined
      : setTimeout(() => local.abort(new AbortMarker(new RonTimeoutError("read", readMs))), readMs);
    const body = res.arrayBuffer();
    try {
      return new Uint8Array(await Promise.race([body, aborted]));
    } catch (err) {
      body.catch(() => {});
      if (err instanceof AbortMarker) {
        FETCH_ABORT.get(res)?.abort(err);
        throw err.error;
      }
      throw new RonNetworkError("network error: connection closed before the response ended");
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      ctx.signal.removeEventListener("abort", onAbort);
      local.abort();
    }
  }

  #decode(raw: RawResponse): string {
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(raw.bytes);
    } catch {
      throw new RonTransportError("invalid_utf8", raw.status);
    }
  }

  #success(raw: RawResponse, requestId: string): RonResponse {
    const out: RonResponse = { status: raw.status, headers: headersRecord(raw.headers), requestId };
    if (raw.bytes.byteLength === 0) return out;
    let text: string;
    try {
      text = this.#decode(raw);
    } catch (err) {
      if (raw.truncated) return out;
      throw err;
    }
    const ct = raw.headers.get("content-type");
    if (ct !== null && !/json/i.test(ct)) {
      out.text = text;
      return out;
    }
    try {
      out.json = JSON.parse(text);
    } catch {
      if (raw.truncated) return out;
      if (ct === null) {
        // no declared type: a non-JSON body is plain text, not a parse failure
        out.text = text;
        return out;
      }
      const extra = this.#fault === "raw-body-in-error" ? `: ${text}` : "";
      throw new RonTransportError(looksTruncated(text) ? "truncated_json" : "not_json", raw.status, extra);
    }
    return out;
  }

  #errorFromResponse(raw: RawResponse, requestId: string): RonError {
    const text = this.#decode(raw);
    const contentType = raw.headers.get("content-type");
    const headerCorrelation = raw.headers.get("x-request-id") ?? requestId;
    if (this.#fault === "strict-crash") {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch { /* not JSON: handled below */ }
      if (json !== null && typeof json === "object" && !Array.isArray(json)) {
        const unknown = Object.keys(json).filter((k) => !CANONICAL_PROBLEM_KEYS.includes(k));
        if (unknown.length > 0) throw new TypeError(`unexpected field in Problem: ${unknown[0]}`);
      }
    }
    if (this.#fault === "generic-errors") {
      const e = new RonError(`request failed with HTTP ${raw.status}`);
      e.status = raw.status;
      return e;
    }
    const parsed = parseProblem({ status: raw.status, contentType, body: text });
    if (!parsed.ok) {
      const extra = this.#fault === "raw-body-in-error" ? `: ${text}` : "";
      const e = new RonTransportError(parsed.error.code, raw.status, extra);
      e.correlationId = headerCorrelation;
      return e;
    }
    const secrets = this.#secrets();
    const p = parsed.problem;
    const details = redactDeep(p.details, secrets);
    const problem = new RonProblem(raw.status, {
      code: redactText(p.code, secrets),
      kind: redactText(p.kind, secrets),
      message: redactText(p.message, secrets),
      correlation_id: redactText(p.correlation_id, secrets),
      details: details !== null && typeof details === "object" && !Array.isArray(details)
        ? details as Record<string, unknown>
        : {},
    });
    if (problem.correlationId === undefined) problem.correlationId = headerCorrelation;
    return problem;
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
    const url = this.#buildUrl(path, opts.query);
    const unbounded = this.#fault === "sse-unbounded";
    const forever = this.#fault === "sse-reconnect-forever";
    const maxEvents = unbounded ? Infinity : opts.maxEvents ?? Infinity;
    const maxDurationMs = unbounded ? undefined : opts.maxDurationMs ?? DEFAULT_SSE_MAX_DURATION_MS;
    const maxReconnects = forever ? Infinity : opts.maxReconnects ?? DEFAULT_SSE_MAX_RECONNECTS;
    const requestId = crypto.randomUUID();
    const timeouts = this.#resolveTimeouts(undefined);
    const started = performance.now();
    const durationHit = new AbortMarker(new RonTimeoutError("total", maxDurationMs ?? 0));
    const overall = new AbortController();
    const onUserAbort = () => overall.abort(new AbortMarker(new RonCancelledError()));
    const onClose = () => overall.abort(this.#closer.signal.reason);
    opts.signal?.addEventListener("abort", onUserAbort, { once: true });
    this.#closer.signal.addEventListener("abort", onClose, { once: true });
    if (opts.signal?.aborted) onUserAbort();
    const timer = maxDurationMs === undefined
      ? undefined
      : setTimeout(() => overall.abort(durationHit), maxDurationMs);
    const parser = new SseParser();
    const limit = this.#fault === "no-size-limit" ? Infinity : this.#maxResponseBytes;
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
          const authorization = await this.#authorization();
          const headers: Record<string, string> = {
            "accept": "text/event-stream",
            "cache-control": "no-cache",
            "user-agent": USER_AGENT,
            "x-request-id": requestId,
          };
          if (authorization !== undefined) headers["authorization"] = authorization;
          const lastId = parser.lastEventId;
          if (lastId !== undefined) headers["last-event-id"] = lastId;
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
          const res = await this.#fetchOnce(ctx, "GET", url, headers, undefined, 0);
          if (res.status === 204) {
            await res.body?.cancel().catch(() => {});
            return { end: "closed", reconnects };
          }
          if (res.status !== 200) {
            const raw = await this.#readBody(res, ctx);
            const error = raw.status >= 400
              ? this.#errorFromResponse(raw, requestId)
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
          this.#log(() => ({
            event: "sse",
            request_id: requestId,
            method: "GET",
            url: this.#redactForLog(url.href),
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
      this.#closer.signal.removeEventListener("abort", onClose);
      overall.abort();
      await reader?.cancel().catch(() => {});
    }
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
