/**
 * chaos.truncated: the connection closes after 32 KiB of a 64 KiB body with a correct Content-Length.
 *
 * @module
 */
import type { SdkContext } from "../src/engine/sdk_context.ts";
import { defineCheck } from "../src/engine/registry.ts";
import { type Check, verdict } from "../src/engine/types.ts";
import { noAnswer, timedGet, unconnected, withChaos } from "./_helpers.ts";

const truncated = defineCheck<SdkContext>({
  id: "chaos.truncated",
  title: "Never return success for a body cut short (limit_data)",
  level: "MUST",
  source: "000 §7.3 Chaos / Network Tests",
  rationale: "A connection that closes before Content-Length bytes have arrived leaves the body " +
    "incomplete; reporting success hands the caller partial data as if it were whole.",
  requires: ["http", "toxiproxy"],
  mutants: ["accept-truncated"],
  timeLimitMs: 25_000,
  run: (ctx) => {
    const value = { data: "t".repeat(64 * 1024) };
    const limit = 32 * 1024;
    return withChaos(ctx, {
      script: { name: "chaos.truncated", responses: [{ status: 200, body: { kind: "json", value } }] },
      toxics: [{ type: "limit_data", stream: "downstream", attributes: { bytes: limit } }],
      timeouts: { connect_ms: 2000, read_ms: 3000, total_ms: 10_000 },
      max_retries: 1,
    }, async (run) => {
      const { r, ms, att, ev } = await timedGet(run, 15_000, [
        `body: ${JSON.stringify(value).length} bytes of JSON with Content-Length; the proxy closes every ` +
        `connection after ${limit} bytes (TLS included)`,
      ]);
      const u = r.kind === "sdk_error" ? unconnected(run, att, ev) : undefined;
      if (u) return u;
      switch (r.kind) {
        case "ok":
          return verdict.fail(
            `a body cut short after ${limit} bytes was reported as success (status ${r.result.status})`,
            ev,
          );
        case "sdk_error":
          return verdict.pass(ev);
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

/** This file's check (chaos.truncated). */
export const checks: readonly Check<SdkContext>[] = [truncated];
