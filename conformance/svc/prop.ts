/**
 * svc.prop.fuzz: fast-check generates valid and invalid bodies for the write route (seeded with the
 * run's seed, bounded runs and time); the server must never answer 5xx or leak. The bodies are shaped
 * by the write route's example body, or by its request schema when an OpenAPI document gave one
 * (`_openapi_fuzz.ts`).
 *
 * @module
 */
import fc from "fast-check";
import { defineCheck } from "../../src/engine/registry.ts";
import { type Check, verdict } from "../../src/engine/types.ts";
import { errorMessage } from "../../src/util/error_message.ts";
import { type Exchange, last, type SvcContext } from "./_context.ts";
import { baseline, cannotJudge, leaksIn, loadInjectionCases, rememberSent, routeRequest } from "./_util.ts";
import { schemaBodyArbitrary, wrongValue } from "./_openapi_fuzz.ts";

/** The number of generated bodies per run. */
export const FUZZ_RUNS = 60;
/** The time budget of the property, ms. */
export const FUZZ_BUDGET_MS = 8000;

function valueLike(v: unknown): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 2, arbitrary: fc.constant(v) }, { weight: 3, arbitrary: wrongValue });
}

/**
 * The generated request body: the example body with fields dropped, retyped or added, or any JSON,
 * or a broken JSON text.
 *
 * @param example the write route's example body
 * @returns an arbitrary of `{json}` or `{text}`
 */
export function bodyArbitrary(
  example: Record<string, unknown>,
): fc.Arbitrary<{ json: unknown } | { text: string }> {
  const shaped = fc.record(
    Object.fromEntries(Object.entries(example).map(([k, v]) => [k, valueLike(v)])),
    { requiredKeys: [] },
  );
  const withExtra = fc.tuple(
    shaped,
    fc.option(fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }))),
  ).map(
    ([o, extra]) => (extra === null ? o : { ...o, [extra[0]]: extra[1] }),
  );
  return fc.oneof(
    { weight: 6, arbitrary: withExtra.map((json) => ({ json })) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((json) => ({ json })) },
    { weight: 1, arbitrary: fc.string({ maxLength: 60 }).map((text) => ({ text })) },
  );
}

/** A generated body got no HTTP answer: nothing to judge (the check says `error`, not `fail`). */
class NoAnswer extends Error {
  override name = "NoAnswer";
}

const propFuzz = defineCheck<SvcContext>({
  id: "svc.prop.fuzz",
  title: "generated valid and invalid bodies never get 5xx or a leak (seeded)",
  level: "MUST",
  source: "002 §3.1 Always Validate Input (never trust client input)",
  rationale: "Hand-written cases cover only the inputs someone thought of; generated bodies find the " +
    "field type or shape that crashes a handler, and every such crash is a cheap denial of service or a " +
    "leak (seed 002 §3.1: never trust client input).",
  requires: [],
  mutants: ["crash-on-type"],
  timeLimitMs: 15_000,
  async run(ctx) {
    // positive control: the kit's valid token must work, else rejections prove nothing
    const b = await baseline(ctx);
    if (b) return b;
    const token = await ctx.jwt.valid();
    await loadInjectionCases(); // so that payloads another check stored are stripped, not counted
    const w = ctx.target.write;
    const silent: Exchange[] = [];
    let judged = 0;
    // a write route from an OpenAPI document brings its request schema: bodies are generated from it
    const bodies = w.schema === undefined ? bodyArbitrary(w.body) : schemaBodyArbitrary(w.schema);
    const prop = fc.asyncProperty(bodies, async (body) => {
      rememberSent("json" in body ? body.json : body.text);
      const res = await ctx.probe.send(routeRequest(w, { bearer: token, ...body, label: "generated body" }));
      if (res.status === 0) {
        silent.push(last(ctx.probe));
        throw new NoAnswer();
      }
      judged++;
      if (res.status >= 500) throw new Error(`answered ${res.status}`);
      const hits = leaksIn(res, "json" in body ? [] : [body.text]);
      if (hits.length > 0) {
        throw new Error(`leaked ${hits.map((h) => `${h.kind} "${h.excerpt}"`).join(", ")}`);
      }
    });
    const details = await fc.check(prop, {
      seed: ctx.seed,
      numRuns: FUZZ_RUNS,
      interruptAfterTimeLimit: FUZZ_BUDGET_MS,
      endOnFailure: true,
    });
    const runs = details.numRuns;
    const notes = [`seed ${details.seed}, runs ${runs} of ${FUZZ_RUNS}, budget ${FUZZ_BUDGET_MS} ms`];
    if (details.failed && details.errorInstance instanceof NoAnswer) {
      return cannotJudge(ctx, silent, ctx.probe.count - 1, notes);
    }
    if (details.failed) {
      const ce = JSON.stringify(details.counterexample?.[0] ?? null).slice(0, 500);
      const cause = errorMessage(details.errorInstance);
      const focus = ctx.probe.exchanges.filter((e) => e.status === 0 || e.status >= 500).slice(0, 3);
      const ev = ctx.probe.evidence(notes, focus);
      ev.property = { seed: details.seed, path: details.counterexamplePath ?? "", counterexample: ce, runs };
      return verdict.fail(
        `a generated body must never get 5xx or leak: ${cause.slice(0, 200)}; counterexample ${ce} ` +
          `(seed ${details.seed}, path ${details.counterexamplePath ?? "-"})`,
        ev,
      );
    }
    const ev = ctx.probe.evidence(details.interrupted ? [...notes, "time budget reached"] : notes);
    ev.property = { seed: details.seed, runs };
    if (judged === 0) return verdict.error("cannot judge: no generated body got an answer in time", ev);
    return verdict.pass(ev);
  },
});

/** The checks of this area (svc.prop.*). */
export const checks: readonly Check<SvcContext>[] = [propFuzz];
