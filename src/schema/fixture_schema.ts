/**
 * Zod schemas of the golden fixture group files under `fixtures/` (loaded by `fixture.ts`).
 * Every file is `{description, cases: [{description, input, expected}]}`; every `expected` names
 * one outcome or an explicit set of allowed outcomes, never "anything goes".
 *
 * Data-only size tricks, expanded when a file is parsed:
 * - problem `input.body_repeat: {prefix?, unit, times, suffix?}` instead of `input.body`
 *   stands for `prefix + unit.repeat(times) + suffix`;
 * - a string field of an expected problem outcome may be `{repeat: {prefix?, unit, times, suffix?}}`.
 *
 * @module
 */
import { z } from "zod";
import type { Same } from "./_same.ts";
import { PROBLEM_PARSE_ERROR_CODES } from "./problem.ts";
import { DTO_ERROR_CODES } from "./dto.ts";
import { VIOLATION_CODES } from "./manifest.ts";
import { SECRET_URI_ERROR_CODES } from "./secret_uri.ts";

const repeat = z.strictObject({
  prefix: z.string().optional(),
  unit: z.string().min(1),
  times: z.number().int().min(1).max(10_000_000),
  suffix: z.string().optional(),
});
/** A repeated string, expanded by the loader: `prefix + unit.repeat(times) + suffix`. */
export const RepeatSchema: z.ZodObject<{
  prefix: z.ZodOptional<z.ZodString>;
  unit: z.ZodString;
  times: z.ZodNumber;
  suffix: z.ZodOptional<z.ZodString>;
}, z.core.$strict> = repeat;
const _repeat: Same<typeof repeat, typeof RepeatSchema> = true;

function expand(r: z.infer<typeof RepeatSchema>): string {
  return (r.prefix ?? "") + r.unit.repeat(r.times) + (r.suffix ?? "");
}

/** A string or `{repeat}`, read as the expanded string. */
type StrOrRepeat = z.ZodUnion<
  readonly [z.ZodString, z.ZodObject<{ repeat: typeof RepeatSchema }, z.core.$strict>]
>;
/** The schema of a fixture string that may be written as `{repeat}`. */
type StrSchema = z.ZodPipe<StrOrRepeat, z.ZodTransform<string, z.output<StrOrRepeat>>>;
const Str = z.union([z.string(), z.strictObject({ repeat: RepeatSchema })]).transform((v) =>
  typeof v === "string" ? v : expand(v.repeat)
);
const _str: Same<typeof Str, StrSchema> = true;

/** The schema of a fixture group file whose cases have an `input` of `I` and an `expected` of `E`. */
type GroupSchema<I extends z.ZodType, E extends z.ZodType> = z.ZodObject<{
  description: z.ZodString;
  /** free-form provenance, e.g. "seed 003 Testing strategy" */
  source: z.ZodOptional<z.ZodString>;
  cases: z.ZodArray<
    z.ZodObject<
      {
        description: z.ZodString;
        comment: z.ZodOptional<z.ZodString>;
        /** why only one outcome is allowed: the text that rules out every other (see fixtures/README.md) */
        reason: z.ZodOptional<z.ZodString>;
        input: I;
        expected: E;
      },
      z.core.$strict
    >
  >;
}, z.core.$strict>;

/** The group schema; its return type is proven equal to {@link GroupSchema} at every use below. */
function group<I extends z.ZodType, E extends z.ZodType>(input: I, expected: E) {
  return z.strictObject({
    description: z.string().min(1),
    source: z.string().optional(),
    cases: z.array(z.strictObject({
      description: z.string().min(1),
      comment: z.string().optional(),
      reason: z.string().min(1).optional(),
      input,
      expected,
    })).min(1),
  });
}

/** A closed set of codes, typed as plain strings. */
type CodeSchema = z.ZodEnum<z.core.util.ToEnum<string>>;

const problemOutcome = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("problem"),
    code: Str,
    kind: Str,
    message: Str,
    correlation_id: Str,
    details: z.record(z.string(), z.unknown()),
    mapping: z.literal("rfc9457").optional(),
  }),
  z.strictObject({
    type: z.literal("transport"),
    reason: z.enum(PROBLEM_PARSE_ERROR_CODES as [string, ...string[]]).optional(),
  }),
  z.strictObject({ type: z.literal("network") }),
]);
/**
 * One allowed outcome of a Problem case, compared with the SdkError of `parse_problem` or of a
 * request. A `problem` outcome with `mapping: "rfc9457"` gives the kit's own mapping of an RFC 9457
 * document; the sdk checks also accept the other readings listed in docs/PROTOCOL.md.
 */
export const ProblemOutcomeSchema: z.ZodDiscriminatedUnion<
  [
    z.ZodObject<{
      type: z.ZodLiteral<"problem">;
      code: StrSchema;
      kind: StrSchema;
      message: StrSchema;
      correlation_id: StrSchema;
      details: z.ZodRecord<z.ZodString, z.ZodUnknown>;
      mapping: z.ZodOptional<z.ZodLiteral<"rfc9457">>;
    }, z.core.$strict>,
    z.ZodObject<{
      type: z.ZodLiteral<"transport">;
      /** the kit's own parse error code (checked against the reference parser only) */
      reason: z.ZodOptional<CodeSchema>;
    }, z.core.$strict>,
    /** seed 000 §3.1: a body that cannot be parsed may be wrapped in a network error too */
    z.ZodObject<{ type: z.ZodLiteral<"network"> }, z.core.$strict>,
  ],
  "type"
> = problemOutcome;
const _problemOutcome: Same<typeof problemOutcome, typeof ProblemOutcomeSchema> = true;
/** One allowed outcome of a Problem case. */
export type ProblemOutcome = z.infer<typeof ProblemOutcomeSchema>;

/** The `input` of a Problem case: exactly one of `body` / `body_repeat`, read as `body`. */
type ProblemInputObject = z.ZodObject<{
  status: z.ZodNumber;
  content_type: z.ZodNullable<z.ZodString>;
  body: z.ZodOptional<z.ZodString>;
  body_repeat: z.ZodOptional<typeof RepeatSchema>;
}, z.core.$strict>;
const problemGroup = group(
  z.strictObject({
    status: z.number().int().min(100).max(599),
    content_type: z.string().nullable(),
    body: z.string().optional(),
    body_repeat: RepeatSchema.optional(),
  }).refine((i) => (i.body === undefined) !== (i.body_repeat === undefined), {
    message: "exactly one of body / body_repeat",
  }).transform(({ status, content_type, body, body_repeat }) => ({
    status,
    content_type,
    body: body ?? (body_repeat === undefined ? "" : expand(body_repeat)),
  })),
  z.strictObject({ outcomes: z.array(ProblemOutcomeSchema).min(1) }),
);
/** `fixtures/problem/*.json`. */
export const ProblemGroupSchema: GroupSchema<
  z.ZodPipe<
    ProblemInputObject,
    z.ZodTransform<
      { status: number; content_type: string | null; body: string },
      z.output<ProblemInputObject>
    >
  >,
  z.ZodObject<{ outcomes: z.ZodArray<typeof ProblemOutcomeSchema> }, z.core.$strict>
> = problemGroup;
const _problemGroup: Same<typeof problemGroup, typeof ProblemGroupSchema> = true;

const dtoGroup = group(
  z.strictObject({ type: z.string(), json: z.unknown() }),
  z.union([
    z.strictObject({ canonical: z.string() }),
    z.strictObject({ error: z.enum(DTO_ERROR_CODES as [string, ...string[]]) }),
  ]),
);
/** `fixtures/dto/*.json`: the canonical JSON after decode + encode, or the decode error. */
export const DtoGroupSchema: GroupSchema<
  z.ZodObject<{ type: z.ZodString; json: z.ZodUnknown }, z.core.$strict>,
  z.ZodUnion<
    readonly [
      z.ZodObject<{ canonical: z.ZodString }, z.core.$strict>,
      z.ZodObject<{ error: CodeSchema }, z.core.$strict>,
    ]
  >
> = dtoGroup;
const _dtoGroup: Same<typeof dtoGroup, typeof DtoGroupSchema> = true;

const manifestGroup = group(
  z.strictObject({ toml: z.string() }),
  z.union([
    z.strictObject({ ok: z.literal(true) }),
    z.strictObject({
      ok: z.literal(false),
      violations: z.array(z.strictObject({
        code: z.enum(VIOLATION_CODES as [string, ...string[]]),
        path: z.string(),
      })).min(1),
    }),
  ]),
);
/** `fixtures/manifest/*.json`: valid, or exactly these violations (order-free). */
export const ManifestGroupSchema: GroupSchema<
  z.ZodObject<{ toml: z.ZodString }, z.core.$strict>,
  z.ZodUnion<
    readonly [
      z.ZodObject<{ ok: z.ZodLiteral<true> }, z.core.$strict>,
      z.ZodObject<{
        ok: z.ZodLiteral<false>;
        violations: z.ZodArray<z.ZodObject<{ code: CodeSchema; path: z.ZodString }, z.core.$strict>>;
      }, z.core.$strict>,
    ]
  >
> = manifestGroup;
const _manifestGroup: Same<typeof manifestGroup, typeof ManifestGroupSchema> = true;

const secretUriGroup = group(
  z.strictObject({ pointer: z.string(), tenant_id: z.string(), allowed_mounts: z.array(z.string()) }),
  z.union([
    z.strictObject({ canonical: z.string() }),
    z.strictObject({ error: z.enum(SECRET_URI_ERROR_CODES as [string, ...string[]]) }),
  ]),
);
/** `fixtures/secret_uri/*.json`: the canonical string, or the error code. */
export const SecretUriGroupSchema: GroupSchema<
  z.ZodObject<
    { pointer: z.ZodString; tenant_id: z.ZodString; allowed_mounts: z.ZodArray<z.ZodString> },
    z.core.$strict
  >,
  z.ZodUnion<
    readonly [
      z.ZodObject<{ canonical: z.ZodString }, z.core.$strict>,
      z.ZodObject<{ error: CodeSchema }, z.core.$strict>,
    ]
  >
> = secretUriGroup;
const _secretUriGroup: Same<typeof secretUriGroup, typeof SecretUriGroupSchema> = true;

const headersGroup = group(
  z.union([z.strictObject({ name: z.string().min(1) }), z.strictObject({ value: Str })]),
  z.union([
    z.strictObject({ redact: z.enum(["must", "must_not", "may"]) }),
    z.strictObject({ legal: z.boolean() }),
  ]),
);
/**
 * `fixtures/headers/*.json`: either a header name and whether it must be redacted in logs,
 * errors and evidence (`"must"`, `"must_not"`, or `"may"` = either is fine), or a header value
 * and whether it is a legal RFC 9110 field value (an SDK must refuse to send an illegal one).
 */
export const HeadersGroupSchema: GroupSchema<
  z.ZodUnion<
    readonly [
      z.ZodObject<{ name: z.ZodString }, z.core.$strict>,
      z.ZodObject<{ value: StrSchema }, z.core.$strict>,
    ]
  >,
  z.ZodUnion<
    readonly [
      z.ZodObject<{ redact: z.ZodEnum<z.core.util.ToEnum<"must" | "must_not" | "may">> }, z.core.$strict>,
      z.ZodObject<{ legal: z.ZodBoolean }, z.core.$strict>,
    ]
  >
> = headersGroup;
const _headersGroup: Same<typeof headersGroup, typeof HeadersGroupSchema> = true;

/** Fixture groups owned by this module, and their schemas. */
export const FIXTURE_SCHEMAS = {
  problem: ProblemGroupSchema,
  dto: DtoGroupSchema,
  manifest: ManifestGroupSchema,
  secret_uri: SecretUriGroupSchema,
  headers: HeadersGroupSchema,
} as const;

/** A fixture group name. */
export type FixtureKind = keyof typeof FIXTURE_SCHEMAS;
/** Every fixture group name (`loadFixtures` reads `fixtures/<kind>/`). */
export const FIXTURE_KINDS: readonly FixtureKind[] = ["problem", "dto", "manifest", "secret_uri", "headers"];
/** A loaded (expanded) fixture group file of a kind. */
export type FixtureGroup<K extends FixtureKind> = z.output<typeof FIXTURE_SCHEMAS[K]> & { file: string };
