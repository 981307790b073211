/**
 * `sdk.audit.*` — audit context for `ron-audit` (seed 000 §9 "Audit integration"): an optional
 * `audit_context` (actor, reason, tenant) travels in request headers, and never carries the token.
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import type { SdkContext } from "../../src/engine/sdk_context.ts";
import {
  type Check,
  type LeakFinding,
  type RecordedRequest,
  type Verdict,
  verdict,
} from "../../src/engine/types.ts";
import { describeError } from "../../src/driver/describe.ts";
import { callFault, gather, request, type Setup, setup, unobserved } from "./_helpers.ts";
import { type Judge, judged } from "./_judge.ts";
import { wireLeaks } from "./_caps.ts";
import { type AuditValues, freshAuditContext, placeAudit } from "./_audit.ts";

const OK = { responses: [{ status: 200, body: { kind: "json" as const, value: { ok: true } } }] };

/** The token in a header other than Authorization of a request that carried an audit context. */
function headerLeaks(s: { scenario: Setup["scenario"]; canary: string }): LeakFinding[] {
  return wireLeaks(s.scenario.requests(), s.canary).filter((l) => l.where.startsWith("request header"));
}

const NEVER_TOKEN = "audit headers must never carry the token";

/** The judge: any request of the check that carried the token outside Authorization. */
const tokenJudge: Judge = (seen) => {
  for (const s of seen) {
    const leaks = headerLeaks(s);
    if (leaks.length > 0) {
      return verdict.fail(`${NEVER_TOKEN}; found it in ${leaks[0]?.where}`, gather(s, { leaks }));
    }
  }
  return undefined;
};

const context = defineCheck<SdkContext>({
  id: "sdk.audit.context",
  title: "audit_context travels in request headers (not the URL or body) and never carries the token",
  level: "FUTURE",
  source: "000 §9 Audit integration (audit_context)",
  rationale:
    "An audit service logs who acted, why and for whom from request headers, where per-request metadata belongs; in a URL or a body the same values are logged, cached and stored as ordinary data. Audit headers are logged by design, so a token copied into one (say, as the acting principal) leaks into every audit trail.",
  requires: ["http", "audit_context"],
  mutants: ["audit-context-in-query", "token-in-audit-context"],
  run: (ctx) => judged(ctx, tokenJudge, () => body(ctx)),
});

/** Where one request's audit fields went: a note for the evidence and the problems found. */
function judgeRequest(req: RecordedRequest, values: AuditValues): { note: string; problems: string[] } {
  const what = `${req.method} ${req.path}`;
  const placements = placeAudit(req, values);
  const problems: string[] = [];
  for (const p of placements) {
    if (p.headers.length === 0) problems.push(`${p.field} of ${what} reached the server in no header`);
    if (p.inUrl) problems.push(`${p.field} of ${what} was in the URL`);
    if (p.inBody) problems.push(`${p.field} of ${what} was in the body`);
  }
  const note = `${what}: ${
    placements.map((p) => `${p.field} → ${p.headers.join(", ") || "no header"}`).join("; ")
  }`;
  return { note, problems };
}

async function body(ctx: SdkContext): Promise<Verdict> {
  const s = await setup(ctx, OK, { configure: { max_retries: 0 } });
  if (!s.ok) return s.verdict;
  const calls = [
    { method: "GET", path: "/audit/read", query: { page: "1" }, audit_context: freshAuditContext() },
    { method: "POST", path: "/audit/write", json: { amount: 1 }, audit_context: freshAuditContext() },
  ];
  const notes: string[] = [];
  const problems: string[] = [];
  for (const c of calls) {
    const r = await request(s.setup, c);
    if (r.kind === "sdk_error") {
      return verdict.fail(
        `a request with an audit_context must be sent; ${c.method} ${c.path} failed with ${
          describeError(r.error)
        }`,
        gather(s.setup, { reply: r.error }),
      );
    }
    if (r.kind !== "ok") return callFault("request", r, s.setup);
  }
  const u = unobserved(s.setup, calls.length, "the two requests with an audit_context");
  if (u) return u;
  for (const c of calls) {
    const req = s.setup.scenario.requests().find((q) => q.path === c.path && q.method === c.method);
    if (!req) {
      return verdict.error(`cannot judge: the mock server saw no ${c.method} ${c.path}`, gather(s.setup));
    }
    const j = judgeRequest(req, c.audit_context);
    notes.push(j.note);
    problems.push(...j.problems);
  }
  const leaks = headerLeaks(s.setup);
  if (leaks.length > 0) {
    return verdict.fail(`${NEVER_TOKEN}; found it in ${leaks[0]?.where}`, gather(s.setup, { leaks, notes }));
  }
  if (problems.length > 0) {
    return verdict.fail(
      `audit_context must travel in request headers only; ${problems.slice(0, 3).join("; ")}${
        problems.length > 3 ? ` (and ${problems.length - 3} more)` : ""
      }`,
      gather(s.setup, { notes }),
    );
  }
  notes.push("no header other than Authorization carried the token");
  return verdict.pass(gather(s.setup, { notes }));
}

/** The `sdk.audit.*` checks, in file order. */
export const checks: readonly Check<SdkContext>[] = [context];
