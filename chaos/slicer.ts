/**
 * chaos.slicer: the response arrives in 1–8 byte TCP slices and must round-trip exactly.
 *
 * @module
 */
import { isDeepStrictEqual } from "node:util";
import type { SdkContext } from "../src/engine/sdk_context.ts";
import { defineCheck } from "../src/engine/registry.ts";
import { type Check, verdict } from "../src/engine/types.ts";
import { describeError } from "../src/driver/describe.ts";
import { noAnswer, timedGet, withChaos } from "./_helpers.ts";

/**
 * The known ~23 KB JSON document `chaos.slicer` serves: multi-byte UTF-8, so slices split characters.
 *
 * @returns a fresh copy of the document
 */
function slicerDocument(): { items: { i: number; name: string; v: number; ok: boolean }[] } {
  const items = [];
  for (let i = 0; i < 300; i++) {
    items.push({ i, name: `item-${i}-ünïcødé-✓-日本-${"x".repeat(i % 17)}`, v: i * 1.5, ok: i % 3 === 0 });
  }
  return { items };
}

const slicer = defineCheck<SdkContext>({
  id: "chaos.slicer",
  title: "Parse a response delivered in 1–8 byte slices exactly",
  level: "MUST",
  source: "000 §7.3 Chaos / Network Tests",
  rationale: "TCP may deliver a response in arbitrarily small pieces, splitting multi-byte characters; a " +
    "client that assumes one chunk, or decodes each chunk alone, corrupts or rejects valid responses on " +
    "slow or congested links.",
  requires: ["http", "toxiproxy"],
  mutants: ["first-chunk-only"],
  timeLimitMs: 40_000,
  run: (ctx) => {
    const doc = slicerDocument();
    return withChaos(ctx, {
      script: { name: "chaos.slicer", responses: [{ status: 200, body: { kind: "json", value: doc } }] },
      toxics: [{
        type: "slicer",
        stream: "downstream",
        attributes: { average_size: 4, size_variation: 4, delay: 0 },
      }],
      timeouts: { connect_ms: 2000, read_ms: 5000, total_ms: 20_000 },
      max_retries: 0,
    }, async (run) => {
      const size = new TextEncoder().encode(JSON.stringify(doc)).byteLength;
      const { r, ms, att, ev } = await timedGet(run, 25_000, [`expected body: ${size} bytes of JSON`]);
      switch (r.kind) {
        case "ok":
          if (r.result.status !== 200) return verdict.fail(`expected status 200, got ${r.result.status}`, ev);
          return isDeepStrictEqual(r.result.json, doc) ? verdict.pass(ev) : verdict.fail(
            `the ${size}-byte JSON body delivered in 1–8 byte slices did not round-trip exactly ` +
              `(got ${JSON.stringify(r.result.json ?? null).length} characters)`,
            ev,
          );
        case "sdk_error":
          return verdict.fail(
            `the ${size}-byte JSON body delivered in 1–8 byte slices must parse, got ${
              describeError(r.error)
            }`,
            ev,
          );
        case "no_reply":
        case "driver_fault":
          return noAnswer(run, r, ms, att, false, "");
        default: {
          const never: never = r;
          return verdict.error(`unknown call result ${String(never)}`, ev);
        }
      }
    });
  },
});

/** This file's check (chaos.slicer). */
export const checks: readonly Check<SdkContext>[] = [slicer];
