/**
 * The secrets client's one error type: a closed union of codes (seed 003 "Errors (typed)"), each with
 * a fixed message. A message never quotes a secret value, a token, a URI or a response body; it
 * may add numbers (a status, a version).
 *
 * @module
 */
import type { SecretsErrorCode } from "../schema/protocol.ts";

/**
 * Transport-level failures: they keep the protocol's `SdkError` types of the same name (`timeout`,
 * `network`, `too_large`, `insecure`, `config`) instead of `type: "secret"`.
 */
export type SecretsTransportCode = "timeout" | "network" | "too_large" | "insecure" | "config";

/** Every code a {@linkcode SecretsError} may carry. */
export type SecretsClientErrorCode = SecretsErrorCode | SecretsTransportCode;

/** The transport codes, which map to `SdkError` types of their own. */
export const SECRETS_TRANSPORT_CODES: readonly SecretsTransportCode[] = [
  "timeout",
  "network",
  "too_large",
  "insecure",
  "config",
];

/**
 * Whether a code is a transport code (an `SdkError` type of its own) rather than a `secret` code.
 *
 * @param code an error code
 * @returns true for `timeout`, `network`, `too_large`, `insecure` and `config`
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(isTransportCode("timeout"), true);
 * assert.equal(isTransportCode("version_deleted"), false);
 * ```
 */
export function isTransportCode(code: SecretsClientErrorCode): code is SecretsTransportCode {
  return (SECRETS_TRANSPORT_CODES as readonly string[]).includes(code);
}

/** What a {@linkcode SecretsError} can carry besides its code. */
export interface SecretsErrorInit {
  /** the HTTP status that caused it, if one did */
  status?: number;
  /** more text for the message (numbers, never request data) */
  detail?: string;
}

/**
 * A typed failure of the secrets client (URI, PEP, KV, wrapping or transport).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const e = new SecretsError("version_deleted", { status: 404, detail: "version 3" });
 * assert.equal(e.code, "version_deleted");
 * assert.equal(String(e), "SecretsError: version_deleted: the secret version is soft-deleted (version 3)");
 * ```
 */
export class SecretsError extends Error {
  /** what went wrong, as a closed code */
  readonly code: SecretsClientErrorCode;
  /** the HTTP status that caused it, if one did */
  readonly status: number | undefined;

  /**
   * @param code the code
   * @param init the status and a detail for the message
   */
  constructor(code: SecretsClientErrorCode, init: SecretsErrorInit = {}) {
    const base = `${code}: ${MESSAGES[code] ?? "secret URI refused"}`;
    super(init.detail === undefined ? base : `${base} (${init.detail})`);
    this.name = "SecretsError";
    this.code = code;
    this.status = init.status;
  }
}

const MESSAGES: Partial<Record<SecretsClientErrorCode, string>> = {
  timeout: "the request timed out",
  network: "the request could not be completed",
  too_large: "the response body is larger than the limit",
  insecure: "the connection is not secure",
  config: "the client configuration or call is invalid",
  denied: "access to the secret was denied",
  audience_mismatch: "the caller's audience does not include this service",
  replay: "the token id (jti) was already used within the anti-replay window",
  uses_exhausted: "the grant has no uses left",
  binding_drift: "the caller's sender binding differs from the grant's",
  pdp_unavailable: "the policy decision point is unavailable and no valid grant exists",
  not_found: "the secret or version does not exist",
  version_deleted: "the secret version is soft-deleted",
  version_destroyed: "the secret version is destroyed",
  version_mismatch: "the server answered another version than the pinned one",
  permission_denied: "the vault refused the token (permission denied)",
  sealed: "the vault is sealed or unavailable",
  wrapping: "the response wrapping is invalid",
  redirect: "the vault answered with a redirect, which is not followed",
  provider: "the vault's answer is unexpected",
};
