/**
 * The digest `get_secret` answers with instead of a value: SHA-256 of the value's canonical JSON.
 *
 * @module
 */
import { canonicalJson } from "../schema/dto.ts";

/**
 * SHA-256 (lowercase hex) of a value's canonical JSON (`src/schema/dto.ts`: keys sorted, no spaces).
 *
 * @param value a JSON value
 * @returns 64 hex characters
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(await secretDigest({ b: 1, a: "x" }), await secretDigest({ a: "x", b: 1 }));
 * assert.equal(await secretDigest("s3cr3t"), "5b9929d2f7ee9f74ff3d3a9c54638e22a95d50d2a3979be44d89f817353933aa");
 * ```
 */
export async function secretDigest(value: unknown): Promise<string> {
  const bytes = new TextEncoder().encode(canonicalJson(value));
  const d = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(d)].map((x) => x.toString(16).padStart(2, "0")).join("");
}
