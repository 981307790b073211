/**
 * The fast path of `parseProblem` (internal to `problem.ts`): decide whether a parsed JSON object is
 * a canonical Problem envelope by looking at its shape, without zod. It answers only when it is
 * sure; `"unsure"` sends the object to `ProblemSchema.safeParse`, which stays the definition (the
 * fixtures and a fast-check property in `problem_test.ts` prove both agree).
 *
 * @module
 */

/** The canonical envelope as the fast path builds it (the same type zod infers for `ProblemSchema`). */
export interface CanonicalShape {
  code: string;
  kind: string;
  message: string;
  correlation_id: string;
  details: Record<string, unknown>;
}

/**
 * Check the shape `{code, kind, message, correlation_id: string, details: object}` of an object
 * that came out of `JSON.parse`.
 *
 * @param json a plain object produced by `JSON.parse` (own data properties, `Object.prototype`)
 * @returns the envelope (unknown members dropped, as zod drops them; `details` is the parsed object
 *   itself, which nobody else holds), `undefined` when it is certainly not canonical, or `"unsure"`
 *   when zod must decide (a `__proto__` member in `details`, which zod drops, or a `details` that is
 *   not an ordinary object)
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const ok = canonicalShape(JSON.parse('{"code":"c","kind":"k","message":"m","correlation_id":"r","details":{}}'));
 * assert.deepEqual(ok, { code: "c", kind: "k", message: "m", correlation_id: "r", details: {} });
 * assert.equal(canonicalShape({ code: "c" }), undefined);
 * ```
 */
export function canonicalShape(json: Record<string, unknown>): CanonicalShape | undefined | "unsure" {
  const code = json["code"];
  const kind = json["kind"];
  const message = json["message"];
  const correlationId = json["correlation_id"];
  const details = json["details"];
  if (
    typeof code !== "string" || typeof kind !== "string" || typeof message !== "string" ||
    typeof correlationId !== "string" || typeof details !== "object" || details === null ||
    Array.isArray(details)
  ) {
    return undefined;
  }
  if (Object.getPrototypeOf(details) !== Object.prototype || Object.hasOwn(details, "__proto__")) {
    return "unsure";
  }
  return { code, kind, message, correlation_id: correlationId, details: details as Record<string, unknown> };
}
