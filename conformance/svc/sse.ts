/**
 * svc.sse.*: the SSE route's headers and authentication.
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import { type Check, verdict } from "../../src/engine/types.ts";
import { last, type SvcContext } from "./_context.ts";
import { cannotJudge } from "./_util.ts";

function ssePath(ctx: SvcContext): string {
  const p = ctx.target.sse?.path;
  if (p === undefined) throw new Error("no SSE route (the check requires sse_route)");
  return p;
}

const sseHeaders = defineCheck<SvcContext>({
  id: "svc.sse.headers",
  title: "SSE sends text/event-stream, Cache-Control: no-store, X-Accel-Buffering: no",
  level: "MUST",
  source: "001 §6 Transport & Headers (SSE: Cache-Control no-store, X-Accel-Buffering no)",
  rationale: "An event stream that a proxy or CDN caches can be replayed to another user, and a buffering " +
    "proxy such as nginx holds events back until the stream stalls; Cache-Control: no-store and " +
    "X-Accel-Buffering: no (seed 001 §6) prevent both.",
  requires: ["sse_route"],
  mutants: ["sse-cacheable"],
  async run(ctx) {
    const token = await ctx.jwt.valid();
    const res = await ctx.probe.send({
      method: "GET",
      path: ssePath(ctx),
      bearer: token,
      headers: { accept: "text/event-stream" },
      headersOnly: true,
      label: "SSE with a valid token",
    });
    const ev = ctx.probe.evidence();
    if (res.status === 0) return cannotJudge(ctx, [last(ctx.probe)], 1);
    if (res.status < 200 || res.status >= 300) {
      return verdict.error(`cannot judge: the SSE route answered ${res.status} to the kit's valid token`, ev);
    }
    const why: string[] = [];
    const ct = res.headers["content-type"] ?? "";
    if (!/^text\/event-stream\b/i.test(ct)) why.push(`Content-Type ${JSON.stringify(ct)}`);
    const cc = res.headers["cache-control"] ?? "";
    if (!/\bno-store\b/i.test(cc)) why.push(`Cache-Control ${JSON.stringify(cc)}`);
    const xab = res.headers["x-accel-buffering"];
    if (xab?.trim().toLowerCase() !== "no") {
      why.push(`X-Accel-Buffering ${xab === undefined ? "absent" : JSON.stringify(xab)}`);
    }
    if (why.length > 0) {
      return verdict.fail(
        `SSE must send text/event-stream, no-store, X-Accel-Buffering: no; got ${why.join(", ")}`,
        ev,
      );
    }
    return verdict.pass(ev);
  },
});

const sseAuth = defineCheck<SvcContext>({
  id: "svc.sse.auth",
  title: "the SSE route requires credentials",
  level: "MUST",
  source: "002 §2.1 (all protected endpoints validate JWT); 001 §2",
  rationale: "Streaming routes are easy to miss when authentication is added route by route; an open SSE " +
    "route pushes every event to anyone who connects (seed 002 §2.1).",
  requires: ["sse_route"],
  mutants: ["open-route"],
  async run(ctx) {
    const res = await ctx.probe.send({
      method: "GET",
      path: ssePath(ctx),
      headers: { accept: "text/event-stream" },
      headersOnly: true,
      label: "SSE without credentials",
    });
    const ev = ctx.probe.evidence();
    if (res.status === 0) return cannotJudge(ctx, [last(ctx.probe)], 1);
    if (res.status === 401) return verdict.pass(ev);
    return verdict.fail(`the SSE route must answer 401 without credentials, got ${res.status}`, ev);
  },
});

/** The checks of this area (svc.sse.*). */
export const checks: readonly Check<SvcContext>[] = [sseHeaders, sseAuth];
