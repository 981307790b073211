/**
 * Golden fixtures: zod schemas of the fixture group files under `fixtures/` and their loaders.
 * Every file is `{description, cases: [{description, input, expected}]}`; every `expected` names
 * one outcome or an explicit set of allowed outcomes, never "anything goes". A malformed file
 * makes the loader throw with the file name (a broken fixture fails the run).
 *
 * Data-only size tricks, expanded by the loader:
 * - problem `input.body_repeat: {prefix?, unit, times, suffix?}` instead of `input.body`
 *   stands for `prefix + unit.repeat(times) + suffix`;
 * - a string field of an expected problem outcome may be `{repeat: {prefix?, unit, times, suffix?}}`.
 *
 * @module
 */
import { z } from "zod";
import { PROBLEM_PARSE_ERROR_CODES } from "./problem.ts";
import { DTO_ERROR_CODES } from "./dto.ts";
import { VIOLATION_CODES } from "./manifest.ts";
import { SECRET_URI_ERROR_CODES } from "./secret_uri.ts";

/** A repeated string, expanded by the loader: `prefix + unit.repeat(times) + suffix`. */
export const RepeatSchema = z.strictObject({
  prefix: z.string().optional(),
  unit: z.string().min(1),
  times: z.number().int().min(1).max(10_000_000),
  suffix: z.string().optional(),
});

function expand(r: z.infer<typeof RepeatSchema>): string {
  return (r.prefix ?? "") + r.unit.repeat(r.times) + (r.suffix ?? "");
}

const Str = z.union([z.string(), z.strictObject({ repeat: RepeatSchema })]).transform((v) =>
  typeof v === "string" ? v : expand(v.repeat)
);

function group<I extends z.ZodType, E extends z.ZodType>(input: I, expected: E) {
  return z.strictObject({
    description: z.string().min(1),
    /** free-form provenance, e.g. "seed 003 Testing strategy" */
    source: z.string().optional(),
    cases: z.array(z.strictObject({
      description: z.string().min(1),
      comment: z.string().optional(),
      /** why only one outcome is allowed: the text that rules out every other (required then, see fixtures/README.md) */
      reason: z.string().min(1).optional(),
      input,
      expected,
    })).min(1),
  });
}

/**
 * One allowed outcome of a Problem case, compared with the SdkError of `parse_problem` or of a
 * request. A `problem` outcome with `mapping: "rfc9457"` gives the kit's own mapping of an RFC 9457
 * document; the sdk checks also accept the other readings listed in docs/PROTOCOL.md.
 */
export const ProblemOutcomeSchema = z.discriminatedUnion("type", [
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
    /** the kit's own parse error code (checked against the reference parser only) */
    reason: z.enum(PROBLEM_PARSE_ERROR_CODES as [string, ...string[]]).optional(),
  }),
  /** seed 000 §3.1: a body that cannot be parsed may be wrapped in a network error too */
  z.strictObject({ type: z.literal("network") }),
]);
/** One allowed outcome of a Problem case. */
export type ProblemOutcome = z.infer<typeof ProblemOutcomeSchema>;

/** `fixtures/problem/*.json`. */
export const ProblemGroupSchema = group(
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

/** `fixtures/dto/*.json`: the canonical JSON after decode + encode, or the decode error. */
export const DtoGroupSchema = group(
  z.strictObject({ type: z.string(), json: z.unknown() }),
  z.union([
    z.strictObject({ canonical: z.string() }),
    z.strictObject({ error: z.enum(DTO_ERROR_CODES as [string, ...string[]]) }),
  ]),
);

/** `fixtures/manifest/*.json`: valid, or exactly these violations (order-free). */
export const ManifestGroupSchema = group(
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

/** `fixtures/secret_uri/*.json`: the canonical string, or the error code. */
export const SecretUriGroupSchema = group(
  z.strictObject({ pointer: z.string(), tenant_id: z.string(), allowed_mounts: z.array(z.string()) }),
  z.union([
    z.strictObject({ canonical: z.string() }),
    z.strictObject({ error: z.enum(SECRET_URI_ERROR_CODES as [string, ...string[]]) }),
  ]),
);

/**
 * `fixtures/headers/*.json`: either a header name and whether it must be redacted in logs,
 * errors and evidence (`"must"`, `"must_not"`, or `"may"` = either is fine), or a header value
 * and whether it is a legal RFC 9110 field value (an SDK must refuse to send an illegal one).
 */
export const HeadersGroupSchema = group(
  z.union([z.strictObject({ name: z.string().min(1) }), z.strictObject({ value: Str })]),
  z.union([
    z.strictObject({ redact: z.enum(["must", "must_not", "may"]) }),
    z.strictObject({ legal: z.boolean() }),
  ]),
);

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
/** Every fixture group name this module loads. */
export const FIXTURE_KINDS: readonly FixtureKind[] = ["problem", "dto", "manifest", "secret_uri", "headers"];
/** A loaded (expanded) fixture group file of a kind. */
export type FixtureGroup<K extends FixtureKind> = z.output<typeof FIXTURE_SCHEMAS[K]> & { file: string };

/** The `fixtures/` directory. */
export const FIXTURES_DIR: URL = new URL("../../fixtures/", import.meta.url);

/**
 * Load and validate one fixture group file.
 *
 * @param kind the group
 * @param path the file (path or URL)
 * @returns the validated group, with the file name in `file`
 * @throws {Error} naming the file, when it cannot be read, is not JSON, or does not match the schema
 */
export async function loadFixtureGroup<K extends FixtureKind>(
  kind: K,
  path: string | URL,
): Promise<FixtureGroup<K>> {
  const name = String(path);
  let json: unknown;
  try {
    json = JSON.parse(await Deno.readTextFile(path));
  } catch (e) {
    throw new Error(`fixture ${name}: cannot read JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const r = FIXTURE_SCHEMAS[kind].safeParse(json);
  if (!r.success) {
    throw new Error(`fixture ${name}: does not match the ${kind} schema: ${z.prettifyError(r.error)}`);
  }
  return { ...(r.data as z.output<typeof FIXTURE_SCHEMAS[K]>), file: name };
}

/**
 * Load every `fixtures/<kind>/*.json` file, sorted by name.
 *
 * @param kind the group
 * @returns the validated groups
 * @throws {Error} naming the first malformed file
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const groups = await loadFixtures("secret_uri");
 * assert.ok(groups.length > 0);
 * ```
 */
export async function loadFixtures<K extends FixtureKind>(kind: K): Promise<FixtureGroup<K>[]> {
  const dir = new URL(`${kind}/`, FIXTURES_DIR);
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) if (e.isFile && e.name.endsWith(".json")) names.push(e.name);
  names.sort();
  return await Promise.all(names.map((n) => loadFixtureGroup(kind, new URL(n, dir))));
}

const SENSITIVE_EXACT = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "api-key",
  "x-auth-token",
  "x-amz-security-token",
  "x-csrf-token",
]);
const SENSITIVE_PARTS = /(token|secret|passw|api-?key|credential|session|cookie|signature|auth)/;

/**
 * Whether a header's value must be redacted wherever the kit or an SDK prints it (seed 000 §3.3):
 * the well-known credential headers and any name with a secret-like part.
 *
 * @param name a header name (any case)
 * @returns true when the value must be shown as redacted
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(isSensitiveHeaderName("Set-Cookie"), true);
 * assert.equal(isSensitiveHeaderName("Content-Type"), false);
 * ```
 */
export function isSensitiveHeaderName(name: string): boolean {
  const n = name.trim().toLowerCase();
  return SENSITIVE_EXACT.has(n) || SENSITIVE_PARTS.test(n);
}

/**
 * Whether a string is a legal HTTP field value (RFC 9110 §5.5): visible ASCII, space, tab and
 * obs-text (U+0080–U+00FF), no leading or trailing whitespace, never CR, LF or NUL.
 *
 * @param value the header value
 * @returns true when it may be sent as is
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(isLegalHeaderValue("Bearer abc"), true);
 * assert.equal(isLegalHeaderValue("a\r\nX-Injected: 1"), false);
 * ```
 */
export function isLegalHeaderValue(value: string): boolean {
  if (value === "") return true;
  if (/^[ \t]|[ \t]$/.test(value)) return false;
  return /^[\t\x20-\x7e\x80-\xff]*$/.test(value);
}
