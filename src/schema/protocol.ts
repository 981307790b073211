/**
 * Driver (testee) protocol: JSON Lines over stdio. Every message the kit reads
 * is validated with these schemas. See docs/PROTOCOL.md.
 *
 * @module
 */
import { z } from "zod";
import type { Same } from "./_same.ts";

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
  ]),
  status: z.number().int().optional(),
  code: z.string().optional(),
  kind: z.string().optional(),
  message: z.string().optional(),
  correlation_id: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
  rendered: z.string().optional(),
}).loose();
/** The SDK's typed error, as the driver maps it. */
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
  close: EmptyResultSchema,
  zeroize: EmptyResultSchema,
  shutdown: EmptyResultSchema,
} as const;
/** An op name. */
export type Op = keyof typeof OP_RESULTS;
/** The result type of an op. */
export type OpResult<O extends Op> = z.infer<typeof OP_RESULTS[O]>;
