/**
 * svc.chaos.*: a server under hostile networks and clients, with a fresh Toxiproxy proxy between
 * the kit and the server for each check (`deno task chaos --target FILE`; with no target, after the
 * SDK chaos checks, the bundled reference server). Bounds come from the target file's `[chaos]`
 * table (`_target_chaos.ts`). Under `deno task certify:server` (no Toxiproxy) each is
 * `not_applicable`, naming the command that runs it. The runs are in `_chaos_*.ts`.
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import { type Check, type Verdict, verdict } from "../../src/engine/types.ts";
import type { SvcContext } from "./_context.ts";
import type { SvcChaos } from "./_chaos_net.ts";
import { requestHead } from "./_chaos_net.ts";
import { slackMs, SLOW_CLIENTS, slowClients } from "./_chaos_slow.ts";
import { EXTRA_WAIT_S, FILL_GRACE_S, slowReader } from "./_chaos_sse.ts";
import { RESET_WRITES, resetWrites } from "./_chaos_resets.ts";
import { IDLE_CONNECTIONS, idleConnections } from "./_chaos_idle.ts";

/** The hint of a run without Toxiproxy. */
export const CHAOS_HINT =
  "needs Toxiproxy between the kit and the server: run `deno task chaos --target FILE` (or `deno task chaos` " +
  "for the bundled reference server)";

/** Long enough for the largest bound a target file may state (120 s) plus the checks' own margins. */
const CHAOS_TIME_LIMIT_MS = 180_000;

function withChaos(run: (ctx: SvcContext, chaos: SvcChaos) => Promise<Verdict>) {
  return (ctx: SvcContext): Promise<Verdict> =>
    ctx.chaos === undefined ? Promise.resolve(verdict.notApplicable(CHAOS_HINT)) : run(ctx, ctx.chaos);
}

const DRIP_EVERY_MS = 500;

function dripFor(boundS: number, bytesPerDrip: number): string {
  const drips = Math.ceil((boundS * 1000 + slackMs(boundS) + 2000) / DRIP_EVERY_MS) + 10;
  return "a".repeat(drips * bytesPerDrip);
}

const slowHeaders = defineCheck<SvcContext>({
  id: "svc.chaos.slow-headers",
  title: "a request head sent one byte at a time is cut within the target's bound; other clients are served",
  level: "MUST",
  source: "001 §5 (DoS resilience) and Top 10 item 4 (limits); 002 §5.3 (timeouts on every request)",
  rationale: `Slowloris: a few clients that each send a request head a byte at a time hold a connection (a ` +
    `worker, in a threaded server) forever when the server times nothing but idleness. ${SLOW_CLIENTS} such ` +
    `clients must each be cut within [chaos] head_timeout_s (default 60 s), and the health route's p95 must ` +
    `stay under health_p95_ms while they are open.`,
  requires: [],
  mutants: ["no-head-timeout"],
  timeLimitMs: CHAOS_TIME_LIMIT_MS,
  run: withChaos((ctx, chaos) => {
    const boundS = ctx.target.chaos?.headTimeoutS ?? 60;
    return slowClients(ctx, chaos, {
      prefix: "",
      drip: `${requestHead(ctx.target, "GET", ctx.target.health)}X-Slow: ${dripFor(boundS, 1)}`,
      dripBytes: 1,
      dripEveryMs: DRIP_EVERY_MS,
      boundS,
      field: "head_timeout_s",
      what: "request head",
    });
  }),
});

const slowBody = defineCheck<SvcContext>({
  id: "svc.chaos.slow-body",
  title: "a request body trickled a few bytes a second on the write route is cut within the target's bound",
  level: "MUST",
  source: "001 §4 (request limits) and §5 (DoS resilience); 002 §5.3 (timeouts on every request)",
  rationale: `A body sent at 4 bytes a second under a valid token keeps the handler waiting on the read; ` +
    `without a time limit on the body, ${SLOW_CLIENTS} such clients hold as many requests open for as long ` +
    `as they like. Each must be cut within [chaos] body_timeout_s (default 60 s) while the health route ` +
    `keeps its p95 under health_p95_ms.`,
  requires: [],
  mutants: ["no-body-timeout"],
  timeLimitMs: CHAOS_TIME_LIMIT_MS,
  run: withChaos(async (ctx, chaos) => {
    const boundS = ctx.target.chaos?.bodyTimeoutS ?? 60;
    const drip = dripFor(boundS, 2);
    const w = ctx.target.write;
    const head = requestHead(ctx.target, w.method, w.path, [
      "Content-Type: application/json",
      `Content-Length: ${drip.length + 1}`,
    ], await ctx.jwt.valid());
    return await slowClients(ctx, chaos, {
      prefix: `${head}\r\n`,
      drip,
      dripBytes: 2,
      dripEveryMs: DRIP_EVERY_MS,
      boundS,
      field: "body_timeout_s",
      what: "request body",
    });
  }),
});

const slowReaderCheck = defineCheck<SvcContext>({
  id: "svc.chaos.slow-reader",
  title:
    "an SSE subscriber that stops reading is dropped within the backpressure timeout; others keep receiving",
  level: "MUST",
  source: "001 Top 10 item 6 (bounded SSE queue, fail after SSE_BACKPRESSURE_FAIL_TIMEOUT_S) and §5",
  rationale: `A subscriber that stops reading makes the server queue its events: without a bound and a ` +
    `timeout, memory grows for as long as it stays connected. The stalled subscriber must be gone when read ` +
    `again after [chaos] sse_backpressure_timeout_s (default 30 s) + ${FILL_GRACE_S} s for the socket and ` +
    `proxy buffers to fill (longer, up to ${EXTRA_WAIT_S} s more, until the other subscriber has received ` +
    `32 MiB), while a second subscriber keeps receiving. Needs a never-ending stream ([chaos] sse_path, else ` +
    `[sse] path); one that sends less than 32 MiB by then is not judged.`,
  requires: [],
  mutants: ["unbounded-sse-queue"],
  timeLimitMs: CHAOS_TIME_LIMIT_MS,
  run: withChaos((ctx, chaos) => {
    const path = ctx.target.chaos?.ssePath ?? ctx.target.sse?.path;
    if (path === undefined) {
      return Promise.resolve(
        verdict.notApplicable("the target names no SSE route ([chaos] sse_path or [sse] path)"),
      );
    }
    return slowReader(ctx, chaos, path);
  }),
});

const resets = defineCheck<SvcContext>({
  id: "svc.chaos.resets",
  title: "writes cut or reset mid-request leave the server healthy and nothing half-applied",
  level: "MUST",
  source: "001 §4 (input validation) and §5 (DoS resilience); 002 §8",
  rationale:
    `A connection can drop anywhere in a request. ${RESET_WRITES} writes, each cut at a seeded byte ` +
    `(half closed by Toxiproxy's limit_data, half, on plain HTTP, reset with a TCP RST by the kit), must leave the health route answering, and, when the target names a [chaos] ` +
    `list route, each write listed once with what was sent or not at all: a server that stores before the ` +
    `body has fully arrived keeps half a resource.`,
  requires: [],
  mutants: ["non-atomic-write"],
  timeLimitMs: CHAOS_TIME_LIMIT_MS,
  run: withChaos(resetWrites),
});

const idle = defineCheck<SvcContext>({
  id: "svc.chaos.idle-connections",
  title: "200 idle keep-alive connections do not stop a new client from being served within the bound",
  level: "SHOULD",
  source: "001 §5 (DoS resilience); 002 §8",
  rationale:
    `A server with a fixed pool of connection workers is exhausted by clients that open keep-alive ` +
    `connections and do nothing. With ${IDLE_CONNECTIONS} such connections open, three new clients must each ` +
    `be served within [chaos] new_client_ms (default 2000 ms).`,
  requires: [],
  mutants: ["idle-exhaustion"],
  timeLimitMs: CHAOS_TIME_LIMIT_MS,
  run: withChaos(idleConnections),
});

/** The svc.chaos checks. */
export const checks: readonly Check<SvcContext>[] = [slowHeaders, slowBody, slowReaderCheck, resets, idle];
