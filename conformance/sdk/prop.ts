/**
 * `sdk.prop.*` — property suites through the driver (seed 000 §7.2, §10.4). Generated
 * inputs are served by the mock server; a failure reports the seed, the shrink path and
 * the shrunk counterexample, so `--seed` replays it.
 *
 * @module
 */
import fc from "fast-check";
import { defineCheck } from "../../src/engine/registry.ts";
import type { SdkContext } from "../../src/engine/sdk_context.ts";
import { type Check, type Evidence, type Verdict, verdict } from "../../src/engine/types.ts";
import { findCanaries } from "../../src/driver/canary.ts";
import type { DriverSession } from "../../src/driver/types.ts";
import { describeCall, describeError } from "../../src/driver/describe.ts";
import { request, setup } from "./_helpers.ts";
import { judged } from "./_judge.ts";

/** The reason when the SDK answered without sending the request: the kit cannot judge (an error). */
const NOT_SENT = "the driver answered but the mock server saw no request (cannot judge)";

/**
 * Why one generated case broke the property (thrown inside the property to make it fail).
 * `kitFault`: the driver or the kit broke (an `error` verdict), not the SDK's rule (a `fail`).
 */
class Broken extends Error {
  constructor(readonly detail: string, readonly evidence: Evidence, readonly kitFault = false) {
    super(detail);
  }
}

/** The outcome of a property run. */
type PropertyResult =
  | { ok: true; runs: number }
  | {
    ok: false;
    detail: string;
    kitFault: boolean;
    evidence: Evidence;
    counterexample: string;
    path: string;
    runs: number;
  };

/** Turn a property run into a verdict: its seed, shrink path and counterexample go in the evidence. */
function propertyVerdict(seed: number, res: PropertyResult, rule: string, passNote: string): Verdict {
  if (res.ok) return verdict.pass({ notes: [passNote], property: { seed, runs: res.runs } });
  const property = { seed, path: res.path, counterexample: res.counterexample, runs: res.runs };
  if (res.kitFault) return verdict.error(`property run broke: ${res.detail}`, { ...res.evidence, property });
  return verdict.fail(`${rule}; ${res.detail}`, { ...res.evidence, property });
}

/** The first violation of the rule a property run saw, kept whatever happens after it. */
interface Observed {
  real?: { broken: Broken; input: unknown };
  /** cases tried so far (shrinking included) */
  tried?: number;
}

/** The fail for the first violation seen, or undefined. */
function observedFail(seed: number, seen: Observed, rule: string): Verdict | undefined {
  if (!seen.real) return undefined;
  const counterexample = JSON.stringify(seen.real.input)?.slice(0, 600) ?? "undefined";
  return verdict.fail(`${rule}; ${seen.real.broken.detail}`, {
    ...seen.real.broken.evidence,
    property: { seed, counterexample, runs: seen.tried ?? 0 },
  });
}

/**
 * Run an async property with the run's seed; return the failure with seed and shrink path. A
 * violation of the rule seen on any case is kept in `seen`: when the run then ends on a kit fault
 * (say, while shrinking), the violation is still the result.
 */
async function check<T>(
  arb: fc.Arbitrary<T>,
  numRuns: number,
  seed: number,
  seen: Observed,
  body: (v: T) => Promise<void>,
): Promise<PropertyResult> {
  let last: Broken | undefined;
  const details = await fc.check(
    fc.asyncProperty(arb, async (v) => {
      seen.tried = (seen.tried ?? 0) + 1;
      try {
        await body(v);
      } catch (e) {
        if (e instanceof Broken) {
          last = e;
          if (!e.kitFault) seen.real ??= { broken: e, input: v };
        }
        throw e;
      }
    }),
    { seed, numRuns, endOnFailure: false, interruptAfterTimeLimit: 20_000 },
  );
  if (!details.failed) return { ok: true, runs: details.numRuns };
  if ((last === undefined || last.kitFault) && seen.real) {
    // the shrunk case ended on a kit fault, but a real violation was seen before it
    return {
      ok: false,
      detail: seen.real.broken.detail,
      kitFault: false,
      evidence: seen.real.broken.evidence,
      counterexample: JSON.stringify(seen.real.input)?.slice(0, 600) ?? "undefined",
      path: "",
      runs: details.numRuns,
    };
  }
  const counterexample = JSON.stringify(details.counterexample)?.slice(0, 600) ?? "undefined";
  return {
    ok: false,
    detail: last?.detail ?? String(details.errorInstance),
    kitFault: last?.kitFault ?? false,
    evidence: last?.evidence ?? {},
    counterexample,
    path: details.counterexamplePath ?? "",
    runs: details.numRuns,
  };
}

const text = fc.string({ unit: "grapheme", maxLength: 40 });
const problemish: fc.Arbitrary<string> = fc.oneof(
  // canonical-looking envelopes with random extra fields and wrong types
  fc.record({
    code: fc.oneof(text, fc.integer(), fc.constant(null)),
    kind: fc.oneof(text, fc.boolean()),
    message: fc.oneof(text, fc.array(text, { maxLength: 3 })),
    correlation_id: fc.option(text),
    details: fc.oneof(fc.object({ maxDepth: 2 }), fc.string(), fc.constant(null)),
  }, { requiredKeys: [] }).chain((base) =>
    fc.dictionary(text, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }).map((extra) =>
      JSON.stringify({ ...extra, ...base })
    )
  ),
  // anything JSON, deeply nested
  fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v)),
  fc.integer({ min: 50, max: 400 }).map((d) => `${"[".repeat(d)}${"]".repeat(d)}`),
  // huge strings and truncations
  fc.integer({ min: 1_000, max: 200_000 }).map((n) =>
    JSON.stringify({ code: "x".repeat(n), kind: "k", message: "m", correlation_id: "c", details: {} })
  ),
  fc.string({ maxLength: 200 }).map((s) => `{"code":"c","message":"${s}`),
  text,
);

const problemFuzz = defineCheck<SdkContext>({
  id: "sdk.prop.problem-fuzz",
  title: "Every generated Problem-ish error body gives a typed error, never a crash",
  level: "MUST",
  source: "000 §7.2 Fuzz Problem envelopes; §10.4 no uncaught exceptions",
  rationale:
    "Error bodies come from servers, proxies and attackers alike, so the parser meets inputs no fixture anticipates. A crash on any of them is an uncaught exception in the caller's code, and can expose internal stack traces.",
  requires: ["http"],
  mutants: ["strict-crash"],
  timeLimitMs: 40_000,
  run: (ctx) => {
    const seen: Observed = {};
    const rule = "every generated Problem-ish body must give a typed error";
    return judged(ctx, () => observedFail(ctx.seed, seen, rule), async () => {
      const session: DriverSession = await ctx.startDriver();
      const res = await check(
        fc.tuple(fc.constantFrom(400, 404, 409, 422, 500, 502), problemish),
        60,
        ctx.seed,
        seen,
        async ([status, body]) => {
          const s = await setup(ctx, {
            responses: [{
              status,
              headers: { "content-type": "application/json" },
              body: { kind: "text", value: body },
            }],
          }, { session, configure: { max_retries: 0 } });
          if (!s.ok) throw new Broken("configure failed", {}, true);
          const r = await request(s.setup, { method: "GET", path: "/fuzz" }, 8_000);
          if (r.kind === "no_reply" || r.kind === "driver_fault") {
            throw new Broken(`the driver did not answer: ${describeCall(r)}`, {}, true);
          }
          if (s.setup.scenario.requests().length === 0) {
            throw new Broken(NOT_SENT, { reply: r.kind === "ok" ? r.result : r.error }, true);
          }
          if (r.kind === "ok") throw new Broken(`a ${status} was reported as success`, { reply: r.result });
          if (r.error.type === "other" || r.error.type === "unsupported") {
            throw new Broken(`a ${status} gave an untyped error (${describeError(r.error)}): a crash`, {
              reply: r.error,
            });
          }
        },
      );
      return propertyVerdict(
        ctx.seed,
        res,
        rule,
        `${res.runs} generated bodies, all typed errors`,
      );
    });
  },
});

const headerFuzz = defineCheck<SdkContext>({
  id: "sdk.prop.header-fuzz",
  title: "Whatever the header values around it, the token never comes back in an error",
  level: "MUST",
  source: "000 §7.2 Fuzz header values; §10.4 caps never in user-visible error fields",
  rationale:
    "Response headers are set by the server or anything on the path, and some echo credentials back. Whatever they contain, the token must never surface in an error the caller logs or shows.",
  requires: ["http"],
  mutants: ["request-in-error"],
  timeLimitMs: 40_000,
  run: (ctx) => {
    const seen: Observed = {};
    const rule = "the token must never come back in an error";
    return judged(ctx, () => observedFail(ctx.seed, seen, rule), async () => {
      const session: DriverSession = await ctx.startDriver();
      const headerValue = fc.string({ maxLength: 60 }).map((s) => s.replace(/[^\x20-\x7e]/g, "").trim());
      const arb = fc.record({
        status: fc.constantFrom(401, 403, 429, 500, 503),
        challenge: headerValue,
        echo: fc.boolean(),
        extra: fc.dictionary(fc.stringMatching(/^x-[a-z]{1,10}$/), headerValue, { maxKeys: 3 }),
      });
      const res = await check(arb, 40, ctx.seed, seen, async (g) => {
        const canary = ctx.newCanary();
        // Servers sometimes echo credentials back (debug proxies): an SDK must still never surface them.
        const headers: Record<string, string> = {
          ...g.extra,
          "content-type": "application/json",
          "www-authenticate": `Bearer realm="${g.challenge.replaceAll('"', "")}", error="invalid_token"`,
          ...(g.echo ? { "x-echo-authorization": `Bearer ${canary}` } : {}),
        };
        const s = await setup(ctx, {
          responses: [{
            status: g.status,
            headers,
            body: {
              kind: "json",
              value: { code: "denied", kind: "auth", message: "denied", correlation_id: "c", details: {} },
            },
          }],
        }, { session, configure: { max_retries: 0, token: canary } });
        if (!s.ok) throw new Broken("configure failed", {}, true);
        const r = await request(s.setup, { method: "GET", path: "/hdr" }, 8_000);
        if (r.kind === "no_reply" || r.kind === "driver_fault") {
          throw new Broken(`the driver did not answer: ${describeCall(r)}`, {}, true);
        }
        if (s.setup.scenario.requests().length === 0) throw new Broken(NOT_SENT, {}, true);
        const reply = JSON.stringify(r.kind === "ok" ? r.result : r.error);
        const found = findCanaries(reply, [canary]);
        if (found.length > 0) {
          throw new Broken(
            `the token came back in the ${r.kind === "ok" ? "result" : "error"} (${found[0]?.form})`,
            {
              leaks: found.map((f) => ({
                where: `reply to request (status ${g.status})`,
                form: f.form,
                excerpt: "<canary>",
              })),
            },
          );
        }
      });
      return propertyVerdict(
        ctx.seed,
        res,
        rule,
        `${res.runs} generated header sets, token never in a reply`,
      );
    });
  },
});

/** The `sdk.prop.*` checks, in file order. */
export const checks: readonly Check<SdkContext>[] = [problemFuzz, headerFuzz];
