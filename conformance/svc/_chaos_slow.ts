/**
 * The slow-client run of `svc.chaos.slow-headers` and `svc.chaos.slow-body`: 50 connections through
 * one fresh proxy, each sending its request (or its body) a byte at a time, watched until the server
 * cuts it or the target's bound (plus slack) passes, while the health route is sampled beside them.
 *
 * @module
 */
import { type Verdict, verdict } from "../../src/engine/types.ts";
import type { SvcContext } from "./_context.ts";
import {
  closeQuietly,
  dial,
  type Ending,
  percentile,
  sampleHealth,
  type SvcChaos,
  watchEnding,
  writeAll,
} from "./_chaos_net.ts";

/** How many slow clients one check opens. */
export const SLOW_CLIENTS = 50;

/** What one slow run sends. */
export interface SlowPlan {
  /** what each connection sends at once (the head, for a slow body) */
  prefix: string;
  /** the bytes dripped after it, one `dripBytes` piece every `dripEveryMs` */
  drip: string;
  dripBytes: number;
  dripEveryMs: number;
  /** the target's bound (s) and its field name, for reasons */
  boundS: number;
  field: string;
  /** "request head" or "request body" */
  what: string;
}

/** Slack over the stated bound: network and scheduling (max of 2 s and 10 %). */
export function slackMs(boundS: number): number {
  return Math.max(2000, boundS * 100);
}

async function oneClient(
  ctx: SvcContext,
  port: number,
  plan: SlowPlan,
  untilMs: number,
): Promise<Ending & { error?: string; sent: number }> {
  let conn: Deno.Conn;
  try {
    conn = await dial(ctx.target, port);
  } catch (e) {
    return { error: String(e), sent: 0 };
  }
  const t0 = performance.now();
  const ending = watchEnding(conn, t0, untilMs);
  let sent = 0;
  let ended = false;
  void ending.then(() => ended = true);
  try {
    await writeAll(conn, plan.prefix);
    for (let i = 0; i < plan.drip.length && !ended && performance.now() < untilMs; i += plan.dripBytes) {
      if (ctx.signal.aborted) break;
      await writeAll(conn, plan.drip.slice(i, i + plan.dripBytes));
      sent += plan.dripBytes;
      await new Promise((r) => setTimeout(r, plan.dripEveryMs));
    }
  } catch {
    // the server closed it: the watcher sees the end
  }
  const e = await ending;
  closeQuietly(conn);
  return { ...e, sent };
}

/**
 * Run 50 slow clients through a fresh proxy and judge: every one cut within the bound, the health
 * p95 under the target's bound meanwhile.
 *
 * @param ctx the check's context
 * @param chaos its chaos environment
 * @param plan what each client sends
 * @returns the verdict
 */
export async function slowClients(ctx: SvcContext, chaos: SvcChaos, plan: SlowPlan): Promise<Verdict> {
  const bounds = ctx.target.chaos;
  const p95Bound = bounds?.healthP95Ms ?? 1000;
  const proxy = await chaos.proxy();
  const boundMs = plan.boundS * 1000;
  const t0 = performance.now();
  const until = t0 + boundMs + slackMs(plan.boundS) + 1000;
  const stop = new AbortController();
  const health = sampleHealth(ctx.target, stop.signal, 250, Math.max(2 * p95Bound, 2000));
  const clients: Promise<Ending & { error?: string; sent: number }>[] = [];
  for (let i = 0; i < SLOW_CLIENTS; i++) {
    clients.push(oneClient(ctx, proxy.listenPort, plan, until));
    if (i % 10 === 9) await new Promise((r) => setTimeout(r, 20));
  }
  const ends = await Promise.all(clients);
  stop.abort();
  const h = await health;
  const p95 = percentile(h.ms, 95);
  const dialed = ends.filter((e) => e.error === undefined);
  const cut = dialed.filter((e) => e.ms !== undefined && e.ms <= boundMs + slackMs(plan.boundS));
  const late = dialed.filter((e) => e.ms !== undefined && e.ms > boundMs + slackMs(plan.boundS));
  const open = dialed.filter((e) => e.ms === undefined);
  const cutMs = cut.map((e) => e.ms ?? 0);
  const statuses = [...new Set(dialed.map((e) => e.status === undefined ? "open" : String(e.status)))];
  const ev = {
    timings: {
      clients: SLOW_CLIENTS,
      connected: dialed.length,
      cut_within_bound: cut.length,
      cut_late: late.length,
      still_open: open.length,
      bound_ms: boundMs,
      slack_ms: slackMs(plan.boundS),
      cut_ms_median: cutMs.length > 0 ? Math.round(percentile(cutMs, 50)) : -1,
      cut_ms_max: Math.round(Math.max(0, ...cutMs)),
      health_samples: h.ms.length,
      health_p95_ms: Number.isFinite(p95) ? Math.round(p95) : -1,
      health_p95_bound_ms: p95Bound,
      wall_ms: Math.round(performance.now() - t0),
    },
    notes: [
      proxy.describe(),
      `each client sent its ${plan.what} ${plan.dripBytes} byte(s) every ${plan.dripEveryMs} ms`,
      `endings: ${statuses.join(", ")} (a status is the server's answer, 0 a close without one)`,
      ...(h.failures.length > 0 ? [`health failures: ${h.failures.slice(0, 3).join("; ")}`] : []),
    ],
  };
  if (dialed.length < SLOW_CLIENTS / 2) {
    return verdict.error(
      `cannot judge: only ${dialed.length} of ${SLOW_CLIENTS} connections through the proxy opened (${
        ends.find((e) => e.error)?.error ?? ""
      })`,
      ev,
    );
  }
  const why: string[] = [];
  if (open.length + late.length > 0) {
    why.push(
      `${
        open.length + late.length
      } of ${dialed.length} clients trickling a ${plan.what} were not cut within ` +
        `${plan.field} = ${plan.boundS} s (+${
          slackMs(plan.boundS) / 1000
        } s slack): ${open.length} still open ` +
        `after ${Math.round((until - t0) / 1000)} s`,
    );
  }
  if (!(p95 <= p95Bound)) {
    why.push(
      `health p95 was ${Math.round(p95)} ms while they were open (bound: health_p95_ms = ${p95Bound})`,
    );
  }
  return why.length > 0 ? verdict.fail(why.join("; "), ev) : verdict.pass(ev);
}
