/**
 * An observed violation is a `fail`, whatever happens after it. Every `secrets.*` check runs its
 * body through {@linkcode judged}: when the body ends without a verdict on its rule (an `error` from
 * a driver that hung, died or broke the protocol, a setup that failed after traffic, an exception,
 * or the check's time limit), the check's judge first looks at what the mock OpenBao recorded and
 * what the drivers printed so far, and turns a violation seen into a `fail` that names it.
 * Internal to the profile (the same contract as `conformance/sdk/_judge.ts`).
 *
 * @module
 */
import { type Verdict, verdict } from "../../src/engine/types.ts";
import type { DriverSession } from "../../src/driver/types.ts";
import type { BaoScenario } from "../../src/mock/bao/types.ts";
import { deadline } from "../../src/util/deadline.ts";
import { errorMessage } from "../../src/util/error_message.ts";
import type { SecretsCheckContext } from "./_context.ts";

/** An SDK instance a check set up: its scenario, driver and token. */
export interface Watched {
  readonly sc: BaoScenario;
  readonly session: DriverSession;
  readonly token: string;
}

/** A check's judge of what was observed so far: a `fail` naming a violation, or `undefined`. */
export type Judge = (seen: readonly Watched[]) => Verdict | undefined | Promise<Verdict | undefined>;

/** How long a judge may take (the runner allows 2 s after a check's time limit). */
const JUDGE_MS = 1_500;

const registry = new WeakMap<object, Watched[]>();

/**
 * Register an instance with its check, before its `configure` is answered.
 *
 * @param ctx the check's context
 * @param w the instance
 */
export function watch(ctx: SecretsCheckContext, w: Watched): void {
  const list = registry.get(ctx) ?? [];
  list.push(w);
  registry.set(ctx, list);
}

/**
 * The instances a check registered so far.
 *
 * @param ctx the check's context
 * @returns them, in order
 */
export function watched(ctx: SecretsCheckContext): readonly Watched[] {
  return registry.get(ctx) ?? [];
}

function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then((v) => {
      signal.removeEventListener("abort", onAbort);
      resolve(v);
    });
  });
}

/**
 * Run a check's body; when it ends without judging its rule (`error`, a throw, the time limit),
 * run `judge` on what was observed first: a violation seen is the verdict (a `fail` naming it, then
 * what ended the check), else the body's verdict stands.
 *
 * @param ctx the check's context (its signal marks the time limit)
 * @param judge the check's "violation so far?" judge
 * @param body the check's work
 * @returns the verdict
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { verdict } from "../../src/engine/types.ts";
 * import type { SecretsCheckContext } from "./_context.ts";
 * import { judged } from "./_judge.ts";
 * const ctx = { signal: new AbortController().signal, timeLimitMs: 1_000 } as unknown as SecretsCheckContext;
 * const v = await judged(ctx, () => verdict.fail("token sent"), () => Promise.resolve(verdict.error("hang")));
 * assert.equal(v.outcome, "fail");
 * assert.match(v.outcome === "fail" ? v.reason : "", /token sent; then the check ended early: hang/);
 * ```
 */
export async function judged(
  ctx: SecretsCheckContext,
  judge: Judge,
  body: () => Promise<Verdict>,
): Promise<Verdict> {
  const work = (async () => {
    try {
      return await body();
    } catch (e) {
      return verdict.error(errorMessage(e));
    }
  })();
  const v = await untilAborted(work, ctx.signal) ??
    verdict.error(`the check's time limit of ${ctx.timeLimitMs} ms was reached before it could judge`);
  if (v.outcome === "pass" || v.outcome === "fail") return v;
  let found: Verdict | undefined;
  try {
    const r = await deadline(Promise.resolve(judge(watched(ctx))), JUDGE_MS);
    found = r.ok ? r.value : undefined;
  } catch {
    found = undefined;
  }
  if (found?.outcome !== "fail") return v;
  return { ...found, reason: `${found.reason}; then the check ended early: ${v.reason}` };
}
