/**
 * Fault injection for the mutation matrix (INTERNAL, test-only).
 *
 * The kit's self-test builds one-fault variants of the reference client by passing
 * `{ [FAULT]: "<name>" }` in the `RonClient` options. Each fault changes exactly one behaviour so
 * that the check written against that behaviour must catch it. {@linkcode FAULT_TABLE} is the one
 * place where a fault name turns into behaviour: it maps each name to the {@linkcode Behaviour}
 * settings it overrides, and the client's stages read those settings, never a fault name. Nothing
 * here is exported from `mod.ts`; production code never sets a fault.
 *
 * @module
 */
import type { RonClientOptions } from "./types.ts";

/** The options key that selects a fault: `new RonClient({ ..., [FAULT]: "global-token" })`. */
export const FAULT: unique symbol = Symbol.for("ron.kit.fault") as never;

/** Every fault the reference client can be built with, one behaviour each. */
export const CLIENT_FAULTS = [
  "global-token",
  "log-headers",
  "request-in-error",
  "token-in-query",
  "token-cache-file",
  "provider-called-once",
  "close-noop",
  "allow-http",
  "no-timeout",
  "idle-timeout-only",
  "no-default-timeout",
  "retry-forever",
  "never-retry",
  "no-backoff",
  "retry-writes",
  "retry-all",
  "ignore-retry-after",
  "obey-any-retry-after",
  "no-idem-key",
  "constant-idem-key",
  "key-per-attempt",
  "generic-errors",
  "strict-crash",
  "raw-body-in-error",
  "no-size-limit",
  "ignore-concurrency",
  "sse-unbounded",
  "sse-reconnect-forever",
  "global-token-file",
  "torn-rotation",
  "first-chunk-only",
  "accept-truncated",
  "auth-on-redirect",
  "follow-downgrade",
  "no-verify",
  "constant-request-id",
  "replace-caller-key",
  "no-last-event-id",
  "ignore-custom-ca",
  "refuse-http-opt-in",
  "pq-mode-unsupported",
  "audit-context-in-query",
  "token-in-audit-context",
] as const;

/** A fault of the reference client (closed union). `no-verify` is a no-op in the client itself. */
export type ClientFault = typeof CLIENT_FAULTS[number];

/**
 * Type guard for a fault name read from the outside (CLI flag, env).
 *
 * @param value anything
 * @returns whether `value` names a known fault
 * @example
 * ```ts
 * import { isClientFault } from "./_faults.ts";
 * if (!isClientFault("retry-forever")) throw new Error();
 * ```
 */
export function isClientFault(value: unknown): value is ClientFault {
  return typeof value === "string" && (CLIENT_FAULTS as readonly string[]).includes(value);
}

/**
 * The options of a one-fault mutant of the reference client (test-only): `options` plus the
 * fault switch, which is not part of the public {@linkcode RonClientOptions}.
 *
 * @param options the client's options
 * @param fault the fault, or undefined for the reference itself
 * @returns options to give `new RonClient(...)`
 * @example
 * ```ts
 * import { FAULT, withFault } from "./_faults.ts";
 * const o = withFault({ baseUrl: "https://x.test" }, "no-backoff");
 * if (Reflect.get(o, FAULT) !== "no-backoff") throw new Error();
 * ```
 */
export function withFault(options: RonClientOptions, fault: ClientFault | undefined): RonClientOptions {
  return fault === undefined ? options : Object.assign({}, options, { [FAULT]: fault });
}

/**
 * The fault a client was built with (read from the options, checked).
 *
 * @param options the options given to the client
 * @returns the fault, or undefined for the reference client
 */
export function faultOf(options: RonClientOptions): ClientFault | undefined {
  const f: unknown = Reflect.get(options, FAULT);
  return isClientFault(f) ? f : undefined;
}

/** The fixed file the `global-token-file` fault stores the token in. */
export const GLOBAL_TOKEN_FILE = "/tmp/ron-kit-global-token";

/** Every behaviour a fault can change, as named settings the client's stages read. */
export interface Behaviour {
  /** Options: accept `http://` (base URL and redirects) even without `allowInsecureHttp`. */
  readonly alwaysAllowHttp: boolean;
  /** Options: `allowInsecureHttp: true` allows `http://` (`false`: the opt-in is ignored, http refused). */
  readonly honourInsecureOptIn: boolean;
  /** Transport: trust the caller's `caCertPem` (`false`: it is ignored, only the system roots count). */
  readonly trustCustomCa: boolean;
  /**
   * Transport: verify the server's TLS certificate. The client cannot switch this off itself; a
   * `false` here is applied by whoever starts the process (the selftest adds
   * `--unsafely-ignore-certificate-errors` to the driver's command).
   */
  readonly verifyTls: boolean;
  /**
   * Options: which timeouts apply. `defaults`: the built-in ones under the caller's; `explicit-only`:
   * only those the caller set; `no-total`: the defaults without the total budget; `none`: no timer.
   */
  readonly timeouts: "defaults" | "explicit-only" | "no-total" | "none";
  /**
   * Credentials: where the token lives. `instance`: in this client only; `process-global`: one
   * module-wide slot every instance shares; `global-file`: the fixed {@linkcode GLOBAL_TOKEN_FILE}
   * every instance shares; `home-cache-file`: in this client, and also written to `~/.ron/token-cache`.
   */
  readonly tokenStore: "instance" | "process-global" | "global-file" | "home-cache-file";
  /** Credentials: call the token provider on every attempt (`false`: only the first time). */
  readonly callProviderEveryAttempt: boolean;
  /** Credentials: one whole token per request (`false`: a rotation can tear it in two). */
  readonly atomicTokenRead: boolean;
  /** Transport: also put the token in the URL's query (`access_token`). */
  readonly tokenInQuery: boolean;
  /** Facade: `close()` and `zeroize()` take effect (`false`: they do nothing). */
  readonly honourClose: boolean;
  /** Logging: redact sensitive header values in debug logs. */
  readonly redactHeaders: boolean;
  /** Errors: append the request headers put on the wire to the error's message. */
  readonly requestHeadersInErrors: boolean;
  /** Response mapping: quote the raw body in a parse error's message. */
  readonly rawBodyInErrors: boolean;
  /** Response mapping: map an error status to a typed error (`false`: a bare `RonError`). */
  readonly typedErrors: boolean;
  /** Response mapping: an unknown Problem field throws a raw `TypeError` that escapes untyped. */
  readonly crashOnUnknownProblemField: boolean;
  /**
   * Retry: which failures are retried. `transient`: network errors and 408/425/429/5xx;
   * `any`: also every other status >= 400; `never`: nothing.
   */
  readonly retryOn: "transient" | "any" | "never";
  /** Retry: retry writes that carry no `Idempotency-Key`. */
  readonly retryUnsafeWrites: boolean;
  /** Retry: `configured`: at most `maxRetries` retries; `unbounded`: no limit. */
  readonly retryBudget: "configured" | "unbounded";
  /** Retry: `full-jitter` exponential backoff between attempts, or `none` (retry at once). */
  readonly backoff: "full-jitter" | "none";
  /** Retry: the backoff's ceiling in ms. */
  readonly retryBackoffCapMs: number;
  /**
   * Retry: `capped`: wait a `Retry-After` up to `retryAfterCapMs`, fail fast above it;
   * `ignored`: never read it; `uncapped`: wait whatever it says.
   */
  readonly retryAfter: "capped" | "ignored" | "uncapped";
  /** Retry: sleep and retry even when the next attempt would start past the total deadline. */
  readonly retryPastDeadline: boolean;
  /**
   * Retry: the `Idempotency-Key` generated for `idempotent: true`. `per-request`: a new UUID per
   * logical request, the same on its retries; `none`: never generated; `constant`: one per client;
   * `per-attempt`: a new one on every retry.
   */
  readonly idempotencyKey: "per-request" | "none" | "constant" | "per-attempt";
  /** Options: a caller's `idempotencyKey` is sent verbatim (`replaced`: a generated UUID goes instead). */
  readonly callerIdempotencyKey: "verbatim" | "replaced";
  /** Facade: `maxConcurrency` bounds the requests in flight. */
  readonly enforceConcurrency: boolean;
  /** Body reading: enforce `maxResponseBytes`. */
  readonly enforceSizeLimit: boolean;
  /** Body reading: read a small declared body in one call (`false`: always chunk by chunk). */
  readonly smallBodyFastPath: boolean;
  /** Body reading: read the body to its end (`false`: stop after the first chunk). */
  readonly readWholeBody: boolean;
  /** Body reading: a body cut short is returned as it is instead of a network error. */
  readonly acceptTruncated: boolean;
  /** Transport: follow `https` → `http` redirects, and `http` ones without `allowInsecureHttp`. */
  readonly followInsecureRedirects: boolean;
  /** Transport: keep `Authorization` on a redirect to another origin. */
  readonly authOnCrossOriginRedirect: boolean;
  /** Options: a fresh `X-Request-ID` per request (`constant`: one id for every request of the client). */
  readonly requestIds: "per-request" | "constant";
  /** SSE: apply `maxEvents` and `maxDurationMs`. */
  readonly sseBounded: boolean;
  /** SSE: `bounded`: at most `maxReconnects` reconnects with backoff; `forever`: no limit, no backoff. */
  readonly sseReconnects: "bounded" | "forever";
  /** SSE: a reconnect sends `Last-Event-ID` with the last id seen (`false`: it starts over). */
  readonly sseResume: boolean;
  /**
   * Options: accept `tlsPqMode: "hybrid"` (`false`: refuse it with a config error, the "reserved,
   * currently off" stub seed 000 §9 describes).
   */
  readonly acceptPqHybrid: boolean;
  /** Options: where `auditContext` goes: `headers` (`X-Audit-*`) or `query` (`audit_*` parameters). */
  readonly auditContextIn: "headers" | "query";
  /** Transport: with an audit context, also send the bearer token as `X-Audit-Principal`. */
  readonly tokenInAuditHeaders: boolean;
}

/** The reference client's behaviour: every setting secure. */
export const REFERENCE_BEHAVIOUR: Behaviour = Object.freeze(
  {
    alwaysAllowHttp: false,
    honourInsecureOptIn: true,
    trustCustomCa: true,
    verifyTls: true,
    timeouts: "defaults",
    tokenStore: "instance",
    callProviderEveryAttempt: true,
    atomicTokenRead: true,
    tokenInQuery: false,
    honourClose: true,
    redactHeaders: true,
    requestHeadersInErrors: false,
    rawBodyInErrors: false,
    typedErrors: true,
    crashOnUnknownProblemField: false,
    retryOn: "transient",
    retryUnsafeWrites: false,
    retryBudget: "configured",
    backoff: "full-jitter",
    retryBackoffCapMs: 2_000,
    retryAfter: "capped",
    retryPastDeadline: false,
    idempotencyKey: "per-request",
    callerIdempotencyKey: "verbatim",
    enforceConcurrency: true,
    enforceSizeLimit: true,
    smallBodyFastPath: true,
    readWholeBody: true,
    acceptTruncated: false,
    followInsecureRedirects: false,
    authOnCrossOriginRedirect: false,
    sseBounded: true,
    sseReconnects: "bounded",
    sseResume: true,
    requestIds: "per-request",
    acceptPqHybrid: true,
    auditContextIn: "headers",
    tokenInAuditHeaders: false,
  } as const,
);

/**
 * What every mutant shares besides its fault: bodies are read chunk by chunk, so no fault can hide
 * behind (or be masked by) the small-body fast path.
 */
export const MUTANT_BASE: Partial<Behaviour> = Object.freeze({ smallBodyFastPath: false });

/** THE fault table: each fault's settings, on top of {@linkcode MUTANT_BASE} and the reference. */
export const FAULT_TABLE: Readonly<Record<ClientFault, Partial<Behaviour>>> = Object.freeze({
  "global-token": { tokenStore: "process-global" },
  "log-headers": { redactHeaders: false },
  "request-in-error": { requestHeadersInErrors: true },
  "token-in-query": { tokenInQuery: true },
  "token-cache-file": { tokenStore: "home-cache-file" },
  "provider-called-once": { callProviderEveryAttempt: false },
  "close-noop": { honourClose: false },
  "allow-http": { alwaysAllowHttp: true },
  "no-timeout": { timeouts: "none" },
  "idle-timeout-only": { timeouts: "no-total" },
  "no-default-timeout": { timeouts: "explicit-only" },
  "retry-forever": { retryBudget: "unbounded", retryBackoffCapMs: 200 },
  "never-retry": { retryOn: "never" },
  "no-backoff": { backoff: "none" },
  "retry-writes": { retryUnsafeWrites: true },
  "retry-all": { retryOn: "any" },
  "ignore-retry-after": { retryAfter: "ignored" },
  "obey-any-retry-after": { retryAfter: "uncapped", retryPastDeadline: true },
  "no-idem-key": { idempotencyKey: "none" },
  "constant-idem-key": { idempotencyKey: "constant" },
  "key-per-attempt": { idempotencyKey: "per-attempt" },
  "generic-errors": { typedErrors: false },
  "strict-crash": { crashOnUnknownProblemField: true },
  "raw-body-in-error": { rawBodyInErrors: true },
  "no-size-limit": { enforceSizeLimit: false },
  "ignore-concurrency": { enforceConcurrency: false },
  "sse-unbounded": { sseBounded: false },
  "sse-reconnect-forever": { sseReconnects: "forever" },
  "global-token-file": { tokenStore: "global-file" },
  "torn-rotation": { atomicTokenRead: false },
  "first-chunk-only": { readWholeBody: false },
  "accept-truncated": { acceptTruncated: true },
  "auth-on-redirect": { authOnCrossOriginRedirect: true },
  "follow-downgrade": { followInsecureRedirects: true, authOnCrossOriginRedirect: true },
  "no-verify": { verifyTls: false },
  "constant-request-id": { requestIds: "constant" },
  "replace-caller-key": { callerIdempotencyKey: "replaced" },
  "no-last-event-id": { sseResume: false },
  "ignore-custom-ca": { trustCustomCa: false },
  "refuse-http-opt-in": { honourInsecureOptIn: false },
  "pq-mode-unsupported": { acceptPqHybrid: false },
  "audit-context-in-query": { auditContextIn: "query" },
  "token-in-audit-context": { tokenInAuditHeaders: true },
});

/**
 * The behaviour of the reference client built with `fault` (or of the reference itself).
 *
 * @param fault a fault name, or undefined for the reference client
 * @returns every setting, resolved
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { behaviourOf } from "./_faults.ts";
 * assert.equal(behaviourOf(undefined).retryOn, "transient");
 * assert.equal(behaviourOf("retry-all").retryOn, "any");
 * assert.equal(behaviourOf("log-headers").redactHeaders, false);
 * ```
 */
export function behaviourOf(fault: ClientFault | undefined): Behaviour {
  if (fault === undefined) return REFERENCE_BEHAVIOUR;
  return Object.freeze({ ...REFERENCE_BEHAVIOUR, ...MUTANT_BASE, ...FAULT_TABLE[fault] });
}
