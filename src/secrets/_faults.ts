/**
 * Fault injection for the secrets client's mutation matrix (INTERNAL, test-only).
 *
 * A one-fault mutant of the reference secrets client is built by passing `{ [SECRETS_FAULT]: name }`
 * in its options ({@linkcode withSecretsFault}). {@linkcode SECRETS_FAULT_TABLE} is the one place where
 * a fault name turns into behaviour: each name overrides {@linkcode SecretsBehaviour} settings, and the
 * client's stages read only those settings. Each fault breaks exactly one rule that a planned
 * `secrets.*` check judges ({@linkcode SECRETS_FAULT_RULES} names it). Nothing here is exported from
 * the client's `mod.ts`.
 *
 * @module
 */
import type { SecretUriErrorCode } from "../schema/secret_uri.ts";

/** The options key that selects a fault: `new SecretsClient({ ..., [SECRETS_FAULT]: "deleted-as-missing" })`. */
export const SECRETS_FAULT: unique symbol = Symbol.for("ron.kit.secrets.fault") as never;

/** Every fault of the reference secrets client, one rule each. */
export const SECRETS_FAULTS = [
  "uri-not-canonical",
  "no-traversal-guard",
  "no-encoded-slash-guard",
  "no-empty-segment-guard",
  "no-wildcard-guard",
  "mount-prefix-match",
  "drop-pinned-version",
  "accept-other-version",
  "send-nonpositive-version",
  "deleted-as-missing",
  "deleted-as-value",
  "destroyed-as-deleted",
  "missing-as-deleted",
  "retry-forbidden",
  "wrap-path-prefix",
  "unwrap-404-as-missing",
  "unwrap-retry",
  "token-in-query",
  "token-in-error",
  "log-token",
  "token-cache-file",
  "follow-foreign-redirect",
  "no-audience-check",
  "no-jti-replay",
  "jti-replay-forever",
  "no-binding-drift",
  "no-single-use",
  "racy-single-use",
  "grant-key-no-tenant",
  "raw-uri-grant-key",
  "no-negative-cache",
  "negative-cache-forever",
  "outage-fail-open",
  "outage-honours-expired",
  "unsalted-audit",
  "unstable-resource-ref",
  "audit-raw-uri",
  "audit-value",
] as const;

/** A fault of the reference secrets client (closed union). */
export type SecretsFault = typeof SECRETS_FAULTS[number];

/**
 * Type guard for a fault name read from the outside (CLI flag, env).
 *
 * @param value anything
 * @returns whether `value` names a known fault
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(isSecretsFault("no-jti-replay"), true);
 * assert.equal(isSecretsFault("retry-forever"), false);
 * ```
 */
export function isSecretsFault(value: unknown): value is SecretsFault {
  return typeof value === "string" && (SECRETS_FAULTS as readonly string[]).includes(value);
}

/**
 * The options of a one-fault mutant (test-only): `options` plus the fault switch.
 *
 * @param options the client's options
 * @param fault the fault, or undefined for the reference itself
 * @returns options to give `new SecretsClient(...)`
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const o = withSecretsFault({ vaultAddr: "https://v.test" }, "no-jti-replay");
 * assert.equal(Reflect.get(o, SECRETS_FAULT), "no-jti-replay");
 * ```
 */
export function withSecretsFault<T extends object>(options: T, fault: SecretsFault | undefined): T {
  return fault === undefined ? options : Object.assign({}, options, { [SECRETS_FAULT]: fault });
}

/**
 * The fault a client was built with (read from its options, checked).
 *
 * @param options the options given to the client
 * @returns the fault, or undefined for the reference
 */
export function secretsFaultOf(options: object): SecretsFault | undefined {
  const f: unknown = Reflect.get(options, SECRETS_FAULT);
  return isSecretsFault(f) ? f : undefined;
}

/** Every behaviour a fault can change, as named settings the client's stages read. */
export interface SecretsBehaviour {
  /** URI guard: parser error codes let through (the raw, unchecked path is then read). */
  readonly uriCodesLetThrough: readonly SecretUriErrorCode[];
  /** URI guard: the tenant mount guard matches `exact`ly, or by `prefix` (`secret2` passes for `secret`). */
  readonly mountMatch: "exact" | "prefix";
  /** Canonical form: query parameters `sorted` by name, or kept `as-given`. */
  readonly queryOrder: "sorted" | "as-given";
  /** KV: a pinned version goes on the wire as `?version=N`. */
  readonly sendPinnedVersion: boolean;
  /** KV: a response for another version than the pinned one is refused. */
  readonly checkResponseVersion: boolean;
  /** KV: a soft-deleted version is `version_deleted`, `not_found`, or a `value` (null). */
  readonly deletedAs: "version_deleted" | "not_found" | "value";
  /** KV: a destroyed version is `version_destroyed`, or `version_deleted`. */
  readonly destroyedAs: "version_destroyed" | "version_deleted";
  /** KV: a missing path or version (404 `{"errors": []}`) is `not_found`, or `version_deleted`. */
  readonly missingAs: "not_found" | "version_deleted";
  /** KV: a 403 is retried like a 5xx. */
  readonly retryForbidden: boolean;
  /** KV: a redirect is `refuse`d (never followed), or followed to any origin with the token. */
  readonly redirects: "refuse" | "follow-any";
  /** Wrapping: `creation_path` must be the read's path `exact`ly, or only start with `<mount>/data/`. */
  readonly wrapPathMatch: "exact" | "prefix";
  /** Wrapping: a 404 at unwrap is typed from its envelope (`typed`), or always `not_found`. */
  readonly unwrapNotFound: "typed" | "not_found";
  /** Wrapping: a failed unwrap is tried once more (a wrapping token is single use). */
  readonly unwrapRetry: boolean;
  /** Token: also put the token in the URL's query. */
  readonly tokenInQuery: boolean;
  /** Token: append the request headers (token included) to error messages. */
  readonly tokenInErrors: boolean;
  /** Token: debug logs print the request headers unredacted. */
  readonly logToken: boolean;
  /** Token: write the token to `$HOME/.secrets-sdk/token` when the client is built. */
  readonly tokenCacheFile: boolean;
  /** PEP: the configured audience must be in the call's `aud`. */
  readonly checkAudience: boolean;
  /** PEP: JTI anti-replay within the `window`, `off`, or `forever` (never accepted again). */
  readonly jtiReplay: "window" | "off" | "forever";
  /** PEP: a grant's binding must equal the call's binding. */
  readonly checkBinding: boolean;
  /** PEP: a grant's `max_uses` is enforced. */
  readonly enforceMaxUses: boolean;
  /** PEP: concurrent calls for one grant key share one PDP question (`false`: each asks its own). */
  readonly perKeyLock: boolean;
  /** PEP: the tenant is part of the grant key. */
  readonly grantKeyTenant: boolean;
  /** PEP: the grant key holds the `canonical` URI, or the `raw` pointer as given. */
  readonly grantKeyUri: "canonical" | "raw";
  /** PEP: a deny is cached for `ttl-jitter`, not at all (`off`), or `forever`. */
  readonly negativeCache: "ttl-jitter" | "off" | "forever";
  /** PEP: on a PDP outage, fail unless a `valid-grant` exists; read anyway (`fail-open`); or use an expired grant. */
  readonly onPdpOutage: "valid-grant-only" | "fail-open" | "expired-grant";
  /** Audit: `resource_ref` is HMAC(salt, canonical URI), SHA-256 of it (no salt), or HMAC of the raw pointer. */
  readonly resourceRef: "hmac-canonical" | "sha256-canonical" | "hmac-raw";
  /** Audit: records carry the raw URI. */
  readonly auditRawUri: boolean;
  /** Audit: records carry the secret value. */
  readonly auditValue: boolean;
}

/** The reference behaviour: every setting secure. */
export const SECRETS_REFERENCE_BEHAVIOUR: SecretsBehaviour = Object.freeze(
  {
    uriCodesLetThrough: [],
    mountMatch: "exact",
    queryOrder: "sorted",
    sendPinnedVersion: true,
    checkResponseVersion: true,
    deletedAs: "version_deleted",
    destroyedAs: "version_destroyed",
    missingAs: "not_found",
    retryForbidden: false,
    redirects: "refuse",
    wrapPathMatch: "exact",
    unwrapNotFound: "typed",
    unwrapRetry: false,
    tokenInQuery: false,
    tokenInErrors: false,
    logToken: false,
    tokenCacheFile: false,
    checkAudience: true,
    jtiReplay: "window",
    checkBinding: true,
    enforceMaxUses: true,
    perKeyLock: true,
    grantKeyTenant: true,
    grantKeyUri: "canonical",
    negativeCache: "ttl-jitter",
    onPdpOutage: "valid-grant-only",
    resourceRef: "hmac-canonical",
    auditRawUri: false,
    auditValue: false,
  } as const,
);

/** THE fault table: each fault's settings, on top of the reference. */
export const SECRETS_FAULT_TABLE: Readonly<Record<SecretsFault, Partial<SecretsBehaviour>>> = Object.freeze({
  "uri-not-canonical": { queryOrder: "as-given" },
  "no-traversal-guard": { uriCodesLetThrough: ["dot_segment"] },
  "no-encoded-slash-guard": { uriCodesLetThrough: ["encoded_slash"] },
  "no-empty-segment-guard": { uriCodesLetThrough: ["empty_segment"] },
  "no-wildcard-guard": { uriCodesLetThrough: ["wildcard"] },
  "mount-prefix-match": { mountMatch: "prefix" },
  "drop-pinned-version": { sendPinnedVersion: false },
  "accept-other-version": { checkResponseVersion: false },
  "send-nonpositive-version": { uriCodesLetThrough: ["bad_version"] },
  "deleted-as-missing": { deletedAs: "not_found" },
  "deleted-as-value": { deletedAs: "value" },
  "destroyed-as-deleted": { destroyedAs: "version_deleted" },
  "missing-as-deleted": { missingAs: "version_deleted" },
  "retry-forbidden": { retryForbidden: true },
  "wrap-path-prefix": { wrapPathMatch: "prefix" },
  "unwrap-404-as-missing": { unwrapNotFound: "not_found" },
  "unwrap-retry": { unwrapRetry: true },
  "token-in-query": { tokenInQuery: true },
  "token-in-error": { tokenInErrors: true },
  "log-token": { logToken: true },
  "token-cache-file": { tokenCacheFile: true },
  "follow-foreign-redirect": { redirects: "follow-any" },
  "no-audience-check": { checkAudience: false },
  "no-jti-replay": { jtiReplay: "off" },
  "jti-replay-forever": { jtiReplay: "forever" },
  "no-binding-drift": { checkBinding: false },
  "no-single-use": { enforceMaxUses: false },
  "racy-single-use": { perKeyLock: false },
  "grant-key-no-tenant": { grantKeyTenant: false },
  "raw-uri-grant-key": { grantKeyUri: "raw" },
  "no-negative-cache": { negativeCache: "off" },
  "negative-cache-forever": { negativeCache: "forever" },
  "outage-fail-open": { onPdpOutage: "fail-open" },
  "outage-honours-expired": { onPdpOutage: "expired-grant" },
  "unsalted-audit": { resourceRef: "sha256-canonical" },
  "unstable-resource-ref": { resourceRef: "hmac-raw" },
  "audit-raw-uri": { auditRawUri: true },
  "audit-value": { auditValue: true },
});

/**
 * The rule each fault breaks, as the planned check that must catch it (`secrets.<area>.<rule>`).
 * The checks do not exist yet; these ids are the plan the selftest will hold them to.
 */
export const SECRETS_FAULT_RULES: Readonly<Record<SecretsFault, string>> = Object.freeze({
  "uri-not-canonical": "secrets.uri.canonical",
  "no-traversal-guard": "secrets.uri.rejected-before-send",
  "no-encoded-slash-guard": "secrets.uri.rejected-before-send",
  "no-empty-segment-guard": "secrets.uri.rejected-before-send",
  "no-wildcard-guard": "secrets.uri.rejected-before-send",
  "mount-prefix-match": "secrets.uri.foreign-mount",
  "drop-pinned-version": "secrets.kv.pinned-version",
  "accept-other-version": "secrets.kv.version-mismatch",
  "send-nonpositive-version": "secrets.kv.nonpositive-version",
  "deleted-as-missing": "secrets.kv.deleted",
  "deleted-as-value": "secrets.kv.deleted",
  "destroyed-as-deleted": "secrets.kv.destroyed",
  "missing-as-deleted": "secrets.kv.missing",
  "retry-forbidden": "secrets.kv.forbidden-not-retried",
  "wrap-path-prefix": "secrets.wrap.creation-path",
  "unwrap-404-as-missing": "secrets.wrap.deleted-at-unwrap",
  "unwrap-retry": "secrets.wrap.single-unwrap",
  "token-in-query": "secrets.token.header-only",
  "token-in-error": "secrets.token.header-only",
  "log-token": "secrets.token.header-only",
  "token-cache-file": "secrets.token.header-only",
  "follow-foreign-redirect": "secrets.token.no-foreign-redirect",
  "no-audience-check": "secrets.pep.audience",
  "no-jti-replay": "secrets.pep.jti-replay",
  "jti-replay-forever": "secrets.pep.jti-replay",
  "no-binding-drift": "secrets.pep.binding-drift",
  "no-single-use": "secrets.pep.single-use",
  "racy-single-use": "secrets.pep.single-use",
  "grant-key-no-tenant": "secrets.pep.grant-key",
  "raw-uri-grant-key": "secrets.pep.grant-key",
  "no-negative-cache": "secrets.pep.negative-cache",
  "negative-cache-forever": "secrets.pep.negative-cache",
  "outage-fail-open": "secrets.pep.pdp-outage",
  "outage-honours-expired": "secrets.pep.pdp-outage",
  "unsalted-audit": "secrets.audit.resource-ref",
  "unstable-resource-ref": "secrets.audit.resource-ref",
  "audit-raw-uri": "secrets.audit.no-leak",
  "audit-value": "secrets.audit.no-leak",
});

/**
 * The behaviour of the reference secrets client built with `fault` (or of the reference itself).
 *
 * @param fault a fault name, or undefined for the reference
 * @returns every setting, resolved
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(secretsBehaviourOf(undefined).jtiReplay, "window");
 * assert.equal(secretsBehaviourOf("no-jti-replay").jtiReplay, "off");
 * assert.equal(secretsBehaviourOf("no-jti-replay").checkAudience, true);
 * ```
 */
export function secretsBehaviourOf(fault: SecretsFault | undefined): SecretsBehaviour {
  if (fault === undefined) return SECRETS_REFERENCE_BEHAVIOUR;
  return Object.freeze({ ...SECRETS_REFERENCE_BEHAVIOUR, ...SECRETS_FAULT_TABLE[fault] });
}
