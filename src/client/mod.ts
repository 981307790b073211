/**
 * The kit's reference client: an API client that implements the SDK security checklist (seed 000)
 * and passes every `sdk` check. Test-only fault injection lives in `_faults.ts` and is not exported.
 *
 * ```ts
 * import { RonClient } from "./mod.ts";
 * // Load the token from the environment (RON_APP_TOKEN), never hard-code it.
 * const make = () => RonClient.fromEnv();
 * if (typeof make !== "function") throw new Error();
 * ```
 *
 * @module
 */
export * from "./client.ts";
export * from "./errors.ts";
export * from "./secret.ts";
export * from "./redact.ts";
export { type SseEvent, SseParser } from "./sse.ts";
export { backoffDelay, isRetryableRequest, parseRetryAfter } from "./retry.ts";
