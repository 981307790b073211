/**
 * One vocabulary for what a driver call produced, rendered in one place: every check, in every
 * profile, describes an SDK error or a call result with these two functions.
 *
 * @module
 */
import type { SdkError } from "../schema/protocol.ts";
import type { CallResult } from "./types.ts";
import type { Op } from "../schema/protocol.ts";

const MAX_MESSAGE = 200;

/**
 * One line for an SDK error: its type, then status and code when present, then its message
 * (quoted and escaped, at most 200 characters).
 *
 * @param e the error as the driver reported it
 * @returns e.g. `timeout status=503 code=unavailable "request timed out (read)"`
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeError } from "./describe.ts";
 * assert.equal(describeError({ type: "timeout", message: "read timed out" }), 'timeout "read timed out"');
 * assert.equal(
 *   describeError({ type: "problem", status: 404, code: "not_found", message: "" }),
 *   "problem status=404 code=not_found",
 * );
 * ```
 */
export function describeError(e: SdkError): string {
  const parts: string[] = [e.type];
  if (e.status !== undefined) parts.push(`status=${e.status}`);
  if (e.code !== undefined) parts.push(`code=${JSON.stringify(e.code).slice(1, -1)}`);
  if (e.message) {
    const m = e.message.length > MAX_MESSAGE ? `${e.message.slice(0, MAX_MESSAGE)}…` : e.message;
    parts.push(JSON.stringify(m));
  }
  return parts.join(" ");
}

/**
 * One line for any driver call result: a success (with its status when it has one), an SDK
 * error, no reply within the bound, or a driver fault.
 *
 * @param r the call result
 * @returns the description
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeCall } from "./describe.ts";
 * assert.equal(describeCall({ kind: "no_reply", ms: 8001.4 }), "no reply within 8001 ms");
 * assert.equal(describeCall({ kind: "ok", result: { status: 200 }, ms: 3 }), "success (status 200)");
 * ```
 */
export function describeCall(r: CallResult<Op>): string {
  switch (r.kind) {
    case "ok": {
      const res: unknown = r.result;
      const status = typeof res === "object" && res !== null && "status" in res ? res.status : undefined;
      return `success (${typeof status === "number" ? `status ${status}` : "ok"})`;
    }
    case "sdk_error":
      return `SDK error ${describeError(r.error)}`;
    case "no_reply":
      return `no reply within ${Math.round(r.ms)} ms`;
    case "driver_fault":
      return `driver fault: ${r.detail}`;
    default: {
      const never: never = r;
      return `unknown call result ${String(never)}`;
    }
  }
}
