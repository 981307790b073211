/**
 * svc.methods.trace: TRACE is refused (and never echoes the request).
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import { type Check, verdict } from "../../src/engine/types.ts";
import { type Exchange, last, type SvcContext } from "./_context.ts";
import { cannotJudge, firstProtected } from "./_util.ts";

const methodsTrace = defineCheck<SvcContext>({
  id: "svc.methods.trace",
  title: "TRACE is refused",
  level: "SHOULD",
  source: "002 §6 Security Headers / hardening (no request echo: Cross-Site Tracing); OWASP WSTG-CONF-06",
  rationale: "A TRACE answered with the request echoed back reflects its headers, cookies and " +
    "Authorization included, so a script that can send one (Cross-Site Tracing) reads credentials the " +
    "browser would otherwise keep from it.",
  requires: [],
  mutants: ["trace-echo"],
  async run(ctx) {
    const marker = `conformance-kit-${crypto.randomUUID().slice(0, 8)}`;
    const bad: Exchange[] = [];
    const why: string[] = [];
    for (const path of [ctx.target.health, firstProtected(ctx).path]) {
      const res = await ctx.probe.raw("TRACE", path, { "x-conformance-probe": marker });
      const ex = last(ctx.probe);
      if (res.status === 0) return cannotJudge(ctx, [ex], ctx.probe.count);
      if ((res.status >= 200 && res.status < 300) || res.text.includes(marker)) {
        bad.push(ex);
        why.push(`TRACE ${path} → ${res.status}${res.text.includes(marker) ? " echoing the request" : ""}`);
      }
    }
    const ev = ctx.probe.evidence([], bad);
    if (bad.length > 0) return verdict.fail(`TRACE must be refused (405/501/4xx); ${why.join("; ")}`, ev);
    return verdict.pass(ev);
  },
});

/** The checks of this area (svc.methods.*). */
export const checks: readonly Check<SvcContext>[] = [methodsTrace];
