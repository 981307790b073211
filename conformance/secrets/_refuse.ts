/**
 * "Refused before anything is sent", judged the one way for every check that needs it (malformed
 * URIs, foreign mounts, non-positive versions). Internal to the profile.
 *
 * @module
 */
import { type Verdict, verdict } from "../../src/engine/types.ts";
import { describeCall } from "../../src/driver/describe.ts";
import type { BaoScript } from "../../src/mock/bao/types.ts";
import type { SecretsCheckContext } from "./_context.ts";
import { broken, callFault, described, evidence, get, type Instance, setup } from "./_helpers.ts";
import { judged, type Watched } from "./_judge.ts";

/** The valid URI of the positive control (every script of these checks holds it). */
export const VALID = "openbao+kv2://secret/myapp/api#token";

/**
 * Judge "each pointer is refused with nothing sent": after a positive control (the same instance
 * reads {@linkcode VALID}, and the mock sees that read), every case must be refused (an SDK error)
 * with no request at all, vault or PDP. Any request after the control is a violation, on every exit
 * path.
 *
 * @param ctx the check's context
 * @param script the scenario (it must hold {@linkcode VALID})
 * @param cases each pointer, with what is wrong with it
 * @param opts the tenant's mounts, when not the default
 * @returns the verdict
 */
export function refusedBeforeSend(
  ctx: SecretsCheckContext,
  script: BaoScript,
  cases: readonly (readonly [string, string])[],
  opts: { mounts?: string[] } = {},
): Promise<Verdict> {
  let settled: number | undefined;
  const sent = (seen: readonly Watched[]): Verdict | undefined => {
    const s = seen[0];
    if (s === undefined || settled === undefined) return undefined;
    const extra = s.sc.requests().slice(settled);
    if (extra.length === 0) return undefined;
    return verdict.fail(
      `a refused secret URI must send nothing; ${extra.length} request(s) went out after the valid read: ${
        extra.slice(0, 3).map((q) => q.requestLine).join(" | ")
      }`,
      evidence(seen as Instance[]),
    );
  };
  return judged(ctx, sent, async () => {
    const s = await setup(ctx, script, opts.mounts ? { secrets: { allowed_mounts: opts.mounts } } : {});
    if (!s.ok) return s.verdict;
    const inst = s.inst;
    const control = await get(inst, VALID);
    if (control.kind !== "ok") return callFault(`the positive control (read ${VALID})`, control, [inst]);
    settled = inst.sc.requests().length;
    if (settled === 0) {
      return verdict.error(
        "cannot judge: the SDK returned a value for the positive control, but the mock saw no request",
        evidence([inst]),
      );
    }
    const notes = [`positive control: ${VALID} read with ${settled} request(s)`];
    for (const [uri, why] of cases) {
      const r = await get(inst, uri);
      const v = sent([inst]);
      if (v) {
        return verdict.fail(`${uri} (${why}): ${v.outcome === "fail" ? v.reason : ""}`, evidence([inst]));
      }
      if (r.kind === "ok") {
        return verdict.fail(
          `${uri} (${why}) must be refused; the SDK returned ${described(r)}`,
          evidence([inst]),
        );
      }
      if (broken(r)) return callFault(`get_secret ${uri}`, r, [inst]);
      notes.push(`${uri} (${why}): refused, ${describeCall(r)}, 0 requests`);
    }
    return sent([inst]) ?? verdict.pass(evidence([inst], { notes }));
  });
}
