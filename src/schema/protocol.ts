/**
 * Driver (testee) protocol: JSON Lines over stdio. Every message the kit reads
 * is validated with these schemas. See docs/PROTOCOL.md.
 *
 * @module
 */
import { z } from "zod";
import type { Same } from "./_same.ts";
import { SECRET_URI_ERROR_CODES, type SecretUriErrorCode } from "./secret_uri.ts";

/** Protocol version spoken by this kit. */
export const PROTOCOL_VERSION = 1;

const sdkError = z.object({
  type: z.enum([
    "problem",
    "network",
    "timeout",
    "transport",
    "too_large",
    "insecure",
    "config",
    "cancelled",
    "other",
    "unsupported",
    "secret",
  ]),
  status: z.number().int().optional(),
  code: z.string().optional(),
  kind: z.string().optional(),
  message: z.string().optional(),
  correlation_id: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
  rendered: z.string().optional(),
}).loose();
/**
 * The SDK's typed error, as the driver maps it. `secret` is the secrets profile's error: its `code`
 * is one of {@link SECRETS_ERROR_CODES}.
 */
export const SdkErrorSchema: z.ZodObject<{
  type: z.ZodEnum<
    z.core.util.ToEnum<
      | "problem"
      | "network"
      | "timeout"
      | "transport"
      | "too_large"
      | "insecure"
      | "config"
      | "cancelled"
      | "other"
      | "unsupported"
      | "secret"
    >
  >;
  status: z.ZodOptional<z.ZodNumber>;
  code: z.ZodOptional<z.ZodString>;
  kind: z.ZodOptional<z.ZodString>;
  message: z.ZodOptional<z.ZodString>;
  correlation_id: z.ZodOptional<z.ZodString>;
  details: z.ZodOptional<z.ZodRecord<z.ZodString, z.ZodUnknown>>;
  /**
   * the error as the SDK renders it to its user (`String(err)`, `str(e)`, `err.Error()`): what would
   * land in an application's log. The kit scans it for canaries like every other reply field, so a
   * driver must report it as the SDK produces it, never sanitised by the driver.
   */
  rendered: z.ZodOptional<z.ZodString>;
}, z.core.$loose> = sdkError;
const _sdkError: Same<typeof sdkError, typeof SdkErrorSchema> = true;
/** The SDK's typed error. */
export type SdkError = z.infer<typeof SdkErrorSchema>;

const reply = z.union([
  z.object({ id: z.number().int(), ok: z.literal(true), result: z.record(z.string(), z.unknown()) }),
  z.object({ id: z.number().int(), ok: z.literal(false), error: SdkErrorSchema }),
]);
/** A reply line from the driver. */
export const ReplySchema: z.ZodUnion<
  readonly [
    z.ZodObject<{ id: z.ZodNumber; ok: z.ZodLiteral<true>; result: z.ZodRecord<z.ZodString, z.ZodUnknown> }>,
    z.ZodObject<{ id: z.ZodNumber; ok: z.ZodLiteral<false>; error: typeof SdkErrorSchema }>,
  ]
> = reply;
const _reply: Same<typeof reply, typeof ReplySchema> = true;
/** A reply line from the driver. */
export type Reply = z.infer<typeof ReplySchema>;

const timeouts = z.object({
  connect_ms: z.number().int().positive().optional(),
  read_ms: z.number().int().positive().optional(),
  total_ms: z.number().int().positive().optional(),
});
/** Timeouts given to `configure`. */
export const TimeoutsSchema: z.ZodObject<{
  connect_ms: z.ZodOptional<z.ZodNumber>;
  read_ms: z.ZodOptional<z.ZodNumber>;
  total_ms: z.ZodOptional<z.ZodNumber>;
}> = timeouts;
const _timeouts: Same<typeof timeouts, typeof TimeoutsSchema> = true;

const configureParams = z.object({
  base_url: z.string(),
  token: z.string().optional(),
  token_provider: z.boolean().optional(),
  ca_cert_pem: z.string().optional(),
  /** the same CA as a PEM file (the kit also exports it in SSL_CERT_FILE and the like) */
  ca_cert_file: z.string().optional(),
  allow_insecure_http: z.boolean().optional(),
  timeouts: TimeoutsSchema.optional(),
  max_retries: z.number().int().min(0).optional(),
  max_response_bytes: z.number().int().positive().optional(),
  max_concurrency: z.number().int().positive().optional(),
  debug: z.boolean().optional(),
  tls_pq_mode: z.enum(["off", "hybrid"]).optional(),
});
/** `configure` params. */
export const ConfigureParamsSchema: z.ZodObject<{
  base_url: z.ZodString;
  token: z.ZodOptional<z.ZodString>;
  token_provider: z.ZodOptional<z.ZodBoolean>;
  ca_cert_pem: z.ZodOptional<z.ZodString>;
  /** the same CA as a file path (in the driver's temp dir), for SDKs that take a CA file */
  ca_cert_file: z.ZodOptional<z.ZodString>;
  allow_insecure_http: z.ZodOptional<z.ZodBoolean>;
  timeouts: z.ZodOptional<typeof TimeoutsSchema>;
  max_retries: z.ZodOptional<z.ZodNumber>;
  max_response_bytes: z.ZodOptional<z.ZodNumber>;
  max_concurrency: z.ZodOptional<z.ZodNumber>;
  debug: z.ZodOptional<z.ZodBoolean>;
  /** post-quantum TLS (seed 000 §9): `hybrid` asks for a hybrid key exchange (X25519MLKEM768) */
  tls_pq_mode: z.ZodOptional<z.ZodEnum<z.core.util.ToEnum<"off" | "hybrid">>>;
}> = configureParams;
const _configureParams: Same<typeof configureParams, typeof ConfigureParamsSchema> = true;
/** `configure` params. */
export type ConfigureParams = z.infer<typeof ConfigureParamsSchema>;

const requestParams = z.object({
  client: z.string(),
  method: z.string(),
  path: z.string(),
  query: z.record(z.string(), z.string()).optional(),
  json: z.unknown().optional(),
  idempotent: z.boolean().optional(),
  idempotency_key: z.string().optional(),
  audit_context: z.record(z.string(), z.string()).optional(),
});
/** `request` params. */
export const RequestParamsSchema: z.ZodObject<{
  client: z.ZodString;
  method: z.ZodString;
  path: z.ZodString;
  query: z.ZodOptional<z.ZodRecord<z.ZodString, z.ZodString>>;
  json: z.ZodOptional<z.ZodUnknown>;
  idempotent: z.ZodOptional<z.ZodBoolean>;
  idempotency_key: z.ZodOptional<z.ZodString>;
  audit_context: z.ZodOptional<z.ZodRecord<z.ZodString, z.ZodString>>;
}> = requestParams;
const _requestParams: Same<typeof requestParams, typeof RequestParamsSchema> = true;
/** `request` params. */
export type RequestParams = z.infer<typeof RequestParamsSchema>;

const helloResult = z.object({
  protocol: z.literal(PROTOCOL_VERSION),
  name: z.string(),
  version: z.string(),
  language: z.string(),
  capabilities: z.array(z.string()),
});
/** `hello` result. */
export const HelloResultSchema: z.ZodObject<{
  protocol: z.ZodLiteral<typeof PROTOCOL_VERSION>;
  name: z.ZodString;
  version: z.ZodString;
  language: z.ZodString;
  capabilities: z.ZodArray<z.ZodString>;
}> = helloResult;
const _helloResult: Same<typeof helloResult, typeof HelloResultSchema> = true;
/** `hello` result. */
export type HelloResult = z.infer<typeof HelloResultSchema>;

const configureResult = z.object({ client: z.string() });
/** `configure` result. */
export const ConfigureResultSchema: z.ZodObject<{ client: z.ZodString }> = configureResult;
const _configureResult: Same<typeof configureResult, typeof ConfigureResultSchema> = true;

const requestResult = z.object({
  status: z.number().int(),
  json: z.unknown().optional(),
  headers: z.record(z.string(), z.string()).optional(),
});
/** `request` result. */
export const RequestResultSchema: z.ZodObject<{
  status: z.ZodNumber;
  json: z.ZodOptional<z.ZodUnknown>;
  headers: z.ZodOptional<z.ZodRecord<z.ZodString, z.ZodString>>;
}> = requestResult;
const _requestResult: Same<typeof requestResult, typeof RequestResultSchema> = true;
/** `request` result. */
export type RequestResult = z.infer<typeof RequestResultSchema>;
const subscribeResult = z.object({
  events: z.array(z.unknown()),
  end: z.enum(["max_events", "max_duration", "closed", "error"]),
  error: SdkErrorSchema.optional(),
});
/** `subscribe` result. */
export const SubscribeResultSchema: z.ZodObject<{
  events: z.ZodArray<z.ZodUnknown>;
  end: z.ZodEnum<z.core.util.ToEnum<"max_events" | "max_duration" | "closed" | "error">>;
  error: z.ZodOptional<typeof SdkErrorSchema>;
}> = subscribeResult;
const _subscribeResult: Same<typeof subscribeResult, typeof SubscribeResultSchema> = true;
/** `subscribe` result. */
export type SubscribeResult = z.infer<typeof SubscribeResultSchema>;
const parseProblemResult = z.object({ problem: SdkErrorSchema });
/** `parse_problem` result. */
export const ParseProblemResultSchema: z.ZodObject<{ problem: typeof SdkErrorSchema }> = parseProblemResult;
const _parseProblemResult: Same<typeof parseProblemResult, typeof ParseProblemResultSchema> = true;

const dtoResult = z.object({ json: z.unknown() });
/** `decode_dto` / `encode_dto` result. */
export const DtoResultSchema: z.ZodObject<{ json: z.ZodUnknown }> = dtoResult;
const _dtoResult: Same<typeof dtoResult, typeof DtoResultSchema> = true;

const secretUriResult = z.object({ canonical: z.string() });
/** `parse_secret_uri` result. */
export const SecretUriResultSchema: z.ZodObject<{ canonical: z.ZodString }> = secretUriResult;
const _secretUriResult: Same<typeof secretUriResult, typeof SecretUriResultSchema> = true;

const manifestResult = z.object({ ok: z.literal(true) });
/** `validate_manifest` result. */
export const ManifestResultSchema: z.ZodObject<{ ok: z.ZodLiteral<true> }> = manifestResult;
const _manifestResult: Same<typeof manifestResult, typeof ManifestResultSchema> = true;

const emptyResult = z.object({}).loose();
/** `{}` results (`rotate_token`, `close`, `zeroize`, `shutdown`). */
export const EmptyResultSchema: z.ZodObject<Record<never, never>, z.core.$loose> = emptyResult;
const _emptyResult: Same<typeof emptyResult, typeof EmptyResultSchema> = true;

// ---- The secrets profile (seed 003): `configure` with a `secrets` block, `get_secret`, `audit_records`.

/**
 * Capabilities of the secrets profile (docs/PROTOCOL.md, "The secrets profile"): `secrets_uri` (URIs
 * are parsed, canonicalised and guarded before any request), `secrets_kv` (KVv2 reads: pinned versions,
 * deleted and destroyed typed, optional wrapping), `secrets_grants` (the PEP: PDP grants, audience,
 * JTI anti-replay, binding, single use, negative cache), `secrets_audit` (`audit_records`).
 */
export const SECRETS_CAPABILITIES = ["secrets_uri", "secrets_kv", "secrets_grants", "secrets_audit"] as const;

/** A capability of the secrets profile. */
export type SecretsCapability = typeof SECRETS_CAPABILITIES[number];

/**
 * The `code`s of a `type: "secret"` error that are not URI codes: what the PEP refused (`denied` by
 * the PDP or the negative cache, `audience_mismatch`, `replay`, `uses_exhausted`, `binding_drift`,
 * `pdp_unavailable`) and what the KV read found (`not_found`, `version_deleted`, `version_destroyed`,
 * `version_mismatch`, `permission_denied`, `sealed`, `wrapping`, `redirect`, `provider`).
 */
export const SECRETS_FAILURE_CODES = [
  "denied",
  "audience_mismatch",
  "replay",
  "uses_exhausted",
  "binding_drift",
  "pdp_unavailable",
  "not_found",
  "version_deleted",
  "version_destroyed",
  "version_mismatch",
  "permission_denied",
  "sealed",
  "wrapping",
  "redirect",
  "provider",
] as const;

/** A non-URI code of a `type: "secret"` error. */
export type SecretsFailureCode = typeof SECRETS_FAILURE_CODES[number];

/** Every `code` a `type: "secret"` error may carry: a URI code (`parse_secret_uri`'s) or a failure code. */
export type SecretsErrorCode = SecretUriErrorCode | SecretsFailureCode;

/** Every {@link SecretsErrorCode}: the URI codes first, then {@link SECRETS_FAILURE_CODES}. */
export const SECRETS_ERROR_CODES: readonly SecretsErrorCode[] = [
  ...SECRET_URI_ERROR_CODES,
  ...SECRETS_FAILURE_CODES,
];

const posInt = z.number().int().positive();
const secretsConfig = z.object({
  vault_addr: z.string(),
  token: z.string(),
  tenant: z.string(),
  allowed_mounts: z.array(z.string()),
  salt: z.string(),
  audience: z.string().optional(),
  pdp_addr: z.string().optional(),
  pdp_timeout_ms: posInt.optional(),
  negative_ttl_ms: posInt.optional(),
  negative_jitter_ms: z.number().int().min(0).optional(),
  anti_replay_ttl_ms: posInt.optional(),
  wrap_ttl_s: posInt.optional(),
});
/**
 * `configure`'s `secrets` block: the vault address and token, the tenant and its mounts, the HMAC
 * salt of `resource_ref`, and the PEP (absent `pdp_addr`: a plain KV client, no grants).
 */
export const SecretsConfigSchema: z.ZodObject<{
  /** the KV server's base URL (`https://127.0.0.1:PORT`); requests go to `<vault_addr>/v1/…` */
  vault_addr: z.ZodString;
  /** the vault token (a canary): only ever in `X-Vault-Token` to `vault_addr`'s origin */
  token: z.ZodString;
  /** the tenant (`TENANT_ID`) */
  tenant: z.ZodString;
  /** the tenant's mounts (`TENANT_ALLOWED_MOUNTS`), matched exactly */
  allowed_mounts: z.ZodArray<z.ZodString>;
  /** the HMAC key of audit records' `resource_ref` (`SECRET_TENANT_SALT`) */
  salt: z.ZodString;
  /** the PEP's audience (`SECRETS_AUDIENCE`), which must be in the call's `ctx.aud` */
  audience: z.ZodOptional<z.ZodString>;
  /** the PDP's base URL; absent: no PEP (a plain KV client) */
  pdp_addr: z.ZodOptional<z.ZodString>;
  /** the bound of one PDP call; a slower PDP is an outage */
  pdp_timeout_ms: z.ZodOptional<z.ZodNumber>;
  /** how long a deny is cached, before jitter */
  negative_ttl_ms: z.ZodOptional<z.ZodNumber>;
  /** the most jitter added to `negative_ttl_ms` */
  negative_jitter_ms: z.ZodOptional<z.ZodNumber>;
  /** the JTI anti-replay window */
  anti_replay_ttl_ms: z.ZodOptional<z.ZodNumber>;
  /** ask for response wrapping on every read (`X-Vault-Wrap-TTL`), besides a grant's obligation */
  wrap_ttl_s: z.ZodOptional<z.ZodNumber>;
}> = secretsConfig;
const _secretsConfig: Same<typeof secretsConfig, typeof SecretsConfigSchema> = true;
/** `configure`'s `secrets` block. */
export type SecretsConfig = z.infer<typeof SecretsConfigSchema>;

const secretsConfigureParams = z.object({
  secrets: SecretsConfigSchema,
  ca_cert_pem: z.string().optional(),
  ca_cert_file: z.string().optional(),
  allow_insecure_http: z.boolean().optional(),
  timeouts: TimeoutsSchema.optional(),
  max_retries: z.number().int().min(0).optional(),
  max_response_bytes: posInt.optional(),
  debug: z.boolean().optional(),
});
/** `configure` params in the secrets profile: the `secrets` block, and the CA, limits and debug as elsewhere. */
export const SecretsConfigureParamsSchema: z.ZodObject<{
  secrets: typeof SecretsConfigSchema;
  ca_cert_pem: z.ZodOptional<z.ZodString>;
  ca_cert_file: z.ZodOptional<z.ZodString>;
  allow_insecure_http: z.ZodOptional<z.ZodBoolean>;
  timeouts: z.ZodOptional<typeof TimeoutsSchema>;
  max_retries: z.ZodOptional<z.ZodNumber>;
  max_response_bytes: z.ZodOptional<z.ZodNumber>;
  debug: z.ZodOptional<z.ZodBoolean>;
}> = secretsConfigureParams;
const _secretsConfigureParams: Same<typeof secretsConfigureParams, typeof SecretsConfigureParamsSchema> =
  true;
/** `configure` params in the secrets profile. */
export type SecretsConfigureParams = z.infer<typeof SecretsConfigureParamsSchema>;

const optText = z.string().nullable().optional();
const secretsContext = z.object({
  subject: optText,
  aud: z.array(z.string()).nullable().optional(),
  jti: optText,
  cnf_jkt: optText,
  mtls_thumbprint: optText,
  correlation_id: optText,
});
/** The caller's execution context (seed 003 `ExecutionContext`); the binding is `cnf_jkt`, else `mtls_thumbprint`. */
export const SecretsContextSchema: z.ZodObject<{
  subject: z.ZodOptional<z.ZodNullable<z.ZodString>>;
  aud: z.ZodOptional<z.ZodNullable<z.ZodArray<z.ZodString>>>;
  jti: z.ZodOptional<z.ZodNullable<z.ZodString>>;
  cnf_jkt: z.ZodOptional<z.ZodNullable<z.ZodString>>;
  mtls_thumbprint: z.ZodOptional<z.ZodNullable<z.ZodString>>;
  correlation_id: z.ZodOptional<z.ZodNullable<z.ZodString>>;
}> = secretsContext;
const _secretsContext: Same<typeof secretsContext, typeof SecretsContextSchema> = true;
/** The caller's execution context. */
export type SecretsContext = z.infer<typeof SecretsContextSchema>;

const getSecretParams = z.object({
  client: z.string(),
  uri: z.string(),
  ctx: SecretsContextSchema.optional(),
  reveal: z.boolean().optional(),
});
/** `get_secret` params: the instance, the secret URI as given, the context, and whether to return the value. */
export const GetSecretParamsSchema: z.ZodObject<{
  client: z.ZodString;
  uri: z.ZodString;
  ctx: z.ZodOptional<typeof SecretsContextSchema>;
  reveal: z.ZodOptional<z.ZodBoolean>;
}> = getSecretParams;
const _getSecretParams: Same<typeof getSecretParams, typeof GetSecretParamsSchema> = true;
/** `get_secret` params. */
export type GetSecretParams = z.infer<typeof GetSecretParamsSchema>;

const getSecretResult = z.object({
  version: z.number().int(),
  digest: z.string().regex(/^[0-9a-f]{64}$/),
  value: z.unknown().optional(),
});
/**
 * `get_secret` result: the KV version read, the SHA-256 (lowercase hex) of the value's canonical JSON,
 * and the value itself only when the call asked `reveal: true`.
 */
export const GetSecretResultSchema: z.ZodObject<{
  version: z.ZodNumber;
  digest: z.ZodString;
  value: z.ZodOptional<z.ZodUnknown>;
}> = getSecretResult;
const _getSecretResult: Same<typeof getSecretResult, typeof GetSecretResultSchema> = true;
/** `get_secret` result. */
export type GetSecretResult = z.infer<typeof GetSecretResultSchema>;

const auditRecord = z.looseObject({
  resource_ref: z.string(),
  decision: z.enum(["allow", "deny"]),
  code: z.string().nullable().optional(),
  version: z.number().int().nullable().optional(),
});
/**
 * One audit record (seed 003 "Behavior (PEP flow)" step 8): at least the salted `resource_ref` and the
 * decision, with the error `code` of a deny and the KV `version` of an allow; more members are allowed.
 */
export const AuditRecordSchema: z.ZodObject<{
  resource_ref: z.ZodString;
  decision: z.ZodEnum<z.core.util.ToEnum<"allow" | "deny">>;
  code: z.ZodOptional<z.ZodNullable<z.ZodString>>;
  version: z.ZodOptional<z.ZodNullable<z.ZodNumber>>;
}, z.core.$loose> = auditRecord;
const _auditRecord: Same<typeof auditRecord, typeof AuditRecordSchema> = true;
/** One audit record. */
export type AuditRecord = z.infer<typeof AuditRecordSchema>;

const auditRecordsResult = z.object({ records: z.array(AuditRecordSchema) });
/** `audit_records` result: the instance's audit records, oldest first. */
export const AuditRecordsResultSchema: z.ZodObject<{ records: z.ZodArray<typeof AuditRecordSchema> }> =
  auditRecordsResult;
const _auditRecordsResult: Same<typeof auditRecordsResult, typeof AuditRecordsResultSchema> = true;

/** Every op and its result schema. */
export const OP_RESULTS = {
  hello: HelloResultSchema,
  configure: ConfigureResultSchema,
  request: RequestResultSchema,
  subscribe: SubscribeResultSchema,
  rotate_token: EmptyResultSchema,
  parse_problem: ParseProblemResultSchema,
  decode_dto: DtoResultSchema,
  encode_dto: DtoResultSchema,
  parse_secret_uri: SecretUriResultSchema,
  validate_manifest: ManifestResultSchema,
  get_secret: GetSecretResultSchema,
  audit_records: AuditRecordsResultSchema,
  close: EmptyResultSchema,
  zeroize: EmptyResultSchema,
  shutdown: EmptyResultSchema,
} as const;
/** An op name. */
export type Op = keyof typeof OP_RESULTS;
/** The result type of an op. */
export type OpResult<O extends Op> = z.infer<typeof OP_RESULTS[O]>;
