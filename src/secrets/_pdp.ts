/**
 * The policy decision point's client (the kit's PDP API, docs/PROTOCOL.md "The secrets profile"):
 * `POST <pdp>/v1/pdp/authorize` with the call's subject, tenant, canonical URI, action, binding,
 * audience and JTI; the answer is a grant, a deny, or an outage (a 503, no answer within the bound,
 * or an answer that is not one of the two). No credential goes to the PDP. Internal.
 *
 * @module
 */
import { z } from "zod";
import { exchange, type HttpRuntime } from "./_http.ts";
import { SecretsError } from "./errors.ts";

/** What the PEP asks the PDP. */
export interface PdpQuestion {
  subject: string | null;
  tenant: string;
  uri: string;
  action: "execute";
  binding: string | null;
  audience: readonly string[] | null;
  jti: string | null;
}

const GrantSchema = z.object({
  id: z.string(),
  ttl_ms: z.number().int().min(0),
  max_uses: z.number().int(),
  audience: z.string(),
  binding: z.string().nullable(),
  wrap_ttl_s: z.number().int().positive().nullable(),
});

/** A grant the PDP issued. */
export type Grant = z.infer<typeof GrantSchema>;

const AnswerSchema = z.discriminatedUnion("decision", [
  z.object({ decision: z.literal("allow"), grant: GrantSchema }),
  z.object({ decision: z.literal("deny"), reason: z.string() }),
]);

/** The PDP's decision, or why there is none. */
export type PdpAnswer =
  | { kind: "allow"; grant: Grant }
  | { kind: "deny"; reason: string }
  | { kind: "outage"; detail: string };

/**
 * Ask the PDP once (never retried: an outage is the PEP's to handle).
 *
 * @param http the client's HTTP runtime
 * @param pdpAddr the PDP's base URL, without a trailing `/`
 * @param q the question
 * @param timeoutMs the bound of the exchange
 * @returns the decision, or an outage
 */
export async function askPdp(
  http: HttpRuntime,
  pdpAddr: string,
  q: PdpQuestion,
  timeoutMs: number,
): Promise<PdpAnswer> {
  try {
    const ans = await exchange(http, {
      method: "POST",
      url: `${pdpAddr}/v1/pdp/authorize`,
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(q),
      timeoutMs,
    });
    if (ans.status !== 200) return { kind: "outage", detail: `PDP answered ${ans.status}` };
    const r = AnswerSchema.safeParse(ans.json);
    if (!r.success) return { kind: "outage", detail: "PDP answer is not a decision" };
    return r.data.decision === "allow"
      ? { kind: "allow", grant: r.data.grant }
      : { kind: "deny", reason: r.data.reason };
  } catch (e) {
    if (e instanceof SecretsError) return { kind: "outage", detail: `PDP ${e.code}` };
    throw e;
  }
}
