/**
 * chaos.bandwidth: a 2 MiB body at 64 KB/s (~32 s) must hit the 2 s total timeout. At that rate a
 * 16 KiB TLS record arrives every ~0.25 s, so the 3 s read (idle) timeout never fires: only the
 * total timeout can end the request.
 *
 * @module
 */
import type { SdkContext } from "../src/engine/sdk_context.ts";
import { defineCheck } from "../src/engine/registry.ts";
import type { Check } from "../src/engine/types.ts";
import { mustFailWithin, withChaos } from "./_helpers.ts";

const bandwidth = defineCheck<SdkContext>({
  id: "chaos.bandwidth",
  title: "Respect the total timeout on a throttled large body",
  level: "MUST",
  source: "000 §2.2 Timeouts (overall request timeout), §7.3",
  rationale: "A read (idle) timeout never fires while data keeps trickling in, so a throttled body can " +
    "hold a call for minutes; only the overall request timeout of seed 000 §2.2 bounds it.",
  requires: ["http", "toxiproxy"],
  mutants: ["idle-timeout-only"],
  timeLimitMs: 25_000,
  run: (ctx) =>
    withChaos(ctx, {
      script: {
        name: "chaos.bandwidth",
        responses: [{ status: 200, body: { kind: "json", value: { data: "b".repeat(2 * 1024 * 1024) } } }],
      },
      toxics: [{ type: "bandwidth", stream: "downstream", attributes: { rate: 64 } }],
      timeouts: { connect_ms: 2000, read_ms: 3000, total_ms: 2000 },
      max_retries: 0,
      max_response_bytes: 8 * 1024 * 1024,
    }, (run) =>
      mustFailWithin(
        run,
        6000,
        "timeout",
        "a 2 MiB body at 64 KB/s takes ~32 s: with total_ms=2000 the SDK must time out within 6000 ms " +
          "(data keeps flowing, so read_ms=3000 never fires)",
      )),
});

/** This file's check (chaos.bandwidth). */
export const checks: readonly Check<SdkContext>[] = [bandwidth];
