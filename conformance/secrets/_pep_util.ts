/**
 * Small judgements the `secrets.pep.*` checks share: "no KV read after this point" and "this call
 * was refused with one of these codes". Internal to the profile.
 *
 * @module
 */
import type { CallResult } from "../../src/driver/types.ts";
import { type Verdict, verdict } from "../../src/engine/types.ts";
import { kvReads } from "../../src/mock/bao/scenario.ts";
import { broken, callFault, described, evidence, type Instance, replyOf, secretCode } from "./_helpers.ts";
import type { Watched } from "./_judge.ts";

/** Where the calls under test begin: the number of KV reads before them (undefined: not yet). */
export interface Mark {
  n?: number | undefined;
}

/**
 * A `fail` when the first instance's scenario saw KV reads after the mark.
 *
 * @param seen the instances (the first one's scenario is judged)
 * @param mark the KV reads before the calls under test
 * @param what the calls under test, for the reason
 * @returns the fail, or undefined
 */
export function readsAfter(seen: readonly Watched[], mark: Mark, what: string): Verdict | undefined {
  const s = seen[0];
  if (s === undefined || mark.n === undefined) return undefined;
  const extra = kvReads(s.sc).length - mark.n;
  return extra > 0
    ? verdict.fail(
      `${what} must not read the secret; ${extra} KV read(s) followed it`,
      evidence(seen as Instance[]),
    )
    : undefined;
}

/**
 * Judge a call that must be refused with one of `codes` (`type: "secret"`): a value is a `fail`,
 * another error a `fail`, a driver fault an `error`.
 *
 * @param r the call's result
 * @param codes the acceptable codes
 * @param what the call, for the reason
 * @param insts the instances, for evidence
 * @returns the verdict, or undefined when the call was refused as it must be
 */
export function refusal(
  r: CallResult<"get_secret">,
  codes: readonly string[],
  what: string,
  insts: readonly Instance[],
): Verdict | undefined {
  if (broken(r)) return callFault("get_secret", r, insts);
  const code = secretCode(r);
  if (code !== null && codes.includes(code)) return undefined;
  return verdict.fail(
    `${what} must be refused with ${codes.join(" or ")}; the SDK returned ${described(r)}`,
    evidence(insts, { reply: replyOf(r) }),
  );
}
