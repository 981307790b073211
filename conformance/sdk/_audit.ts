/**
 * Where an `audit_context` value went on the wire, for `sdk.audit.context`: each field's value is
 * a fresh marker, found in a request's headers (verbatim, percent-encoded, or inside a base64 or
 * base64url header value, so one JSON header carrying the whole context counts), its URL or its
 * body. Internal to the conformance suite.
 *
 * @module
 */
import type { RecordedRequest } from "../../src/engine/types.ts";

/** The fields of the protocol's `audit_context` (the `audit_context` DTO). */
export const AUDIT_FIELDS = ["actor_id", "reason", "tenant"] as const;

/** One audit context: each field's marker value. */
export type AuditValues = Record<typeof AUDIT_FIELDS[number], string>;

/**
 * A fresh audit context whose values occur nowhere else: `actor_id-3f9a1c07d2e8`, …
 *
 * @returns the values
 * @example
 * ```ts
 * import { freshAuditContext } from "./_audit.ts";
 * const a = freshAuditContext();
 * if (!/^actor_id-[0-9a-f]{12}$/.test(a.actor_id) || a.reason === freshAuditContext().reason) throw new Error();
 * ```
 */
export function freshAuditContext(): AuditValues {
  const mark = (field: string) =>
    `${field}-${
      [...crypto.getRandomValues(new Uint8Array(6))].map((b) => b.toString(16).padStart(2, "0")).join("")
    }`;
  return { actor_id: mark("actor_id"), reason: mark("reason"), tenant: mark("tenant") };
}

function decodedForms(value: string): string[] {
  const forms = [value];
  try {
    forms.push(decodeURIComponent(value));
  } catch {
    // not percent-encoded
  }
  for (const part of value.split(/[\s,;=:]+/)) {
    if (part.length < 8 || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(part)) continue;
    try {
      const b64 = part.replaceAll("-", "+").replaceAll("_", "/");
      forms.push(atob(b64.padEnd(Math.ceil(b64.length / 4) * 4, "=")));
    } catch {
      // not base64
    }
  }
  return forms;
}

/**
 * Does a header value carry `marker` (verbatim, percent-encoded, or base64/base64url-encoded)?
 *
 * @param value the header value
 * @param marker the audit value to look for
 * @returns whether it is there
 * @example
 * ```ts
 * import { headerCarries } from "./_audit.ts";
 * const m = "reason-0a1b2c3d4e5f";
 * if (!headerCarries(m, m) || !headerCarries(btoa(JSON.stringify({ reason: m })), m)) throw new Error();
 * if (headerCarries("something else", m)) throw new Error();
 * ```
 */
export function headerCarries(value: string, marker: string): boolean {
  return decodedForms(value).some((f) => f.includes(marker));
}

/** Where one audit field's value was found in one request. */
export interface FieldPlacement {
  /** the field */
  field: typeof AUDIT_FIELDS[number];
  /** the headers (lower-case names) that carried it, `authorization` excluded */
  headers: string[];
  /** it was also (or only) in the URL (path or query) */
  inUrl: boolean;
  /** it was also (or only) in the body */
  inBody: boolean;
}

/**
 * Where each field of `values` went in `req`.
 *
 * @param req the request as the mock server recorded it
 * @param values the audit context the request was given
 * @returns one placement per field
 * @example
 * ```ts
 * import { placeAudit } from "./_audit.ts";
 * const values = { actor_id: "actor_id-1", reason: "reason-1", tenant: "tenant-1" };
 * const req = { t: 0, method: "GET", path: "/a", query: "tenant=tenant-1", body: "", bodySize: 0,
 *   connection: "c", listener: "https", headers: { "x-audit-actor": "actor_id-1", "x-audit-reason": "reason-1" } };
 * const [actor, , tenant] = placeAudit(req, values);
 * if (actor?.headers[0] !== "x-audit-actor" || !tenant?.inUrl || tenant.headers.length !== 0) throw new Error();
 * ```
 */
export function placeAudit(req: RecordedRequest, values: AuditValues): FieldPlacement[] {
  const url = `${req.path}?${req.query}`;
  return AUDIT_FIELDS.map((field) => {
    const marker = values[field];
    const headers = Object.entries(req.headers)
      .filter(([name, v]) => name !== "authorization" && headerCarries(v, marker))
      .map(([name]) => name);
    return {
      field,
      headers,
      inUrl: decodedForms(url).some((f) => f.includes(marker)),
      inBody: decodedForms(req.body).some((f) => f.includes(marker)) || req.body.includes(marker),
    };
  });
}
