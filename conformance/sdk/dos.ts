/**
 * `sdk.dos.*` — response size limits (seed 000 §4.1, §7.4).
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import type { SdkContext } from "../../src/engine/sdk_context.ts";
import type { Check, Verdict } from "../../src/engine/types.ts";
import type { Body } from "../../src/schema/scenario.ts";
import { judgeGiveUp, request, setup, type SetupOptions } from "./_helpers.ts";
import { judged } from "./_judge.ts";

const MiB = 1024 * 1024;

/** How one oversized body is served and what the SDK must end with. */
interface BigBody {
  body: Body;
  path: string;
  setup: SetupOptions;
  /** how long to wait for the reply: the rule's bound */
  waitMs: number;
  types: string[];
  rule: string;
  note: string;
}

/** Serve an oversized JSON body and judge that the SDK gives up with one of `types` in time. */
function bigBody(ctx: SdkContext, b: BigBody): Promise<Verdict> {
  // no partial evidence breaks this rule: only the reply (or its absence by the bound) does
  return judged(ctx, undefined, async () => {
    const s = await setup(ctx, {
      responses: [{ status: 200, headers: { "content-type": "application/json" }, body: b.body }],
    }, b.setup);
    if (!s.ok) return s.verdict;
    const r = await request(s.setup, { method: "GET", path: b.path }, b.waitMs);
    return judgeGiveUp(r, s.setup, b.types, b.rule, [b.note]);
  });
}

const maxResponse = defineCheck<SdkContext>({
  id: "sdk.dos.max-response",
  title: "A body past max_response_bytes fails with too_large",
  level: "MUST",
  source: "000 §4.1 Response size; fails cleanly with a specific error",
  rationale:
    "Without a size cap, one oversized response can exhaust the caller's memory and crash the process. A specific too_large error lets the application fail that one call and carry on.",
  requires: ["http"],
  mutants: ["no-size-limit"],
  run: (ctx) =>
    bigBody(ctx, {
      body: { kind: "bytes", size: 2 * MiB },
      path: "/big",
      setup: { configure: { max_response_bytes: 64 * 1024, max_retries: 0 } },
      waitMs: 8_000,
      types: ["too_large"],
      rule:
        "a 2 MiB body over max_response_bytes=65536 must fail with type=too_large within 8000 ms (64 KiB arrive in < 1000 ms: a 7000 ms margin)",
      note: "body 2 MiB, max_response_bytes=65536",
    }),
});

const defaultMaxResponse = defineCheck<SdkContext>({
  id: "sdk.dos.default-max-response",
  title: "There is a default response cap (a 64 MiB body fails with too_large)",
  level: "SHOULD",
  source: "000 §4.1 Default max response size (~16 MiB)",
  rationale:
    "Most callers never set a limit, so the default decides whether a huge or hostile response can take down the host. A sensible default cap makes the safe behaviour the one users get without asking.",
  requires: ["http"],
  mutants: ["no-size-limit"],
  timeLimitMs: 30_000,
  run: (ctx) =>
    bigBody(ctx, {
      body: { kind: "bytes", size: 64 * MiB },
      path: "/huge",
      setup: {
        configure: { max_retries: 0, timeouts: { connect_ms: 2_000, read_ms: 10_000, total_ms: 20_000 } },
      },
      waitMs: 22_000,
      types: ["too_large"],
      rule:
        "a 64 MiB body must fail with type=too_large under the default cap within 22000 ms (total_ms=20000 + a 2000 ms margin)",
      note: "body 64 MiB, no max_response_bytes configured",
    }),
});

const endlessBody = defineCheck<SdkContext>({
  id: "sdk.dos.endless-body",
  title: "An endless body ends with too_large or timeout, never a hang",
  level: "MUST",
  source: "000 §7.4 Gigantic payload does not OOM",
  rationale:
    "A server that never stops sending grows the SDK's buffer until the process runs out of memory, or keeps the call open forever. A size or time limit must end the call with a typed error.",
  requires: ["http"],
  mutants: ["no-size-limit"],
  run: (ctx) =>
    bigBody(ctx, {
      body: { kind: "endless", chunk_bytes: 65536 },
      path: "/endless",
      setup: {
        noDefaultTimeouts: true,
        configure: {
          max_response_bytes: MiB,
          max_retries: 0,
          timeouts: { connect_ms: 2_000, read_ms: 10_000, total_ms: 60_000 },
        },
      },
      waitMs: 8_000,
      types: ["too_large", "timeout"],
      rule:
        "an endless body must end with too_large or timeout within 8000 ms (1 MiB arrives in < 1000 ms: a 7000 ms margin)",
      note: "endless body, max_response_bytes=1048576, total_ms=60000",
    }),
});

/** The `sdk.dos.*` checks, in file order. */
export const checks: readonly Check<SdkContext>[] = [maxResponse, defaultMaxResponse, endlessBody];
