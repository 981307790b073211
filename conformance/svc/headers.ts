/**
 * svc.headers.*: security headers on every response; no version banners; no legacy XSS filter.
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import { type Check, type Verdict, verdict } from "../../src/engine/types.ts";
import { type Exchange, last, type ProbeResponse, type SvcContext } from "./_context.ts";
import { cannotJudge, firstProtected, routeRequest, tag } from "./_util.ts";

/** A sample of responses: health, an authenticated route, a 401, a 404. */
async function sample(ctx: SvcContext): Promise<{ res: ProbeResponse; ex: Exchange }[]> {
  const token = await ctx.jwt.valid();
  const r = firstProtected(ctx);
  const reqs = [
    { method: "GET", path: ctx.target.health, label: "health" },
    routeRequest(r, { bearer: token, label: "authenticated" }),
    routeRequest(r, { label: "401" }),
    { method: "GET", path: `/conformance-kit-no-such-route-${tag()}`, label: "404" },
  ];
  const out: { res: ProbeResponse; ex: Exchange }[] = [];
  for (const q of reqs) {
    const res = await ctx.probe.send(q);
    out.push({ res, ex: last(ctx.probe) });
  }
  return out;
}

type Judge = (res: ProbeResponse) => string | undefined;

/** A header rule: the check's metadata, the rule for failure messages, and the judge of one response. */
type HeaderSpec = Omit<Check<SvcContext>, "run"> & { rule: string; judge: Judge };

function headerCheck({ rule, judge, ...meta }: HeaderSpec): Check<SvcContext> {
  return defineCheck<SvcContext>({
    ...meta,
    async run(ctx): Promise<Verdict> {
      const bad: Exchange[] = [];
      const silent: Exchange[] = [];
      const why: string[] = [];
      const all = await sample(ctx);
      for (const { res, ex } of all) {
        if (res.status === 0) {
          silent.push(ex);
          continue;
        }
        const w = judge(res);
        if (w !== undefined) {
          bad.push(ex);
          why.push(`${ex.label} (${res.status}): ${w}`);
        }
      }
      const notes = [`responses inspected: ${all.length - silent.length}`];
      const ev = ctx.probe.evidence(notes, bad);
      if (bad.length > 0) return verdict.fail(`${rule}; ${why.join("; ")}`, ev);
      if (silent.length > 0) return cannotJudge(ctx, silent, all.length, notes);
      return verdict.pass(ev);
    },
  });
}

const headersNosniff = headerCheck({
  id: "svc.headers.nosniff",
  title: "X-Content-Type-Options: nosniff on every response",
  level: "MUST",
  source: "001 §6 Transport & Headers; 002 §6.1 Required HTTP Headers",
  rationale: "Without nosniff a browser may guess a response's type and render JSON or text that contains " +
    "attacker-supplied strings as HTML or script.",
  requires: [],
  mutants: ["no-security-headers"],
  rule: "every response must send X-Content-Type-Options: nosniff",
  judge: (r) => {
    const v = r.headers["x-content-type-options"];
    return v?.trim().toLowerCase() === "nosniff"
      ? undefined
      : `got ${v === undefined ? "none" : JSON.stringify(v)}`;
  },
});

const headersFraming = headerCheck({
  id: "svc.headers.framing",
  title: "X-Frame-Options: DENY or CSP frame-ancestors 'none'",
  level: "MUST",
  source: "002 §6.1 Required HTTP Headers (X-Frame-Options: DENY)",
  rationale: "A response that another site may frame can be overlaid in a clickjacking attack that tricks " +
    "a signed-in user into clicking; X-Frame-Options: DENY (or CSP frame-ancestors 'none') forbids " +
    "framing.",
  requires: [],
  mutants: ["no-security-headers"],
  rule: "every response must forbid framing (X-Frame-Options: DENY or CSP frame-ancestors 'none')",
  judge: (r) => {
    const xfo = r.headers["x-frame-options"]?.trim().toUpperCase();
    const csp = r.headers["content-security-policy"] ?? "";
    if (xfo === "DENY" || /frame-ancestors\s+'none'/i.test(csp)) return undefined;
    return `X-Frame-Options ${xfo ?? "none"}, CSP ${csp === "" ? "none" : JSON.stringify(csp)}`;
  },
});

const headersHsts = headerCheck({
  id: "svc.headers.hsts",
  title: "Strict-Transport-Security with max-age >= 31536000 over https",
  level: "MUST",
  source: "002 §6.1 Required HTTP Headers (Strict-Transport-Security)",
  rationale: "Without HSTS a browser's first visit, or any http:// link, goes over plain HTTP, where an " +
    "attacker on the path can strip TLS; a max-age of a year makes the browser use HTTPS only.",
  requires: ["https_target"],
  mutants: ["no-security-headers"],
  rule: "every https response must send HSTS with max-age >= 31536000",
  judge: (r) => {
    const v = r.headers["strict-transport-security"];
    const age = Number(/max-age\s*=\s*"?(\d+)/i.exec(v ?? "")?.[1] ?? -1);
    return age >= 31536000 ? undefined : `got ${v === undefined ? "none" : JSON.stringify(v)}`;
  },
});

const headersNoVersion = headerCheck({
  id: "svc.headers.no-version",
  title: "Server and X-Powered-By reveal no versions",
  level: "SHOULD",
  source: "002 §7.1 Don't Leak Information (fingerprinting); OWASP Secure Headers",
  rationale: "Version strings in Server or X-Powered-By tell an attacker which published vulnerabilities " +
    "to try without probing, and no legitimate client needs them.",
  requires: [],
  mutants: ["version-headers"],
  rule: "Server / X-Powered-By must not reveal versions",
  judge: (r) => {
    const found = ["server", "x-powered-by"]
      .map((k) => [k, r.headers[k]] as const)
      .filter(([k, v]) => v !== undefined && (k === "x-powered-by" || /\d\.\d/.test(v)));
    return found.length === 0 ? undefined : found.map(([k, v]) => `${k}: ${v}`).join(", ");
  },
});

const headersXssLegacy = headerCheck({
  id: "svc.headers.xss-legacy",
  title: "no reliance on X-XSS-Protection: 1; mode=block (0 or absent)",
  level: "SHOULD",
  source:
    "002 §6.1 lists X-XSS-Protection: 1; mode=block — deprecated (OWASP, MDN); the kit expects 0 or absent",
  rationale: "Seed 002 §6.1 asks for X-XSS-Protection: 1; mode=block, but browsers have removed that " +
    "filter and its blocking mode could itself be abused to leak or suppress page content; current " +
    "guidance (OWASP, MDN) is 0 or no header, with CSP doing the job.",
  requires: [],
  mutants: ["xss-filter-header"],
  rule:
    "X-XSS-Protection must be 0 or absent (the legacy filter is deprecated and can add XSS; 002 §6.1 predates this)",
  judge: (r) => {
    const v = r.headers["x-xss-protection"];
    return v === undefined || v.trim() === "0" ? undefined : `got ${JSON.stringify(v)}`;
  },
});

/** The checks of this area (svc.headers.*). */
export const checks: readonly Check<SvcContext>[] = [
  headersNosniff,
  headersFraming,
  headersHsts,
  headersNoVersion,
  headersXssLegacy,
];
