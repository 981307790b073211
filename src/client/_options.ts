/**
 * Options stage of the reference client: validate the client's and a request's options, fill in
 * the defaults, and resolve what the fault settings change ({@linkcode Behaviour}).
 *
 * @module
 */
import { type Behaviour, behaviourOf, faultOf } from "./_faults.ts";
import { RonConfigError, RonInsecureTransportError } from "./errors.ts";
import { IDEMPOTENT_METHODS, isRetryableRequest } from "./retry.ts";
import { Secret } from "./secret.ts";
import type { LogEntry, RequestOptions, RonClientOptions, TimeoutOptions } from "./types.ts";

/** The built-in timeouts, under the caller's. */
export const DEFAULT_TIMEOUTS = { connectMs: 3_000, readMs: 10_000, totalMs: 30_000 } as const;
const DEFAULT_MAX_RETRIES = 3;
const DEFAULT_RETRY_AFTER_CAP_MS = 30_000;
const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
/** Sent on every request. */
export const USER_AGENT = "ron-kit-reference-client/0.1";

/** A client's options, validated, with defaults and fault settings applied. */
export interface ClientConfig {
  /** the fault settings (the reference's unless a fault was selected) */
  readonly behaviour: Behaviour;
  /** the base URL */
  readonly base: URL;
  /** whether `http://` is allowed */
  readonly allowHttp: boolean;
  /** an extra trusted CA */
  readonly caCertPem: string | undefined;
  /** the client's timeouts, as given (defaults are applied per request) */
  readonly timeouts: TimeoutOptions;
  /** retries after the first attempt (`Infinity` when unbounded) */
  readonly maxRetries: number;
  /** the longest `Retry-After` waited */
  readonly retryAfterCapMs: number;
  /** the body limit (`Infinity` when not enforced) */
  readonly maxResponseBytes: number;
  /** requests in flight at once (undefined: no limit) */
  readonly maxConcurrency: number | undefined;
  /** whether debug logging is on */
  readonly debug: boolean;
  /** more header names to redact */
  readonly redactHeaderNames: readonly string[];
  /** the caller's extra redaction */
  readonly redact: ((text: string) => string) | undefined;
  /** receives debug entries */
  readonly logger: (entry: LogEntry) => void;
}

/** The timeouts of one request; an absent one does not apply. */
export interface ResolvedTimeouts {
  /** see {@linkcode TimeoutOptions.connectMs} */
  connectMs?: number;
  /** see {@linkcode TimeoutOptions.readMs} */
  readMs?: number;
  /** see {@linkcode TimeoutOptions.totalMs} */
  totalMs?: number;
}

function parseBase(baseUrl: string, allowHttp: boolean): URL {
  let base: URL;
  try {
    base = new URL(baseUrl);
  } catch {
    throw new RonConfigError("baseUrl is not a valid URL");
  }
  if (base.username !== "" || base.password !== "") {
    throw new RonConfigError("baseUrl must not carry credentials");
  }
  if (base.search !== "" || base.hash !== "") {
    throw new RonConfigError("baseUrl must not have a query or fragment");
  }
  if (base.protocol === "http:") {
    if (!allowHttp) {
      throw new RonInsecureTransportError("plain http:// refused; set allowInsecureHttp (dev only)");
    }
  } else if (base.protocol !== "https:") {
    throw new RonConfigError(`unsupported URL scheme ${base.protocol}`);
  }
  return base;
}

function nonNegative(name: string, v: number | undefined, allowZero: boolean): void {
  if (v === undefined) return;
  if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new RonConfigError(`${name} must be a ${allowZero ? "non-negative" : "positive"} number`);
  }
}

/**
 * Validate a client's options and apply the defaults and the selected fault's settings.
 *
 * @param options the caller's options
 * @returns the resolved configuration
 * @throws RonInsecureTransportError for an `http://` base URL without `allowInsecureHttp`
 * @throws RonConfigError for an invalid URL or option
 */
export function parseClientOptions(options: RonClientOptions): ClientConfig {
  const behaviour = behaviourOf(faultOf(options));
  const allowHttp = (options.allowInsecureHttp === true && behaviour.honourInsecureOptIn) ||
    behaviour.alwaysAllowHttp;
  const base = parseBase(options.baseUrl, allowHttp);
  const pq: unknown = options.tlsPqMode;
  if (pq !== undefined && pq !== "off" && pq !== "hybrid") {
    throw new RonConfigError('tlsPqMode must be "off" or "hybrid"');
  }
  if (pq === "hybrid" && !behaviour.acceptPqHybrid) {
    throw new RonConfigError('tlsPqMode "hybrid" is not supported');
  }
  nonNegative("timeouts.connectMs", options.timeouts?.connectMs, false);
  nonNegative("timeouts.readMs", options.timeouts?.readMs, false);
  nonNegative("timeouts.totalMs", options.timeouts?.totalMs, false);
  nonNegative("maxRetries", options.maxRetries, true);
  nonNegative("retryAfterCapMs", options.retryAfterCapMs, true);
  nonNegative("maxResponseBytes", options.maxResponseBytes, false);
  nonNegative("maxConcurrency", options.maxConcurrency, false);
  return {
    behaviour,
    base,
    allowHttp,
    caCertPem: options.caCertPem,
    timeouts: { ...options.timeouts },
    maxRetries: behaviour.retryBudget === "unbounded"
      ? Infinity
      : Math.floor(options.maxRetries ?? DEFAULT_MAX_RETRIES),
    retryAfterCapMs: options.retryAfterCapMs ?? DEFAULT_RETRY_AFTER_CAP_MS,
    maxResponseBytes: behaviour.enforceSizeLimit
      ? options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES
      : Infinity,
    maxConcurrency: options.maxConcurrency !== undefined && behaviour.enforceConcurrency
      ? Math.floor(options.maxConcurrency)
      : undefined,
    debug: options.debug === true,
    redactHeaderNames: [...(options.redactHeaderNames ?? [])],
    redact: options.redact,
    logger: options.logger ?? ((entry) => console.error(JSON.stringify(entry))),
  };
}

/**
 * The options of `RonClient.fromEnv`: `RON_APP_URL`, `RON_APP_TIMEOUT` (seconds → `timeouts.totalMs`)
 * and `RON_APP_TOKEN`, with `overrides` on top.
 *
 * @param overrides options that win over the environment
 * @returns the client's options
 * @throws RonConfigError when `RON_APP_URL` is missing or `RON_APP_TIMEOUT` is not a positive number
 */
export function envOptions(overrides: Partial<RonClientOptions>): RonClientOptions {
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
  return opts;
}

/**
 * The timeouts of one request: the call's over the client's over the defaults, as the fault
 * settings allow.
 *
 * @param config the client's configuration
 * @param call the call's overrides
 * @returns the timeouts that apply
 */
export function resolveTimeouts(config: ClientConfig, call: TimeoutOptions | undefined): ResolvedTimeouts {
  const policy = config.behaviour.timeouts;
  switch (policy) {
    case "none":
      return {};
    case "explicit-only":
      return { ...config.timeouts, ...call };
    case "no-total": {
      const out: ResolvedTimeouts = { ...DEFAULT_TIMEOUTS, ...config.timeouts, ...call };
      delete out.totalMs;
      return out;
    }
    case "defaults":
      return { ...DEFAULT_TIMEOUTS, ...config.timeouts, ...call };
    default: {
      const never: never = policy;
      throw new Error(`unknown timeout policy ${String(never)}`);
    }
  }
}

/**
 * The URL of `path` (with `query`) under the base URL; it may not leave the base URL's origin.
 *
 * @param base the base URL
 * @param path a path relative to it, possibly with a query
 * @param query more query parameters
 * @returns the URL
 * @throws RonConfigError for an absolute or escaping path
 */
export function buildUrl(base: URL, path: string, query: RequestOptions["query"]): URL {
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith("//") || path.includes("\\")) {
    throw new RonConfigError("path must be relative to the base URL");
  }
  const [rawPath = "", rawQuery] = path.split("?", 2);
  const basePath = base.pathname.replace(/\/+$/, "");
  const url = new URL(base.href);
  url.pathname = `${basePath}/${rawPath.replace(/^\/+/, "")}`;
  if (rawQuery !== undefined) url.search = rawQuery;
  if (url.origin !== base.origin) throw new RonConfigError("path must stay on the base URL's origin");
  if (!query) return url;
  for (const [k, v] of Object.entries(query)) {
    if (Array.isArray(v)) { for (const item of v) url.searchParams.append(k, String(item)); }
    else url.searchParams.append(k, String(v));
  }
  return url;
}

function hasCrLf(value: string): boolean {
  return /[\r\n\0]/.test(value);
}

/** A request's options, validated: what goes on the wire and whether it may be retried. */
export interface ParsedRequest {
  /** upper-case method */
  method: string;
  /** the full URL */
  url: URL;
  /** the `X-Request-ID` of every attempt */
  requestId: string;
  /** the headers of every attempt (without `Authorization`) */
  headers: Record<string, string>;
  /** the JSON body text */
  body: string | undefined;
  /** whether the request may be retried at all */
  retryable: boolean;
  /** whether the client generated the `Idempotency-Key` */
  generatedKey: boolean;
}

/**
 * Validate a request's options and build its headers and body.
 *
 * @param config the client's configuration
 * @param opts the request's options
 * @param constantKey the client's one id, for the `constant` idempotency-key and request-id settings
 * @returns the parsed request
 * @throws RonConfigError for an invalid method, path, key or audit value
 */
export function parseRequest(config: ClientConfig, opts: RequestOptions, constantKey: string): ParsedRequest {
  const { behaviour } = config;
  const method = opts.method.toUpperCase();
  if (!/^[A-Z]+$/.test(method)) throw new RonConfigError("invalid HTTP method");
  const url = buildUrl(config.base, opts.path, opts.query);
  const requestId = behaviour.requestIds === "constant" ? constantKey : crypto.randomUUID();
  const isWrite = !IDEMPOTENT_METHODS.includes(method);
  let generatedKey = false;
  let idemKey = opts.idempotencyKey !== undefined && behaviour.callerIdempotencyKey === "replaced"
    ? crypto.randomUUID()
    : opts.idempotencyKey;
  if (idemKey === undefined && opts.idempotent === true && isWrite && behaviour.idempotencyKey !== "none") {
    idemKey = behaviour.idempotencyKey === "constant" ? constantKey : crypto.randomUUID();
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
  if (audit) {
    for (
      const [name, value] of [
        ["x-audit-actor", audit.actor],
        ["x-audit-reason", audit.reason],
        ["x-audit-tenant", audit.tenant],
      ] as const
    ) {
      if (value === undefined) continue;
      if (hasCrLf(value)) throw new RonConfigError(`invalid audit value for ${name}`);
      if (behaviour.auditContextIn === "query") url.searchParams.set(name.slice(2).replace("-", "_"), value);
      else headers[name] = value;
    }
  }
  let body: string | undefined;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers["content-type"] = "application/json";
  }
  const retryable = behaviour.retryUnsafeWrites || isRetryableRequest(method, idemKey !== undefined);
  return { method, url, requestId, headers, body, retryable, generatedKey };
}
