/**
 * chaos.reset: every connection is reset on its first byte; a typed network error, bounded attempts.
 *
 * @module
 */
import type { SdkContext } from "../src/engine/sdk_context.ts";
import { defineCheck } from "../src/engine/registry.ts";
import type { Check } from "../src/engine/types.ts";
import { mustFailWithin, OK_BODY, withChaos } from "./_helpers.ts";

const reset = defineCheck<SdkContext>({
  id: "chaos.reset",
  title: "Turn a peer reset into a typed network error, with bounded attempts",
  level: "MUST",
  source: "000 §7.3 Chaos / Network Tests (intermittent drops: no infinite loops), §2.3 Bounded retries",
  rationale: "A reset connection must reach the caller as a typed network error it can handle, and the " +
    "retries after it must stop at the configured maximum; an SDK that retries resets without bound loops " +
    "forever (seed 000 §2.3: no infinite loops).",
  requires: ["http", "toxiproxy"],
  mutants: ["retry-forever"],
  timeLimitMs: 25_000,
  run: (ctx) =>
    withChaos(ctx, {
      script: { name: "chaos.reset", responses: [{ status: 200, body: OK_BODY }] },
      toxics: [{ type: "reset_peer", stream: "upstream", attributes: { timeout: 0 } }],
      // total_ms is long on purpose: the retry bound, not the total budget, must end the request.
      timeouts: { connect_ms: 1000, read_ms: 2000, total_ms: 30_000 },
      max_retries: 2,
    }, (run) =>
      mustFailWithin(
        run,
        10_000,
        "network",
        "with max_retries=2 every connection reset must end in a network error",
        3,
      )),
});

/** This file's check (chaos.reset). */
export const checks: readonly Check<SdkContext>[] = [reset];
