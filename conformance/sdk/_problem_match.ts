/**
 * Judging an SDK error against the allowed outcomes of a Problem fixture, field by field, and
 * describing every difference. Internal to `sdk.errors.*`.
 *
 * Canonical envelopes are compared exactly (a Problem without a correlation id may carry the
 * request's own `X-Request-ID`, seed 000 §3.2). A `problem` outcome with `mapping: "rfc9457"`
 * also accepts every reading of the RFC 9457 document listed in docs/PROTOCOL.md
 * § "RFC 9457 bodies" ({@link rfc9457Readings}).
 *
 * @module
 */
import { isDeepStrictEqual } from "node:util";
import type { SdkError } from "../../src/schema/protocol.ts";
import type { ProblemOutcome } from "../../src/schema/fixture.ts";

/** A Problem case as it goes on the wire (or into `parse_problem`). */
export interface ProblemWire {
  status: number;
  contentType: string | null;
  body: string;
}

/** One compared field: what was allowed, what came, and whether it matched. */
export interface FieldCheck {
  field: string;
  expected: string;
  got: string;
  ok: boolean;
}

/** The values each field may take under the accepted readings of one RFC 9457 document. */
export interface Rfc9457Readings {
  code: string[];
  kind: string[];
  message: string[];
  correlation_id: string[];
  /** `details` may hold any of these extension members, each with this value (RFC 9457 §3.2) */
  extensions: Record<string, unknown>;
}

/** The judgement of one SDK error against a case's allowed outcomes. */
export interface CaseJudgement {
  ok: boolean;
  /** the fields compared against the closest allowed outcome (all of them, matched or not) */
  fields: FieldCheck[];
}

/** Longest text of one field in a reason or note. */
export const MAX_FIELD_CHARS = 200;

const STANDARD = new Set(["type", "title", "status", "detail", "instance"]);

function clip(s: string): string {
  return s.length > MAX_FIELD_CHARS ? `${s.slice(0, MAX_FIELD_CHARS)}…` : s;
}

function show(v: unknown): string {
  return v === undefined ? "<absent>" : clip(JSON.stringify(v) ?? String(v));
}

function showSet(values: readonly string[]): string {
  const uniq = [...new Set(values)];
  return clip(
    uniq.length === 1 ? JSON.stringify(uniq[0]) : `one of ${uniq.map((v) => JSON.stringify(v)).join(" | ")}`,
  );
}

function lastSegment(type: string, decode: boolean): string {
  let t = type;
  const cut = t.search(/[?#]/);
  if (cut >= 0) t = t.slice(0, cut);
  t = t.replace(/\/+$/, "");
  const seg = t.slice(Math.max(t.lastIndexOf("/"), t.lastIndexOf(":")) + 1);
  if (!decode) return seg;
  try {
    return decodeURIComponent(seg);
  } catch {
    return seg;
  }
}

function slugs(title: string): string[] {
  const words = title.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w !== "");
  return words.length === 0 ? [] : [words.join("_"), words.join("-")];
}

/**
 * The accepted readings of an RFC 9457 document (members of the wrong type are ignored, §3.1).
 * `code`: the type URI's last segment (decoded or raw) or the whole URI; for an absent or
 * `about:blank` type, `http_<status>`, `<status>` or `about:blank` (status: the HTTP status, or
 * the advisory `status` member, §3.1.2); in both cases also a slug of `title` (`not_found`,
 * `not-found`) or a string `code` extension member. `kind`: `title`, the type URI or its last
 * segment, and without a title `http_<status>` or `""`. `message`: `detail`, `title`,
 * `"<title>: <detail>"`, or `""` when there is no detail. `correlation_id`: the `correlation_id`
 * extension or `instance`; when the extension is absent also `""` or the request's own id.
 * `details`: any subset of the extension members, values unchanged (§3.2 lets a client ignore
 * extensions it does not know).
 *
 * @param doc the parsed document
 * @param status the HTTP status
 * @param sentRequestId the `X-Request-ID` the SDK sent, if any
 * @returns the accepted values per field
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const r = rfc9457Readings({ type: "about:blank", title: "Not Found" }, 404);
 * assert.ok(r.code.includes("http_404") && r.code.includes("not_found"));
 * assert.deepEqual(r.message, ["Not Found", ""]);
 * ```
 */
export function rfc9457Readings(
  doc: Record<string, unknown>,
  status: number,
  sentRequestId?: string,
): Rfc9457Readings {
  const str = (k: string) => typeof doc[k] === "string" ? doc[k] as string : undefined;
  const member = doc["status"];
  const statuses = [status];
  if (typeof member === "number" && Number.isInteger(member) && member !== status) statuses.push(member);
  const type = str("type");
  const title = str("title");
  const detail = str("detail");
  const blank = type === undefined || type === "" || type === "about:blank";
  const fallback = statuses.flatMap((s) => [`http_${s}`, `${s}`]);
  const extCode = typeof doc["code"] === "string" ? [doc["code"] as string] : [];
  const titleSlugs = title === undefined ? [] : slugs(title);
  const code = blank
    ? [...fallback, "about:blank", ...titleSlugs, ...extCode]
    : [lastSegment(type, true), lastSegment(type, false), type, ...titleSlugs, ...extCode];
  const kind = [
    ...(title === undefined ? [...statuses.map((s) => `http_${s}`), ""] : [title]),
    blank ? "about:blank" : type,
    ...(blank ? [] : [lastSegment(type, true)]),
  ];
  const message = [
    ...(detail === undefined ? [] : [detail]),
    ...(title === undefined ? [] : [title]),
    ...(title !== undefined && detail !== undefined ? [`${title}: ${detail}`] : []),
    ...(detail === undefined ? [""] : []),
  ];
  const ext = str("correlation_id");
  const instance = str("instance");
  const correlation_id = [
    ...(ext === undefined ? [] : [ext]),
    ...(instance === undefined ? [] : [instance]),
    ...(ext === undefined ? ["", ...(sentRequestId === undefined ? [] : [sentRequestId])] : []),
  ];
  const extensions = Object.fromEntries(
    Object.entries(doc).filter(([k]) => !STANDARD.has(k) && k !== "__proto__"),
  );
  return { code, kind, message, correlation_id, extensions };
}

function parseDoc(body: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(body.replace(/^\uFEFF/, "").trim());
    return typeof v === "object" && v !== null && !Array.isArray(v)
      ? v as Record<string, unknown>
      : undefined;
  } catch {
    return undefined;
  }
}

function check(field: string, got: unknown, allowed: readonly string[]): FieldCheck {
  return {
    field,
    expected: showSet(allowed),
    got: show(got),
    ok: typeof got === "string" && allowed.includes(got),
  };
}

type ProblemExpected = Extract<ProblemOutcome, { type: "problem" }>;

function problemFields(
  e: SdkError,
  o: ProblemExpected,
  wire: ProblemWire,
  sentRequestId?: string,
): FieldCheck[] {
  const corr = e.correlation_id ?? "";
  const details = e.details ?? {};
  const doc = o.mapping === "rfc9457" ? parseDoc(wire.body) : undefined;
  if (doc === undefined) {
    const corrAllowed = o.correlation_id === "" && sentRequestId !== undefined
      ? ["", sentRequestId]
      : [o.correlation_id];
    return [
      check("code", e.code, [o.code]),
      check("kind", e.kind, [o.kind]),
      check("message", e.message, [o.message]),
      { ...check("correlation_id", corr, corrAllowed), got: show(e.correlation_id) },
      {
        field: "details",
        expected: show(o.details),
        got: show(e.details),
        ok: isDeepStrictEqual(details, o.details),
      },
    ];
  }
  const r = rfc9457Readings(doc, wire.status, sentRequestId);
  const subset =
    Object.entries(details).every(([k, v]) =>
      Object.hasOwn(r.extensions, k) && isDeepStrictEqual(v, r.extensions[k])
    ) || isDeepStrictEqual(details, o.details);
  return [
    check("code", e.code, [o.code, ...r.code]),
    check("kind", e.kind, [o.kind, ...r.kind]),
    check("message", e.message, [o.message, ...r.message]),
    {
      ...check("correlation_id", corr, [o.correlation_id, ...r.correlation_id]),
      got: show(e.correlation_id),
    },
    {
      field: "details",
      expected: `${show(o.details)} or any subset of the extension members ${show(r.extensions)}`,
      got: show(e.details),
      ok: subset,
    },
  ];
}

/**
 * Compare an SDK error with one allowed outcome, field by field.
 *
 * @param e the SDK's error
 * @param o the allowed outcome
 * @param wire the case as served
 * @param sentRequestId the `X-Request-ID` the SDK sent, if any
 * @returns every compared field (`type` first), matched or not
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const wire = { status: 500, contentType: "text/html", body: "<html>" };
 * const fields = compareOutcome({ type: "problem", code: "x" }, { type: "transport" }, wire);
 * assert.deepEqual(fields, [{ field: "type", expected: '"transport"', got: '"problem"', ok: false }]);
 * ```
 */
export function compareOutcome(
  e: SdkError,
  o: ProblemOutcome,
  wire: ProblemWire,
  sentRequestId?: string,
): FieldCheck[] {
  const type: FieldCheck = {
    field: "type",
    expected: show(o.type),
    got: show(e.type),
    ok: e.type === o.type,
  };
  switch (o.type) {
    case "transport":
    case "network":
      return [type];
    case "problem":
      return [type, ...problemFields(e, o, wire, sentRequestId)];
    default: {
      const never: never = o;
      throw new Error(`unknown outcome ${String(never)}`);
    }
  }
}

/**
 * Judge an SDK error against every allowed outcome of a case. When none matches, the fields are
 * those of the closest outcome of the same type (the fewest differences); when no outcome has the
 * error's type, only the type is compared.
 *
 * @param e the SDK's error
 * @param outcomes the case's allowed outcomes
 * @param wire the case as served
 * @param sentRequestId the `X-Request-ID` the SDK sent, if any
 * @returns whether one outcome matched, and the compared fields
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const wire = { status: 502, contentType: null, body: "" };
 * const allowed = [{ type: "transport" as const }, { type: "network" as const }];
 * assert.equal(judgeProblemCase({ type: "network" }, allowed, wire).ok, true);
 * assert.deepEqual(judgeProblemCase({ type: "other" }, allowed, wire).fields, [
 *   { field: "type", expected: "transport | network", got: "other", ok: false },
 * ]);
 * ```
 */
export function judgeProblemCase(
  e: SdkError,
  outcomes: readonly ProblemOutcome[],
  wire: ProblemWire,
  sentRequestId?: string,
): CaseJudgement {
  const same = outcomes.filter((o) => o.type === e.type);
  if (same.length === 0) {
    const types = [...new Set(outcomes.map((o) => o.type))].join(" | ");
    return { ok: false, fields: [{ field: "type", expected: types, got: e.type, ok: false }] };
  }
  let best: FieldCheck[] = [];
  let bestBad = Infinity;
  for (const o of same) {
    const fields = compareOutcome(e, o, wire, sentRequestId);
    const bad = fields.filter((f) => !f.ok).length;
    if (bad === 0) return { ok: true, fields };
    if (bad < bestBad) [best, bestBad] = [fields, bad];
  }
  return { ok: false, fields: best };
}

/**
 * The allowed outcomes in one line: each outcome's type, with the expected fields of a Problem.
 *
 * @param outcomes the case's allowed outcomes
 * @returns e.g. `problem {code: "not_found", kind: "NotFound", …} | transport | network`
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(describeOutcomes([{ type: "transport", reason: "not_json" }, { type: "network" }]), "transport | network");
 * ```
 */
export function describeOutcomes(outcomes: readonly ProblemOutcome[]): string {
  return outcomes.map((o) =>
    o.type === "problem"
      ? `problem {code: ${show(o.code)}, kind: ${show(o.kind)}, message: ${
        show(o.message)
      }, correlation_id: ${show(o.correlation_id)}, details: ${show(o.details)}${
        o.mapping === "rfc9457" ? ", or another RFC 9457 reading" : ""
      }}`
      : o.type
  ).join(" | ");
}

/**
 * The differences of a judgement, one `field: expected X, got Y` per field that did not match.
 *
 * @param fields the compared fields
 * @returns the differences joined with "; "
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const d = describeDifferences([{ field: "kind", expected: '"NotFound"', got: "<absent>", ok: false }]);
 * assert.equal(d, 'kind: expected "NotFound", got <absent>');
 * ```
 */
export function describeDifferences(fields: readonly FieldCheck[]): string {
  return fields.filter((f) => !f.ok).map((f) => `${f.field}: expected ${f.expected}, got ${f.got}`).join(
    "; ",
  );
}
