/**
 * chaos.latency: 5 s of latency on every response byte; the total timeout (2 s) must fire.
 *
 * @module
 */
import type { SdkContext } from "../src/engine/sdk_context.ts";
import { defineCheck } from "../src/engine/registry.ts";
import type { Check } from "../src/engine/types.ts";
import { mustFailWithin, OK_BODY, withChaos } from "./_helpers.ts";

const latency = defineCheck<SdkContext>({
  id: "chaos.latency",
  title: "Time out within bounds under 5 s of injected latency",
  level: "MUST",
  source: "000 §7.3 Chaos / Network Tests (latency injection), §2.2 Timeouts",
  rationale: "Under a slow network, an SDK whose timeouts do not fire holds its caller for as long as the " +
    "network stays slow; seed 000 §2.2 requires every request to be bounded, and latency injection (§7.3) " +
    "is how that is shown.",
  requires: ["http", "toxiproxy"],
  mutants: ["no-timeout"],
  timeLimitMs: 25_000,
  run: (ctx) =>
    withChaos(ctx, {
      script: { name: "chaos.latency", responses: [{ status: 200, body: OK_BODY }] },
      toxics: [{ type: "latency", stream: "downstream", attributes: { latency: 5000, jitter: 0 } }],
      timeouts: { connect_ms: 1000, read_ms: 1000, total_ms: 2000 },
      max_retries: 0,
    }, (run) =>
      mustFailWithin(
        run,
        6000,
        "timeout",
        "with read_ms=1000 and total_ms=2000 under 5000 ms latency the SDK must time out within 6000 ms",
      )),
});

/** This file's check (chaos.latency). */
export const checks: readonly Check<SdkContext>[] = [latency];
