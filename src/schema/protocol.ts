/**
 * Driver (testee) protocol: JSON Lines over stdio. Every message the kit reads
 * is validated with these schemas. See docs/PROTOCOL.md.
 *
 * @module
 */
import { z } from "zod";

/** Protocol version spoken by this kit. */
export const PROTOCOL_VERSION = 1;

/** The SDK's typed error, as the driver maps it. */
export const SdkErrorSchema = z.object({
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
  /**
   * the error as the SDK renders it to its user (`String(err)`, `str(e)`, `err.Error()`): what would
   * land in an application's log. The kit scans it for canaries like every other reply field, so a
   * driver must report it as the SDK produces it, never sanitised by the driver.
   */
  rendered: z.string().optional(),
}).loose();
/** The SDK's typed error. */
export type SdkError = z.infer<typeof SdkErrorSchema>;

/** A reply line from the driver. */
export const ReplySchema = z.union([
  z.object({ id: z.number().int(), ok: z.literal(true), result: z.record(z.string(), z.unknown()) }),
  z.object({ id: z.number().int(), ok: z.literal(false), error: SdkErrorSchema }),
]);
/** A reply line from the driver. */
export type Reply = z.infer<typeof ReplySchema>;

/** Timeouts given to `configure`. */
export const TimeoutsSchema = z.object({
  connect_ms: z.number().int().positive().optional(),
  read_ms: z.number().int().positive().optional(),
  total_ms: z.number().int().positive().optional(),
});

/** `configure` params. */
export const ConfigureParamsSchema = z.object({
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
});
/** `configure` params. */
export type ConfigureParams = z.infer<typeof ConfigureParamsSchema>;

/** `request` params. */
export const RequestParamsSchema = z.object({
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
export type RequestParams = z.infer<typeof RequestParamsSchema>;

/** Results, per op. */
export const HelloResultSchema = z.object({
  protocol: z.literal(PROTOCOL_VERSION),
  name: z.string(),
  version: z.string(),
  language: z.string(),
  capabilities: z.array(z.string()),
});
/** `hello` result. */
export type HelloResult = z.infer<typeof HelloResultSchema>;

/** `configure` result. */
export const ConfigureResultSchema = z.object({ client: z.string() });
/** `request` result. */
export const RequestResultSchema = z.object({
  status: z.number().int(),
  json: z.unknown().optional(),
  headers: z.record(z.string(), z.string()).optional(),
});
/** `request` result. */
export type RequestResult = z.infer<typeof RequestResultSchema>;
/** `subscribe` result. */
export const SubscribeResultSchema = z.object({
  events: z.array(z.unknown()),
  end: z.enum(["max_events", "max_duration", "closed", "error"]),
  error: SdkErrorSchema.optional(),
});
/** `subscribe` result. */
export type SubscribeResult = z.infer<typeof SubscribeResultSchema>;
/** `parse_problem` result. */
export const ParseProblemResultSchema = z.object({ problem: SdkErrorSchema });
/** `decode_dto` / `encode_dto` result. */
export const DtoResultSchema = z.object({ json: z.unknown() });
/** `parse_secret_uri` result. */
export const SecretUriResultSchema = z.object({ canonical: z.string() });
/** `validate_manifest` result. */
export const ManifestResultSchema = z.object({ ok: z.literal(true) });
/** `{}` results (`rotate_token`, `close`, `zeroize`, `shutdown`). */
export const EmptyResultSchema = z.object({}).loose();

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
