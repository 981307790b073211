/**
 * svc.errors.*: every error is a Problem envelope, leaks nothing, and carries its correlation id.
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import { type Check, verdict } from "../../src/engine/types.ts";
import { type Exchange, last, type ProbeRequest, type ProbeResponse, type SvcContext } from "./_context.ts";
import {
  baseline,
  cannotJudge,
  correlationId,
  firstProtected,
  leaksIn,
  loadInjectionCases,
  problemShape,
  routeRequest,
  tag,
} from "./_util.ts";

function confuse(v: unknown): unknown {
  if (typeof v === "string") return 12345;
  if (typeof v === "number") return "not-a-number";
  if (typeof v === "boolean") return "yes";
  if (Array.isArray(v)) return { not: "an array" };
  if (v !== null && typeof v === "object") return "not-an-object";
  return [];
}

/** The probes that should each produce an error: unknown routes and methods, bad bodies. */
export async function errorProbes(ctx: SvcContext): Promise<ProbeRequest[]> {
  const token = await ctx.jwt.valid();
  const w = ctx.target.write;
  const keys = Object.keys(w.body);
  const wrongTypes = Object.fromEntries(Object.entries(w.body).map(([k, v]) => [k, confuse(v)]));
  const huge = "{" + keys.map((k) => `${JSON.stringify(k)}: 1e999999`).join(", ") + "}";
  const hugeInt = "{" +
    keys.map((k) => `${JSON.stringify(k)}: 123456789012345678901234567890123456789`).join(", ") +
    "}";
  return [
    { method: "GET", path: `/conformance-kit-no-such-route-${tag()}`, label: "unknown route" },
    {
      method: "GET",
      path: `/conformance-kit-no-such-route-${tag()}`,
      bearer: token,
      label: "unknown route, token",
    },
    { method: "DELETE", path: w.path, bearer: token, label: "unsupported method" },
    routeRequest(firstProtected(ctx), { label: "no credentials" }),
    routeRequest(w, { bearer: token, text: '{"broken": [1, 2,', label: "malformed JSON" }),
    routeRequest(w, { bearer: token, json: wrongTypes, label: "wrong types" }),
    routeRequest(w, { bearer: token, json: [w.body], label: "array instead of object" }),
    routeRequest(w, { bearer: token, text: huge, label: "huge numbers (1e999999)" }),
    routeRequest(w, { bearer: token, text: hugeInt, label: "huge integers (2^128)" }),
    routeRequest(w, { bearer: token, text: "[".repeat(5000) + "]".repeat(5000), label: "deep nesting" }),
    routeRequest(w, {
      bearer: token,
      headers: { "content-type": "text/plain" },
      text: "hello",
      label: "wrong type",
    }),
  ];
}

/** One error probe's answer, its exchange, and the strings it sent (its echo is not a leak). */
interface Answer {
  res: ProbeResponse;
  ex: Exchange;
  sent: string[];
}

async function sendAll(ctx: SvcContext): Promise<Answer[]> {
  const out: Answer[] = [];
  for (const p of await errorProbes(ctx)) {
    const res = await ctx.probe.send(p);
    const sent = p.text === undefined ? [] : [p.text];
    if (p.json !== undefined) sent.push(JSON.stringify(p.json));
    out.push({ res, ex: last(ctx.probe), sent });
  }
  return out;
}

const errorsProblem = defineCheck<SvcContext>({
  id: "svc.errors.problem",
  title: "every 4xx/5xx is a JSON Problem envelope",
  level: "MUST",
  source: "000 §3.1 Problem envelope {code, kind, message, correlation_id, details}",
  rationale: "SDKs map errors from the canonical Problem envelope {code, kind, message, correlation_id, " +
    "details} (seed 000 §3.1); a plain-text or HTML error cannot become a typed error, so callers are " +
    "left guessing from the status code or see a raw body.",
  requires: [],
  mutants: ["plain-text-errors"],
  async run(ctx) {
    // positive control: the kit's valid token must work, else rejections prove nothing
    const b = await baseline(ctx);
    if (b) return b;
    const bad: Exchange[] = [];
    const silent: Exchange[] = [];
    const why: string[] = [];
    let errors = 0;
    const all = await sendAll(ctx);
    for (const { res, ex } of all) {
      if (res.status === 0) {
        silent.push(ex);
        continue;
      }
      if (res.status < 400) continue;
      errors++;
      const s = problemShape(res);
      if (!s.ok) {
        bad.push(ex);
        why.push(`${ex.label} → ${res.status}: ${s.why}`);
      } else if (s.form === "rfc9457") ctx.note(`${ex.label}: RFC 9457 problem (accepted)`);
    }
    const notes = [`error responses inspected: ${errors}`];
    const ev = ctx.probe.evidence(notes, bad);
    if (bad.length > 0) {
      return verdict.fail(`every 4xx/5xx must be a JSON Problem envelope; ${why.join("; ")}`, ev);
    }
    if (silent.length > 0) return cannotJudge(ctx, silent, all.length, notes);
    if (errors === 0) return verdict.error("cannot judge: no probe produced an error response", ev);
    return verdict.pass(ev);
  },
});

const errorsNoLeak = defineCheck<SvcContext>({
  id: "svc.errors.no-leak",
  title: "no error shows a stack trace, file path, SQL or driver error, or private address",
  level: "MUST",
  source: "002 §7.1 Don't Leak Information",
  rationale: "Stack traces, file paths, SQL and driver errors and private addresses tell an attacker the " +
    "framework, the schema and the network layout, turning blind probing into targeted attacks. Seed 002 " +
    "§7.1 keeps details in logs and gives clients generic messages.",
  requires: [],
  mutants: ["stack-trace-errors"],
  async run(ctx) {
    // positive control: the kit's valid token must work, else rejections prove nothing
    const b = await baseline(ctx);
    if (b) return b;
    await loadInjectionCases(); // so that payloads another check stored are stripped, not counted
    const bad: Exchange[] = [];
    const silent: Exchange[] = [];
    const why: string[] = [];
    const all = await sendAll(ctx);
    for (const { res, ex, sent } of all) {
      if (res.status === 0) {
        silent.push(ex);
        continue;
      }
      const hits = leaksIn(res, sent);
      if (hits.length > 0) {
        bad.push(ex);
        why.push(
          `${ex.label} → ${res.status}: ${
            hits.map((h) => `${h.kind} (${h.pattern}) "${h.excerpt}"`).join(", ")
          }`,
        );
      }
    }
    const notes = [`responses scanned: ${all.length - silent.length}`];
    const ev = ctx.probe.evidence(notes, bad);
    if (bad.length > 0) return verdict.fail(`errors must not leak internals; ${why.join("; ")}`, ev);
    if (silent.length > 0) return cannotJudge(ctx, silent, all.length, notes);
    return verdict.pass(ev);
  },
});

const errorsCorrelation = defineCheck<SvcContext>({
  id: "svc.errors.correlation",
  title: "errors carry X-Request-ID equal to the Problem's correlation_id",
  level: "SHOULD",
  source: "001 §9 Logging & Privacy (X-Request-ID for correlation); 000 §3.2",
  rationale: "An X-Request-ID that matches the Problem's correlation_id lets a reported error be found in " +
    "the server logs without putting internals in the response (seed 001 §9); without it, or with two " +
    "different ids, a failure cannot be traced.",
  requires: [],
  mutants: ["mismatched-request-id"],
  async run(ctx) {
    // positive control: the kit's valid token must work, else rejections prove nothing
    const b = await baseline(ctx);
    if (b) return b;
    const bad: Exchange[] = [];
    const silent: Exchange[] = [];
    const why: string[] = [];
    let errors = 0;
    const all = await sendAll(ctx);
    for (const { res, ex } of all) {
      if (res.status === 0) silent.push(ex);
      if (res.status < 400) continue;
      errors++;
      const h = res.headers["x-request-id"];
      const body = correlationId(res);
      if (h === undefined || h === "") {
        bad.push(ex);
        why.push(`${ex.label}: no X-Request-ID`);
      } else if (body !== undefined && body !== h) {
        bad.push(ex);
        why.push(`${ex.label}: X-Request-ID ${h} ≠ correlation_id ${body}`);
      }
    }
    const notes = [`error responses inspected: ${errors}`];
    const ev = ctx.probe.evidence(notes, bad);
    if (bad.length > 0) {
      return verdict.fail(`X-Request-ID must match the Problem's correlation_id; ${why.join("; ")}`, ev);
    }
    if (silent.length > 0) return cannotJudge(ctx, silent, all.length, notes);
    if (errors === 0) return verdict.error("cannot judge: no probe produced an error response", ev);
    return verdict.pass(ev);
  },
});

/** The checks of this area (svc.errors.*). */
export const checks: readonly Check<SvcContext>[] = [errorsProblem, errorsNoLeak, errorsCorrelation];
