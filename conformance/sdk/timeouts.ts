/**
 * `sdk.timeouts.*` — every call is bounded (seed 000 §2.2). Giving up in time is the
 * rule under test here, so a reply missing at the bound is a `fail`, not an `error`.
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import type { SdkContext } from "../../src/engine/sdk_context.ts";
import type { Check, Verdict } from "../../src/engine/types.ts";
import type { CallResult } from "../../src/driver/types.ts";
import { judgeGiveUp, request, type Setup, setup } from "./_helpers.ts";

/** Judge a call that must end with a `timeout` error within `boundMs`. */
function judgeTimeout(r: CallResult<"request">, s: Setup, boundMs: number, configured: string): Verdict {
  return judgeGiveUp(
    r,
    s,
    ["timeout"],
    `the SDK must give up with type=timeout within ${boundMs} ms (${configured})`,
    [
      configured,
      `bound ${boundMs} ms`,
    ],
  );
}

const read = defineCheck<SdkContext>({
  id: "sdk.timeouts.read",
  title: "A server that stalls before the response hits the read timeout (300 ms → within 3 s)",
  level: "MUST",
  source: "000 §2.2 Mandatory timeouts",
  rationale:
    "A server that accepts the connection and never answers would hold the caller's request, connection and thread forever. A read timeout turns a stalled server into a prompt, typed error the application can handle.",
  requires: ["http"],
  mutants: ["no-timeout"],
  async run(ctx) {
    const s = await setup(ctx, { responses: [{ stall: true }] }, {
      noDefaultTimeouts: true,
      configure: { max_retries: 0, timeouts: { connect_ms: 2_000, read_ms: 300, total_ms: 10_000 } },
    });
    if (!s.ok) return s.verdict;
    const r = await request(s.setup, { method: "GET", path: "/stall" }, 3_000);
    return judgeTimeout(r, s.setup, 3_000, "read_ms=300 total_ms=10000 max_retries=0");
  },
});

const total = defineCheck<SdkContext>({
  id: "sdk.timeouts.total",
  title: "A body that trickles forever hits the total timeout (1 s → within 5 s)",
  level: "MUST",
  source: "000 §2.2 Overall request timeout",
  rationale:
    "A server that trickles a byte at a time resets any per-read timer, so only an overall deadline bounds the call. Without it a slow or hostile peer keeps the caller waiting indefinitely.",
  requires: ["http"],
  mutants: ["idle-timeout-only"],
  async run(ctx) {
    const s = await setup(ctx, {
      responses: [{
        status: 200,
        headers: { "content-type": "application/json" },
        body: { kind: "trickle", interval_ms: 100 },
      }],
    }, {
      noDefaultTimeouts: true,
      configure: { max_retries: 0, timeouts: { connect_ms: 2_000, read_ms: 1_000, total_ms: 1_000 } },
    });
    if (!s.ok) return s.verdict;
    const r = await request(s.setup, { method: "GET", path: "/trickle" }, 5_000);
    return judgeTimeout(r, s.setup, 5_000, "a byte every 100 ms forever; read_ms=1000 total_ms=1000");
  },
});

const defaults = defineCheck<SdkContext>({
  id: "sdk.timeouts.default",
  title: "With no timeouts configured, a stalled server is given up on within 60 s",
  level: "MUST",
  source: "000 §2.2 Reasonable defaults (e.g. connect 3s, read 10s)",
  rationale:
    "Most callers never configure timeouts, so the defaults decide how the SDK behaves in production. Without default timeouts the caller hangs the first time a server stalls.",
  requires: ["http"],
  mutants: ["no-default-timeout"],
  timeLimitMs: 75_000,
  async run(ctx) {
    const s = await setup(ctx, { responses: [{ stall: true }] }, {
      noDefaultTimeouts: true,
      configure: { max_retries: 0 },
    });
    if (!s.ok) return s.verdict;
    const r = await request(s.setup, { method: "GET", path: "/stall" }, 60_000);
    return judgeTimeout(r, s.setup, 60_000, "no timeouts configured, max_retries=0");
  },
});

/** The `sdk.timeouts.*` checks, in file order. */
export const checks: readonly Check<SdkContext>[] = [read, total, defaults];
