/**
 * Standard base64 to and from bytes (`atob`/`btoa` work on binary strings, not bytes).
 *
 * @module
 */

/**
 * Encode bytes as standard, padded base64.
 *
 * @param b the bytes
 * @returns the base64 text
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesToBase64 } from "./base64.ts";
 * assert.equal(bytesToBase64(new Uint8Array([0, 255, 1])), "AP8B");
 * ```
 */
export function bytesToBase64(b: Uint8Array): string {
  let bin = "";
  for (const x of b) bin += String.fromCharCode(x);
  return btoa(bin);
}

/**
 * Decode standard, padded base64 to bytes; throws (as `atob` does) when the text is not base64.
 *
 * @param s the base64 text
 * @returns the bytes
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { base64ToBytes } from "./base64.ts";
 * assert.deepEqual([...base64ToBytes("AP8B")], [0, 255, 1]);
 * assert.throws(() => base64ToBytes("not base64!"));
 * ```
 */
export function base64ToBytes(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
