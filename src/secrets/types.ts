/**
 * The secrets client's public types: its options, the caller's context, a read, an audit record.
 *
 * @module
 */
import type { GrantCache } from "./grant_cache.ts";

/** The PEP's settings (seed 003 "Configuration"); absent from the options: a plain KV client. */
export interface PepOptions {
  /** the PDP's base URL (`https://…`); questions go to `<pdpAddr>/v1/pdp/authorize` */
  pdpAddr: string;
  /** this service's audience, which must be in each call's `aud` @default "crud.secrets" */
  audience?: string;
  /** the bound of one PDP question; a slower PDP is an outage @default 2000 */
  pdpTimeoutMs?: number;
  /** how long a deny is cached, before jitter @default 5000 */
  negativeTtlMs?: number;
  /** the most jitter added to a cached deny @default 500 */
  negativeJitterMs?: number;
  /** the JTI anti-replay window @default 300000 */
  antiReplayMs?: number;
  /** the PEP's state, to share between clients of a process @default a cache of this client's own */
  grantCache?: GrantCache;
}

/** Options of `SecretsClient`. */
export interface SecretsClientOptions {
  /** the vault's base URL (`https://…`) */
  vaultAddr: string;
  /** the vault token: sent only in `X-Vault-Token`, only to `vaultAddr`'s origin */
  token: string;
  /** the tenant (`TENANT_ID`) */
  tenant: string;
  /** the tenant's mounts, matched exactly (`TENANT_ALLOWED_MOUNTS`) */
  allowedMounts: readonly string[];
  /** the HMAC key of audit records' `resource_ref` (`SECRET_TENANT_SALT`) */
  salt: string;
  /** the PEP; absent: reads without grants */
  pep?: PepOptions;
  /** an extra CA to trust (PEM); verification stays on */
  caCertPem?: string;
  /** allow `http://` addresses @default false */
  allowInsecureHttp?: boolean;
  /** the time limit of one exchange with the vault (headers and body) @default 10000 */
  requestTimeoutMs?: number;
  /** the most bytes of one response body @default 1048576 */
  maxResponseBytes?: number;
  /** retries of a transient failure (network, timeout, 5xx; never a 403, never an unwrap) @default 1 */
  maxRetries?: number;
  /** ask for response wrapping on every read, besides a grant's obligation */
  wrapTtlS?: number;
  /** log each exchange (never a value, a token or a URI) @default false */
  debug?: boolean;
  /** where debug lines go @default console.error */
  log?: (line: string) => void;
}

/** The caller's execution context (seed 003 `ExecutionContext`). */
export interface ExecutionContext {
  /** who asks */
  subject?: string | null;
  /** the audiences of the caller's token */
  aud?: readonly string[] | null;
  /** the caller's token id, for anti-replay */
  jti?: string | null;
  /** the DPoP key thumbprint the token is bound to (the sender binding) */
  cnfJkt?: string | null;
  /** the mTLS certificate thumbprint (the binding when there is no `cnfJkt`) */
  mtlsThumbprint?: string | null;
  /** a correlation id for the audit record */
  correlationId?: string | null;
}

/** A secret read. */
export interface SecretRead {
  /** the data object, or the fragment's value */
  value: unknown;
  /** the KV version read */
  version: number;
  /** the audit reference of the URI */
  resourceRef: string;
}

/** One audit record: never the value, the token or the URI (only its salted `resource_ref`). */
export interface SecretsAuditRecord {
  /** when (ISO 8601) */
  at: string;
  event: "secret.get";
  tenant: string;
  subject: string | null;
  /** HMAC-SHA-256(salt, canonical URI), hex, 32 characters */
  resource_ref: string;
  /** what the PEP decided (`allow` in a client without PEP) */
  decision: "allow" | "deny";
  /** the error code of a failed call (`null`: the value was read) */
  code: string | null;
  /** the version read */
  version: number | null;
  grant_id: string | null;
  cache_hit: boolean;
  wrapped: boolean;
  correlation_id: string | null;
  /** only a mutant's fault adds the raw URI */
  uri?: string;
  /** only a mutant's fault adds the value */
  value?: unknown;
}
