/**
 * chaos.half-open: the connection accepts and then goes silent (timeout toxic, no close).
 *
 * @module
 */
import type { SdkContext } from "../src/engine/sdk_context.ts";
import { defineCheck } from "../src/engine/registry.ts";
import type { Check } from "../src/engine/types.ts";
import { mustFailWithin, OK_BODY, withChaos } from "./_helpers.ts";

const halfOpen = defineCheck<SdkContext>({
  id: "chaos.half-open",
  title: "Time out on a connection that accepts and then goes silent",
  level: "MUST",
  source: "000 §7.3 Chaos / Network Tests (half-open connections), §2.2 Timeouts",
  rationale: "A connection that accepts and then goes silent never ends by itself; without a read timeout " +
    "the call, its connection and its caller wait forever (seed 000 §7.3: half-open connections).",
  requires: ["http", "toxiproxy"],
  mutants: ["no-timeout"],
  timeLimitMs: 20_000,
  run: (ctx) =>
    withChaos(ctx, {
      script: { name: "chaos.half-open", responses: [{ status: 200, body: OK_BODY }] },
      toxics: [{ type: "timeout", stream: "downstream", attributes: { timeout: 0 } }],
      timeouts: { connect_ms: 1000, read_ms: 500, total_ms: 3000 },
      max_retries: 0,
    }, (run) =>
      mustFailWithin(
        run,
        5000,
        "timeout",
        "with read_ms=500 on a silent connection the SDK must time out within 5000 ms",
      )),
});

/** This file's check (chaos.half-open). */
export const checks: readonly Check<SdkContext>[] = [halfOpen];
