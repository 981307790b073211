/**
 * What every `sdk.tls.*` refusal shares: the scenario a refusal is tried on, and the positive
 * control run before it (a client that can connect to nothing must never pass a refusal).
 * Internal to the conformance suite.
 *
 * @module
 */
import type { SdkContext } from "../../src/engine/sdk_context.ts";
import type { Verdict } from "../../src/engine/types.ts";
import type { DriverSession } from "../../src/driver/types.ts";
import type { Scenario } from "../../src/schema/scenario.ts";
import { callFault, request, setup, unobserved } from "./_helpers.ts";

/** A scenario answering every request `200 {"ok": true}`. */
export const OK: Scenario = { responses: [{ status: 200, body: { kind: "json", value: { ok: true } } }] };

/** How refusals are judged here: refusing is the rule; how the error is typed is sdk.errors.*'s. */
export const TYPE_NOTE =
  "any SDK error that sends nothing is a refusal; error types are judged by sdk.errors.*";

/**
 * Positive control for checks where refusing is the rule: the same driver must reach the mock
 * server over trusted https, else a refusal proves nothing (an SDK that never sends anything).
 *
 * @param ctx the check's context
 * @param session the driver session the refusal will be tried on
 * @returns undefined when the control request reached the server, else the verdict to return
 */
export async function control(ctx: SdkContext, session: DriverSession): Promise<Verdict | undefined> {
  const s = await setup(ctx, OK, { session });
  if (!s.ok) return s.verdict;
  const r = await request(s.setup, { method: "GET", path: "/control" });
  if (r.kind !== "ok") return callFault("request", r, s.setup);
  return unobserved(s.setup, 1, "a control request over trusted https");
}
