/**
 * One way to turn anything thrown into one line of text: the message, then each `cause` in turn
 * (`fetch failed (cause: connection refused)`), bounded in depth and length.
 *
 * @module
 */

const MAX_CAUSES = 4;
const MAX_CHARS = 2_000;

function one(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  if (typeof e === "string") return e;
  try {
    return String(e);
  } catch {
    return Object.prototype.toString.call(e);
  }
}

/**
 * The text of a thrown value, with its causes.
 *
 * @param e anything thrown
 * @returns one line, at most 2,000 characters
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorMessage } from "./error_message.ts";
 * assert.equal(errorMessage(new Error("boom")), "boom");
 * assert.equal(errorMessage("text"), "text");
 * const e = new TypeError("fetch failed", { cause: new Error("connection refused") });
 * assert.equal(errorMessage(e), "fetch failed (cause: connection refused)");
 * ```
 */
export function errorMessage(e: unknown): string {
  let text = one(e);
  let cur: unknown = e;
  for (let i = 0; i < MAX_CAUSES && cur instanceof Error && cur.cause !== undefined; i++) {
    cur = cur.cause;
    const c = one(cur);
    if (c !== "" && !text.includes(c)) text += ` (cause: ${c})`;
  }
  text = text.replaceAll(/\s*\n\s*/g, " ");
  return text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS)}…` : text;
}
