/**
 * svc.input.*: strict schemas (unknown fields refused) and injection payloads (from
 * `fixtures/injection/payloads.json`) answered with 4xx or a clean 2xx.
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import { type Check, verdict } from "../../src/engine/types.ts";
import { type Exchange, last, type ProbeRequest, type SvcContext } from "./_context.ts";
import {
  baseline,
  cannotJudge,
  firstProtected,
  leaksIn,
  loadInjectionCases,
  noAnswer,
  routeRequest,
} from "./_util.ts";

const inputUnknownFields = defineCheck<SvcContext>({
  id: "svc.input.unknown-fields",
  title: "unknown JSON fields get 400/422",
  level: "MUST",
  source: "001 §4 Input Validation & Limits (disallow unknown JSON fields); 002 §3.1",
  rationale: "A schema that silently accepts unknown fields lets clients set properties the API never " +
    "meant to expose (mass assignment) and hides client mistakes that should be errors (seed 001 §4: " +
    "disallow unknown JSON fields).",
  requires: [],
  mutants: ["lenient-input"],
  async run(ctx) {
    // positive control: the kit's valid token must work, else rejections prove nothing
    const b = await baseline(ctx);
    if (b) return b;
    const token = await ctx.jwt.valid();
    const w = ctx.target.write;
    const ok = await ctx.probe.send(routeRequest(w, { bearer: token, label: "baseline: the example body" }));
    if (ok.status < 200 || ok.status >= 300) {
      return verdict.error(
        `baseline failed: the example write request answered ${
          ok.status || noAnswer(ok)
        }; fix [write] in the target`,
        ctx.probe.evidence(),
      );
    }
    const res = await ctx.probe.send(
      routeRequest(w, {
        bearer: token,
        json: { ...w.body, conformance_kit_unknown: "x" },
        label: "one unknown field",
      }),
    );
    const ev = ctx.probe.evidence();
    if (res.status === 0) return cannotJudge(ctx, [last(ctx.probe)], 1);
    if (res.status === 400 || res.status === 422) return verdict.pass(ev);
    return verdict.fail(`an unknown JSON field must get 400 or 422, got ${res.status}`, ev);
  },
});

const inputInjection = defineCheck<SvcContext>({
  id: "svc.input.injection",
  title: "SQL-injection and path-traversal payloads get 4xx or a clean 2xx",
  level: "MUST",
  source: "002 §3.2 SQL Injection Prevention; 002 §3.3 Path Traversal Prevention; 002 §12.1",
  rationale: "A payload that causes a 5xx, a redirect or a leaked SQL or file error shows input reaching " +
    "a query or a file path unescaped. With parameterised queries and validated paths (seed 002 §3.2, " +
    "§3.3) such payloads are only data: refused, or stored as given.",
  requires: [],
  mutants: ["sql-concat"],
  async run(ctx) {
    // positive control: the kit's valid token must work, else rejections prove nothing
    const b = await baseline(ctx);
    if (b) return b;
    const token = await ctx.jwt.valid();
    const w = ctx.target.write;
    const r = firstProtected(ctx);
    const stringKeys = Object.entries(w.body).filter(([, v]) => typeof v === "string").map(([k]) => k);
    const bad: Exchange[] = [];
    const silent: Exchange[] = [];
    const why: string[] = [];
    const cases = await loadInjectionCases();
    let sent = 0;
    for (const c of cases) {
      const probes: ProbeRequest[] = [];
      for (const k of stringKeys) {
        probes.push(
          routeRequest(w, { bearer: token, json: { ...w.body, [k]: c.payload }, label: `${c.name} in ${k}` }),
        );
      }
      if (ctx.target.lookup !== undefined) {
        const path = ctx.target.lookup.replace("{id}", encodeURIComponent(c.payload));
        probes.push({ method: "GET", path, bearer: token, label: `${c.name} in {id}` });
      }
      if (r.method === "GET") {
        probes.push({
          method: "GET",
          path: `${r.path}?q=${encodeURIComponent(c.payload)}`,
          bearer: token,
          label: `${c.name} in ?q=`,
        });
      }
      for (const p of probes) {
        const res = await ctx.probe.send(p);
        sent++;
        // every payload is stripped before the scan: a payload stored and listed back is data
        const hits = leaksIn(res, [c.payload]);
        if (res.status === 0) {
          silent.push(last(ctx.probe));
        } else if (res.status >= 500 || (res.status >= 300 && res.status < 400)) {
          bad.push(last(ctx.probe));
          why.push(`${p.label} → ${res.status}`);
        } else if (hits.length > 0) {
          bad.push(last(ctx.probe));
          why.push(
            `${p.label} → ${res.status} leaked ${hits.map((h) => `${h.kind} "${h.excerpt}"`).join(", ")}`,
          );
        }
      }
    }
    const notes = [`payloads: ${cases.length}; string fields: ${stringKeys.join(", ") || "none"}`];
    const ev = ctx.probe.evidence(notes, bad);
    if (bad.length > 0) {
      return verdict.fail(
        `injection payloads must get 4xx or a clean 2xx, never 5xx or a leak; ${why.slice(0, 8).join("; ")}`,
        ev,
      );
    }
    if (silent.length > 0) return cannotJudge(ctx, silent, sent, notes);
    if (sent === 0) {
      return verdict.error(
        "cannot judge: no probe to send (no string field in [write], no lookup, no GET route)",
        ev,
      );
    }
    return verdict.pass(ev);
  },
});

/** The checks of this area (svc.input.*). */
export const checks: readonly Check<SvcContext>[] = [inputUnknownFields, inputInjection];
