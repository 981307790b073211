/**
 * Fault injection for the mutation matrix (INTERNAL, test-only).
 *
 * The kit's self-test builds one-fault variants of the reference client by passing
 * `{ [FAULT]: "<name>" }` in the `RonClient` options. Each fault changes exactly one behaviour so
 * that the check written against that behaviour must catch it. Nothing here is exported from
 * `mod.ts`; production code never sets a fault.
 *
 * @module
 */

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

/** The fixed file the `global-token-file` fault stores the token in. */
export const GLOBAL_TOKEN_FILE = "/tmp/ron-kit-global-token";
