/**
 * svc.cors.closed: hostile, `null` and look-alike origins get no CORS grant.
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import { type Check, verdict } from "../../src/engine/types.ts";
import { type Exchange, last, type SvcContext } from "./_context.ts";
import { cannotJudge, firstProtected, routeRequest } from "./_util.ts";

/**
 * The hostile origins to try: a foreign site, `null`, and look-alikes of the target and of every
 * configured origin (suffix, prefix and scheme tricks).
 *
 * @param base the target's base URL
 * @param allowed the configured allowed origins
 * @returns the origins (none of them in `allowed`)
 */
export function hostileOrigins(base: URL, allowed: readonly string[]): string[] {
  const out = new Set<string>(["https://evil.test", "null", "https://example.com.evil.test"]);
  out.add(`https://${base.hostname}.evil.test`);
  for (const a of allowed) {
    const u = new URL(a);
    out.add(`${u.protocol}//${u.hostname}.evil.test`);
    out.add(`${u.protocol}//evil${u.hostname}`);
    out.add(`${u.protocol === "https:" ? "http:" : "https:"}//${u.host}`);
  }
  const allowedSet = new Set(allowed.map((a) => new URL(a).origin));
  return [...out].filter((o) => o === "null" || !allowedSet.has(o));
}

const corsClosed = defineCheck<SvcContext>({
  id: "svc.cors.closed",
  title: "no CORS grant to a foreign, null or look-alike Origin; never * with credentials",
  level: "MUST",
  source: "001 §7 CORS (only when CORS_ALLOWED_ORIGINS is non-empty); 002 §6.1",
  rationale: "A CORS grant to a foreign, null or look-alike origin lets any page the user visits read API " +
    "responses through the user's browser. Seed 001 §7 keeps CORS closed unless origins are configured; " +
    "reflecting the Origin, or * with credentials, gives that away.",
  requires: [],
  mutants: ["cors-reflect"],
  async run(ctx) {
    const token = await ctx.jwt.valid();
    const r = firstProtected(ctx);
    const origins = hostileOrigins(ctx.target.baseUrl, ctx.target.corsAllowedOrigins);
    const bad: Exchange[] = [];
    const silent: Exchange[] = [];
    const why: string[] = [];
    for (const origin of origins) {
      const probes = [
        routeRequest(r, { bearer: token, headers: { origin }, label: `simple, Origin ${origin}` }),
        {
          method: "OPTIONS",
          path: r.path,
          headers: {
            origin,
            "access-control-request-method": "POST",
            "access-control-request-headers": "authorization, content-type",
          },
          label: `preflight, Origin ${origin}`,
        },
      ];
      for (const p of probes) {
        const res = await ctx.probe.send(p);
        if (res.status === 0) {
          silent.push(last(ctx.probe));
          continue;
        }
        const acao = res.headers["access-control-allow-origin"];
        const acac = res.headers["access-control-allow-credentials"]?.toLowerCase() === "true";
        if (acao === undefined) continue;
        if (acao === origin || acao === "*") {
          bad.push(last(ctx.probe));
          why.push(`${p.label}: Access-Control-Allow-Origin ${acao}${acac ? " with credentials" : ""}`);
        }
      }
    }
    const notes = [`hostile origins tried: ${origins.length}`];
    const ev = ctx.probe.evidence(notes, bad);
    if (bad.length > 0) {
      return verdict.fail(`CORS must stay closed to unconfigured origins; ${why.join("; ")}`, ev);
    }
    if (silent.length > 0) return cannotJudge(ctx, silent, ctx.probe.count, notes);
    return verdict.pass(ev);
  },
});

/** The checks of this area (svc.cors.*). */
export const checks: readonly Check<SvcContext>[] = [corsClosed];
