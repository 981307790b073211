/**
 * Typed errors of the reference client.
 *
 * Every error carries a stable `type` (the driver protocol's `SdkError.type`) and a message written
 * by the client. Messages NEVER quote the token, request or response headers, or a raw body: a parse
 * failure names the parse error code (`not_json`, `truncated_json`, ...) instead.
 *
 * @module
 */

/** The discriminant of every client error; matches the driver protocol's `SdkError.type`. */
export type RonErrorType =
  | "problem"
  | "network"
  | "timeout"
  | "transport"
  | "too_large"
  | "insecure"
  | "config"
  | "cancelled"
  | "other";

/**
 * Base class of every error the client throws.
 *
 * @example
 * ```ts
 * import { RonError } from "./errors.ts";
 * const e = new RonError("boom");
 * if (e.type !== "other" || !(e instanceof Error)) throw new Error();
 * ```
 */
export class RonError extends Error {
  /** stable machine-readable category */
  readonly type: RonErrorType;
  /** the request's `X-Request-ID`, or the Problem's `correlation_id` when the server sent one */
  correlationId: string | undefined;
  /** HTTP status when a response was received */
  status: number | undefined;

  /**
   * Create the error.
   *
   * @param message safe, high-level text (never a secret, header or raw body)
   * @param type the category
   */
  constructor(message: string, type: RonErrorType = "other") {
    super(message);
    this.name = "RonError";
    this.type = type;
    this.correlationId = undefined;
    this.status = undefined;
  }
}

/**
 * A server Problem (canonical envelope or RFC 9457), with its fields exposed.
 *
 * @example
 * ```ts
 * import { RonProblem } from "./errors.ts";
 * const p = new RonProblem(403, { code: "forbidden", kind: "auth", message: "no", correlation_id: "c1", details: {} });
 * if (p.code !== "forbidden" || p.correlationId !== "c1" || p.status !== 403) throw new Error();
 * ```
 */
export class RonProblem extends RonError {
  /** stable machine code, e.g. `"unauthorized"` */
  readonly code: string;
  /** stable category, e.g. `"auth"` */
  readonly kind: string;
  /** the server's structured, sanitized details */
  readonly details: Record<string, unknown>;
  /** the server's human message (secrets of this client redacted) */
  readonly problemMessage: string;

  /**
   * Create the error.
   *
   * @param status HTTP status
   * @param problem the parsed envelope
   */
  constructor(
    status: number,
    problem: {
      code: string;
      kind: string;
      message: string;
      correlation_id: string;
      details: Record<string, unknown>;
    },
  ) {
    super(problem.message === "" ? `HTTP ${status} ${problem.code}` : problem.message, "problem");
    this.name = "RonProblem";
    this.status = status;
    this.code = problem.code;
    this.kind = problem.kind;
    this.details = problem.details;
    this.problemMessage = problem.message;
    this.correlationId = problem.correlation_id === "" ? undefined : problem.correlation_id;
  }
}

/** The connection failed (refused, reset, DNS, body stream broke). */
export class RonNetworkError extends RonError {
  /**
   * Create the error.
   *
   * @param message safe text
   */
  constructor(message: string) {
    super(message, "network");
    this.name = "RonNetworkError";
  }
}

/** Which timeout fired. `connect` is folded into the headers wait by `fetch` (see `TimeoutOptions`). */
export type TimeoutPhase = "connect" | "read" | "total";

/** A configured timeout fired. */
export class RonTimeoutError extends RonError {
  /** which timeout */
  readonly phase: TimeoutPhase;
  /** the configured limit in ms */
  readonly limitMs: number;
  /**
   * Create the error.
   *
   * @param phase which timeout
   * @param limitMs its configured value
   */
  constructor(phase: TimeoutPhase, limitMs: number) {
    super(`${phase} timeout after ${limitMs} ms`, "timeout");
    this.name = "RonTimeoutError";
    this.phase = phase;
    this.limitMs = limitMs;
  }
}

/** Why a body could not be used (mirrors `parseProblem`'s error codes). */
export type TransportErrorCode =
  | "empty_body"
  | "not_json"
  | "truncated_json"
  | "not_object"
  | "invalid_envelope"
  | "invalid_utf8";

/** A response body could not be parsed. The message names the parse error code, never the body. */
export class RonTransportError extends RonError {
  /** the parse error code */
  readonly code: TransportErrorCode;
  /**
   * Create the error.
   *
   * @param code parse error code
   * @param status HTTP status of the response
   * @param extra appended text (only ever used by the `raw-body-in-error` test fault)
   */
  constructor(code: TransportErrorCode, status: number, extra = "") {
    super(`HTTP ${status}: response body could not be parsed (${code})${extra}`, "transport");
    this.name = "RonTransportError";
    this.code = code;
    this.status = status;
  }
}

/** The response exceeded `maxResponseBytes`; the client stopped reading. */
export class RonTooLargeError extends RonError {
  /** the configured limit in bytes */
  readonly limit: number;
  /**
   * Create the error.
   *
   * @param limit configured limit in bytes
   * @param status HTTP status of the response
   */
  constructor(limit: number, status: number) {
    super(`response body exceeds the limit of ${limit} bytes`, "too_large");
    this.name = "RonTooLargeError";
    this.limit = limit;
    this.status = status;
  }
}

/** Plain HTTP was refused, a redirect tried to downgrade, or the TLS peer was not trusted. */
export class RonInsecureTransportError extends RonError {
  /**
   * Create the error.
   *
   * @param message safe text
   */
  constructor(message: string) {
    super(message, "insecure");
    this.name = "RonInsecureTransportError";
  }
}

/** Invalid configuration or use (bad URL, unsupported option, closed client). */
export class RonConfigError extends RonError {
  /**
   * Create the error.
   *
   * @param message safe text
   */
  constructor(message: string) {
    super(message, "config");
    this.name = "RonConfigError";
  }
}

/** The caller's `AbortSignal` cancelled the operation. */
export class RonCancelledError extends RonError {
  constructor() {
    super("request cancelled by the caller", "cancelled");
    this.name = "RonCancelledError";
  }
}
