/**
 * `sdk.dto.*` — shared DTO schemas and interop (seed 000 §10.2, §10.4).
 *
 * @module
 */
import fc from "fast-check";
import { defineCheck } from "../../src/engine/registry.ts";
import type { SdkContext } from "../../src/engine/sdk_context.ts";
import { type Check, verdict } from "../../src/engine/types.ts";
import { loadFixtures } from "../../src/schema/fixture.ts";
import { canonicalJson } from "../../src/schema/dto.ts";
import { describeError } from "../../src/driver/describe.ts";
import { CALL_MS, callFault } from "./_helpers.ts";
import { judged } from "./_judge.ts";

const golden = defineCheck<SdkContext>({
  id: "sdk.dto.golden",
  title: "Every DTO fixture decodes and re-encodes to its canonical JSON",
  level: "MUST",
  source: "000 §10.2 DTO & field consistency; §10.4 golden fixtures",
  rationale:
    "SDKs in different languages must read and write the same JSON. A renamed or reshaped field silently loses data when a client in one language talks to a service built with another.",
  requires: ["dto"],
  mutants: ["dto-rename"],
  run: (ctx) =>
    judged(ctx, undefined, async () => {
      const session = await ctx.startDriver();
      const groups = await loadFixtures("dto");
      let n = 0;
      for (const g of groups) {
        for (const c of g.cases) {
          const name = `${g.file.split("/").at(-1)}: ${c.description}`;
          const r = await session.call("decode_dto", { type: c.input.type, json: c.input.json }, CALL_MS);
          if (r.kind === "no_reply" || r.kind === "driver_fault") {
            return callFault("decode_dto", r, { session });
          }
          if ("error" in c.expected) {
            if (r.kind === "ok") {
              return verdict.fail(
                `DTO fixture "${name}" must be rejected (${c.expected.error}); the SDK accepted it`,
                {
                  reply: r.result,
                },
              );
            }
          } else {
            if (r.kind !== "ok") {
              return verdict.fail(`DTO fixture "${name}" must decode; got ${describeError(r.error)}`, {
                reply: r.error,
              });
            }
            const got = canonicalJson(r.result.json);
            if (got !== c.expected.canonical) {
              return verdict.fail(`DTO fixture "${name}" must round-trip to its canonical JSON`, {
                notes: [`expected ${c.expected.canonical.slice(0, 300)}`, `got      ${got.slice(0, 300)}`],
              });
            }
          }
          n++;
        }
      }
      return verdict.pass({ notes: [`${n} DTO fixtures round-tripped through decode_dto`] });
    }),
});

const U64_MIN_UNSAFE = 2n ** 53n;
const U64_MAX = 2n ** 64n - 1n;

/** A property over u64 values past 2^53, through the driver. */
const u64 = defineCheck<SdkContext>({
  id: "sdk.dto.u64",
  title: "u64 values past 2^53 stay exact (as strings on the wire)",
  level: "MUST",
  source: "000 §10.2 Type mappings (u64 as string)",
  rationale:
    "JSON numbers lose precision past 2^53 in many languages, so a 64-bit id or sequence number silently changes value. Carrying u64 as a string keeps it exact in every SDK.",
  requires: ["dto"],
  mutants: ["u64-as-number"],
  run: (ctx) =>
    judged(ctx, undefined, async () => {
      const session = await ctx.startDriver();
      const values = fc.sample(fc.bigInt({ min: U64_MIN_UNSAFE + 1n, max: U64_MAX }), {
        seed: ctx.seed,
        numRuns: 50,
      })
        .concat([U64_MIN_UNSAFE + 1n, U64_MAX]);
      for (const v of values) {
        // An unknown member rides along: the SDK must really decode (dropping it, as the DTO fixtures
        // require), so an identity "decoder" cannot pass on the u64 alone.
        const json = { seq: v.toString(), type: "tick", data: "{}", x_future: 1 };
        const want = canonicalJson({ seq: v.toString(), type: "tick", data: "{}" });
        const property = { seed: ctx.seed, runs: values.length, counterexample: v.toString() };
        const r = await session.call("decode_dto", { type: "sse_event", json }, CALL_MS);
        if (r.kind === "no_reply" || r.kind === "driver_fault") {
          return callFault("decode_dto", r, { session });
        }
        if (r.kind === "sdk_error") {
          return verdict.fail(`sse_event with seq=${v} (u64) must decode; got ${describeError(r.error)}`, {
            reply: r.error,
            property,
          });
        }
        const got = canonicalJson(r.result.json);
        if (got !== want) {
          return verdict.fail(
            `sse_event with u64 seq=${v} must decode to ${want} (exact u64 string, unknown member dropped)`,
            {
              notes: [`got ${got.slice(0, 300)}`],
              property,
            },
          );
        }
      }
      return verdict.pass({
        notes: [`${values.length} u64 values in (2^53, 2^64-1] round-tripped exactly`],
        property: { seed: ctx.seed, runs: values.length },
      });
    }),
});

/** The `sdk.dto.*` checks, in file order. */
export const checks: readonly Check<SdkContext>[] = [golden, u64];
