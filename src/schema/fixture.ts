/**
 * Golden fixtures: the loaders of the fixture group files under `fixtures/`, whose schemas live in
 * `fixture_schema.ts` (re-exported here). A malformed file makes the loader throw with the file name
 * (a broken fixture fails the run).
 *
 * @module
 */
import { z } from "zod";
import { FIXTURE_SCHEMAS, type FixtureGroup, type FixtureKind } from "./fixture_schema.ts";

export * from "./fixture_schema.ts";

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
