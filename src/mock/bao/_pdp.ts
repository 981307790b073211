/**
 * Internal: the policy decision point's wire format (docs/PROTOCOL.md, the kit's own PDP API):
 * `POST /v1/pdp/authorize` with a {@linkcode PdpRequest}; `200 {"decision":"allow","grant":{…}}`,
 * `200 {"decision":"deny","reason":…}`, or `503` (outage).
 *
 * @module
 */
import type { PdpAnswer, PdpCall, PdpGrant, PdpRequest, PdpResponder } from "./types.ts";

/** The grant fields of an `allow` that the script leaves out (seed 003 "Configuration"). */
export const GRANT_DEFAULTS: Omit<PdpGrant, "id" | "binding"> = {
  ttl_ms: 300_000,
  max_uses: 1,
  audience: "crud.secrets",
  wrap_ttl_s: null,
};

const KEYS = ["subject", "tenant", "uri", "action", "binding", "audience", "jti"] as const;

const strOrNull = (v: unknown) => v === null || typeof v === "string";

/**
 * Check a PDP request body against the wire format.
 *
 * @param text the body
 * @returns the request, or why it is refused
 */
export function parsePdpRequest(
  text: string,
): { ok: true; request: PdpRequest } | { ok: false; problem: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { ok: false, problem: "body is not JSON" };
  }
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    return { ok: false, problem: "body is not an object" };
  }
  const o = v as Record<string, unknown>;
  const missing = KEYS.filter((k) => !(k in o));
  if (missing.length > 0) return { ok: false, problem: `missing ${missing.join(", ")}` };
  if (!strOrNull(o.subject)) return { ok: false, problem: "subject must be a string or null" };
  if (typeof o.tenant !== "string") return { ok: false, problem: "tenant must be a string" };
  if (typeof o.uri !== "string") return { ok: false, problem: "uri must be a string" };
  if (o.action !== "execute") return { ok: false, problem: 'action must be "execute"' };
  if (!strOrNull(o.binding)) return { ok: false, problem: "binding must be a string or null" };
  if (!strOrNull(o.jti)) return { ok: false, problem: "jti must be a string or null" };
  const aud = o.audience;
  if (aud !== null && !(Array.isArray(aud) && aud.every((a) => typeof a === "string"))) {
    return { ok: false, problem: "audience must be an array of strings or null" };
  }
  return {
    ok: true,
    request: {
      subject: o.subject as string | null,
      tenant: o.tenant,
      uri: o.uri,
      action: "execute",
      binding: o.binding as string | null,
      audience: aud === null ? null : [...(aud as string[])],
      jti: o.jti as string | null,
    },
  };
}

/**
 * The scripted answer for the `n`-th call.
 *
 * @param script answers in order (the last repeats) or a function
 * @param call the request
 * @param n the call's number, from 0
 * @returns the answer (`allow` when the list is empty)
 */
export function pickAnswer(
  script: readonly PdpAnswer[] | PdpResponder,
  call: PdpRequest,
  n: number,
): PdpAnswer {
  if (typeof script === "function") return script(call, n);
  return script[Math.min(n, script.length - 1)] ?? { decision: "allow" };
}

/**
 * The grant of an `allow`, defaults filled in.
 *
 * @param answer the scripted grant fields
 * @param call the request (its binding is the default)
 * @returns the grant
 */
export function fillGrant(answer: Partial<PdpGrant> | undefined, call: PdpRequest): PdpGrant {
  return {
    id: `g-${crypto.randomUUID()}`,
    ...GRANT_DEFAULTS,
    binding: call.binding,
    ...answer,
  };
}

/** What the PDP does with one call: its record, the answer's status and body, the wait before it. */
export interface PdpOutcome {
  call: PdpCall;
  status: number;
  body: unknown;
  delayMs: number | undefined;
}

/**
 * Answer one PDP call: a malformed body is a 400; otherwise the scripted answer (`allow` with its
 * grant filled in, `deny`, or `outage` as a 503).
 *
 * @param text the request body
 * @param meta the call's order, time and listener
 * @param pick the scripted answer for a well-formed request (called once per well-formed call)
 * @returns the record and the answer
 */
export function answerPdp(
  text: string,
  meta: Pick<PdpCall, "n" | "t" | "listener">,
  pick: (req: PdpRequest) => PdpAnswer,
): PdpOutcome {
  const parsed = parsePdpRequest(text);
  if (!parsed.ok) {
    const call: PdpCall = { ...meta, request: null, problem: parsed.problem, answer: "invalid" };
    return { call, status: 400, body: { error: parsed.problem }, delayMs: undefined };
  }
  const answer = pick(parsed.request);
  const call: PdpCall = { ...meta, request: parsed.request, answer: answer.decision };
  switch (answer.decision) {
    case "allow":
      call.grant = fillGrant(answer.grant, parsed.request);
      return { call, status: 200, body: { decision: "allow", grant: call.grant }, delayMs: answer.delay_ms };
    case "deny":
      return {
        call,
        status: 200,
        body: { decision: "deny", reason: answer.reason ?? "denied by policy" },
        delayMs: answer.delay_ms,
      };
    case "outage":
      return {
        call,
        status: 503,
        body: { error: "policy decision point unavailable" },
        delayMs: answer.delay_ms,
      };
    default: {
      const _x: never = answer;
      return _x;
    }
  }
}
