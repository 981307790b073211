/**
 * svc.ratelimit.*: the rate-limited route answers 429 past its limit (bounded: at most
 * limit*2+5 requests), with Retry-After.
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import { type Check, verdict } from "../../src/engine/types.ts";
import { type Exchange, last, type ProbeResponse, type SvcContext } from "./_context.ts";
import { baseline, cannotJudge, routeRequest } from "./_util.ts";

/** Send until the first 429, at most limit*2+5 requests. */
async function untilLimited(
  ctx: SvcContext,
): Promise<
  {
    hit?: { res: ProbeResponse; ex: Exchange; n: number };
    sent: number;
    max: number;
    statuses: Map<number, number>;
    silent: Exchange[];
  }
> {
  const token = await ctx.jwt.valid();
  const rl = ctx.target.rateLimit;
  const max = rl.limit * 2 + 5;
  const statuses = new Map<number, number>();
  const silent: Exchange[] = [];
  let sent = 0;
  for (let n = 1; n <= max; n++) {
    if (ctx.signal.aborted) break;
    const res = await ctx.probe.send(routeRequest(rl, { bearer: token, label: `request ${n}` }));
    sent = n;
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    if (res.status === 0) silent.push(last(ctx.probe));
    if (res.status === 429) return { hit: { res, ex: last(ctx.probe), n }, sent, max, statuses, silent };
  }
  return { sent, max, statuses, silent };
}

function statusNote(m: Map<number, number>): string {
  return `statuses: ${[...m].map(([s, c]) => `${s}×${c}`).join(", ")}`;
}

const rateLimitEnforced = defineCheck<SvcContext>({
  id: "svc.ratelimit.enforced",
  title: "the rate-limited route answers 429 past its limit",
  level: "MUST",
  source: "001 §5 Rate Limiting / DoS Resilience; 002 §8.1 Implement Rate Limiting",
  rationale: "Without a rate limit one client can flood the route and starve everyone else, or " +
    "brute-force whatever it guards at full speed (seed 001 §5, seed 002 §8.1).",
  requires: [],
  mutants: ["no-rate-limit"],
  async run(ctx) {
    // positive control: the kit's valid token must work, else rejections prove nothing
    const b = await baseline(ctx);
    if (b) return b;
    const rl = ctx.target.rateLimit;
    const r = await untilLimited(ctx);
    const notes = [
      `limit ${rl.limit} per ${rl.windowS} s; sent ${r.sent} (cap ${r.max})`,
      statusNote(r.statuses),
    ];
    if (r.hit === undefined && r.silent.length > 0) return cannotJudge(ctx, r.silent, r.sent, notes);
    if (r.hit === undefined && r.sent < r.max) {
      return verdict.error(
        `cannot judge: the check stopped after ${r.sent} of ${r.max} requests`,
        ctx.probe.evidence(notes),
      );
    }
    if (r.hit === undefined) {
      return verdict.fail(
        `${rl.method} ${rl.path} must answer 429 past ${rl.limit} requests per ${rl.windowS} s; no 429 in ${r.sent} requests`,
        ctx.probe.evidence(notes),
      );
    }
    return verdict.pass(ctx.probe.evidence([...notes, `first 429 at request ${r.hit.n}`], [r.hit.ex]));
  },
});

const rateLimitRetryAfter = defineCheck<SvcContext>({
  id: "svc.ratelimit.retry-after",
  title: "429 carries Retry-After",
  level: "SHOULD",
  source: "RFC 6585 §4 (429 MAY include Retry-After); 001 §5",
  rationale: "Retry-After tells well-behaved clients how long to back off (SDKs wait on 429, seed 000 " +
    "§4.4); without it they guess, and either hammer the server again at once or wait longer than needed.",
  requires: [],
  mutants: ["no-retry-after"],
  async run(ctx) {
    // positive control: the kit's valid token must work, else rejections prove nothing
    const b = await baseline(ctx);
    if (b) return b;
    const r = await untilLimited(ctx);
    if (r.hit === undefined && r.silent.length > 0) {
      return cannotJudge(ctx, r.silent, r.sent, [statusNote(r.statuses)]);
    }
    if (r.hit === undefined) {
      return verdict.notApplicable(`no 429 in ${r.sent} requests; see svc.ratelimit.enforced`);
    }
    const v = r.hit.res.headers["retry-after"];
    const ev = ctx.probe.evidence([statusNote(r.statuses)], [r.hit.ex]);
    if (v !== undefined && (/^\d+$/.test(v.trim()) || !Number.isNaN(Date.parse(v)))) return verdict.pass(ev);
    return verdict.fail(
      `429 must carry Retry-After (seconds or HTTP date), got ${
        v === undefined ? "none" : JSON.stringify(v)
      }`,
      ev,
    );
  },
});

/** The checks of this area (svc.ratelimit.*). */
export const checks: readonly Check<SvcContext>[] = [rateLimitEnforced, rateLimitRetryAfter];
