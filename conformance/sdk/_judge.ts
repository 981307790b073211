/**
 * An observed violation is a `fail`, whatever happens after it. Every `sdk.*` check runs its body
 * through {@linkcode judged}: when the body ends without a verdict on its rule (an `error` from a
 * hang, a driver that died or broke the protocol, a setup that failed after traffic, too little
 * traffic, an exception, or the check's time limit), the check's {@linkcode Judge} first looks at
 * what was already observed (the leak scan, the mock's request log) and turns a violation seen so
 * far into a `fail` that names it. Internal to the conformance suite.
 *
 * @module
 */
import type { SdkContext } from "../../src/engine/sdk_context.ts";
import { type Evidence, type Verdict, verdict } from "../../src/engine/types.ts";
import type { DriverSession } from "../../src/driver/types.ts";
import type { ScenarioHandle } from "../../src/mock/types.ts";
import { deadline } from "../../src/util/deadline.ts";
import { errorMessage } from "../../src/util/error_message.ts";

/** One SDK instance as a check saw it, registered before its `configure` is answered. */
export interface Seen {
  readonly scenario: ScenarioHandle;
  readonly session: DriverSession;
  readonly canary: string;
}

/**
 * A check's judge of what it has observed so far: the `fail` its rule gives on that evidence, or
 * `undefined` when nothing seen so far breaks the rule. It must judge only the check's own rule.
 */
export type Judge = (seen: readonly Seen[]) => Verdict | undefined | Promise<Verdict | undefined>;

/** How long a judge may take (the runner allows 2 s after a check's time limit). */
const JUDGE_MS = 1_500;

const registry = new WeakMap<object, Seen[]>();
const judgedContexts = new WeakSet<object>();

/**
 * Whether a check's run went through {@linkcode judged} (for the kit's own tests).
 *
 * @param ctx the context the check ran with
 * @returns true once `judged` was called with it
 */
export function wentThroughJudge(ctx: SdkContext): boolean {
  return judgedContexts.has(ctx);
}

/**
 * The instances a check has set up so far (each `setup()` registers its own).
 *
 * @param ctx the check's context
 * @returns the list, in order (live: later setups are appended)
 */
export function seenOf(ctx: SdkContext): Seen[] {
  let list = registry.get(ctx);
  if (!list) {
    list = [];
    registry.set(ctx, list);
  }
  return list;
}

/**
 * Register an instance a check set up itself (without `setup()`), so its judge sees it.
 *
 * @param ctx the check's context
 * @param s the scenario, driver session and canary
 */
export function watch(ctx: SdkContext, s: Seen): void {
  seenOf(ctx).push(s);
}

/** The promise's value, or undefined once `signal` aborts (the check's time limit). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then((value) => {
      signal.removeEventListener("abort", onAbort);
      resolve(value);
    });
  });
}

function lastEvidence(seen: readonly Seen[]): Evidence {
  const last = seen.at(-1);
  if (!last) return {};
  return { requests: last.scenario.requests().slice(0, 50), output: last.session.output().slice(-30) };
}

/**
 * Run a check's body; when it ends without judging its rule (`error` or `not_applicable`, a throw,
 * or the time limit), run `judge` on what was observed first: a violation seen is the verdict
 * (a `fail` naming it, then what ended the check), else the body's verdict stands.
 *
 * @param ctx the check's context (its signal marks the time limit)
 * @param judge the check's "violation so far?" judge, or undefined when no partial evidence can
 *   break its rule (the time limit and exceptions still become an `error` with evidence)
 * @param body the check's work
 * @returns the verdict
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { verdict } from "../../src/engine/types.ts";
 * import type { SdkContext } from "../../src/engine/sdk_context.ts";
 * import { judged } from "./_judge.ts";
 * const ctx = { signal: new AbortController().signal, timeLimitMs: 1_000 } as unknown as SdkContext;
 * const v = await judged(ctx, () => verdict.fail("leaked"), () => Promise.resolve(verdict.error("hang")));
 * assert.equal(v.outcome, "fail");
 * assert.match(v.outcome === "fail" ? v.reason : "", /leaked; then the check ended early: hang/);
 * ```
 */
export async function judged(
  ctx: SdkContext,
  judge: Judge | undefined,
  body: () => Promise<Verdict>,
): Promise<Verdict> {
  judgedContexts.add(ctx);
  const seen = seenOf(ctx);
  const work = (async () => {
    try {
      return await body();
    } catch (e) {
      return verdict.error(errorMessage(e), lastEvidence(seen));
    }
  })();
  const v = await untilAborted(work, ctx.signal) ?? verdict.error(
    `the check's time limit of ${ctx.timeLimitMs} ms was reached before it could judge`,
    lastEvidence(seen),
  );
  if (v.outcome === "pass" || v.outcome === "fail" || judge === undefined) return v;
  let found: Verdict | undefined;
  try {
    const r = await deadline(Promise.resolve(judge(seen)), JUDGE_MS);
    found = r.ok ? r.value : undefined;
  } catch {
    found = undefined;
  }
  if (found?.outcome !== "fail") return v;
  return { ...found, reason: `${found.reason}; then the check ended early: ${v.reason}` };
}
