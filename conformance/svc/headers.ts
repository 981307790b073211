/**
 * svc.headers.*: security headers on every response; no version banners; no legacy XSS filter.
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import { type Capability, type Level, type Verdict, verdict } from "../../src/engine/types.ts";
import { type Exchange, last, type ProbeResponse, type SvcContext } from "./_context.ts";
import { firstProtected, routeRequest, tag } from "./_util.ts";

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

function headerCheck(
  id: string,
  title: string,
  level: Level,
  source: string,
  mutants: string[],
  requires: Capability[],
  rule: string,
  judge: Judge,
) {
  return defineCheck<SvcContext>({
    id,
    title,
    level,
    source,
    requires,
    mutants,
    async run(ctx): Promise<Verdict> {
      const bad: Exchange[] = [];
      const why: string[] = [];
      const all = await sample(ctx);
      for (const { res, ex } of all) {
        if (res.status === 0) {
          return verdict.error(`no answer to ${ex.label}: ${res.error}`, ctx.probe.evidence());
        }
        const w = judge(res);
        if (w !== undefined) {
          bad.push(ex);
          why.push(`${ex.label} (${res.status}): ${w}`);
        }
      }
      const ev = ctx.probe.evidence([`responses inspected: ${all.length}`], bad);
      return bad.length > 0 ? verdict.fail(`${rule}; ${why.join("; ")}`, ev) : verdict.pass(ev);
    },
  });
}

/** svc.headers.nosniff */
export const headersNosniff = headerCheck(
  "svc.headers.nosniff",
  "X-Content-Type-Options: nosniff on every response",
  "MUST",
  "001 §6 Transport & Headers; 002 §6.1 Required HTTP Headers",
  ["no-security-headers"],
  [],
  "every response must send X-Content-Type-Options: nosniff",
  (r) => {
    const v = r.headers["x-content-type-options"];
    return v?.trim().toLowerCase() === "nosniff"
      ? undefined
      : `got ${v === undefined ? "none" : JSON.stringify(v)}`;
  },
);

/** svc.headers.framing */
export const headersFraming = headerCheck(
  "svc.headers.framing",
  "X-Frame-Options: DENY or CSP frame-ancestors 'none'",
  "MUST",
  "002 §6.1 Required HTTP Headers (X-Frame-Options: DENY)",
  ["no-security-headers"],
  [],
  "every response must forbid framing (X-Frame-Options: DENY or CSP frame-ancestors 'none')",
  (r) => {
    const xfo = r.headers["x-frame-options"]?.trim().toUpperCase();
    const csp = r.headers["content-security-policy"] ?? "";
    if (xfo === "DENY" || /frame-ancestors\s+'none'/i.test(csp)) return undefined;
    return `X-Frame-Options ${xfo ?? "none"}, CSP ${csp === "" ? "none" : JSON.stringify(csp)}`;
  },
);

/** svc.headers.hsts */
export const headersHsts = headerCheck(
  "svc.headers.hsts",
  "Strict-Transport-Security with max-age >= 31536000 over https",
  "MUST",
  "002 §6.1 Required HTTP Headers (Strict-Transport-Security)",
  ["no-security-headers"],
  ["https_target"],
  "every https response must send HSTS with max-age >= 31536000",
  (r) => {
    const v = r.headers["strict-transport-security"];
    const age = Number(/max-age\s*=\s*"?(\d+)/i.exec(v ?? "")?.[1] ?? -1);
    return age >= 31536000 ? undefined : `got ${v === undefined ? "none" : JSON.stringify(v)}`;
  },
);

/** svc.headers.no-version */
export const headersNoVersion = headerCheck(
  "svc.headers.no-version",
  "Server and X-Powered-By reveal no versions",
  "SHOULD",
  "002 §7.1 Don't Leak Information (fingerprinting); OWASP Secure Headers",
  ["version-headers"],
  [],
  "Server / X-Powered-By must not reveal versions",
  (r) => {
    const found = ["server", "x-powered-by"]
      .map((k) => [k, r.headers[k]] as const)
      .filter(([k, v]) => v !== undefined && (k === "x-powered-by" || /\d+\.\d+/.test(v)));
    return found.length === 0 ? undefined : found.map(([k, v]) => `${k}: ${v}`).join(", ");
  },
);

/** svc.headers.xss-legacy */
export const headersXssLegacy = headerCheck(
  "svc.headers.xss-legacy",
  "no reliance on X-XSS-Protection: 1; mode=block (0 or absent)",
  "SHOULD",
  "002 §6.1 lists X-XSS-Protection: 1; mode=block — deprecated (OWASP, MDN); the kit expects 0 or absent",
  ["xss-filter-header"],
  [],
  "X-XSS-Protection must be 0 or absent (the legacy filter is deprecated and can add XSS; 002 §6.1 predates this)",
  (r) => {
    const v = r.headers["x-xss-protection"];
    return v === undefined || v.trim() === "0" ? undefined : `got ${JSON.stringify(v)}`;
  },
);

/** The checks of this area. */
export const headersChecks = [
  headersNosniff,
  headersFraming,
  headersHsts,
  headersNoVersion,
  headersXssLegacy,
];
