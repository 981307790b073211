/**
 * svc.limits.*: bodies over the limit get 413 (with and without Content-Length); an overlong query
 * gets 414 or 400.
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import { type Check, verdict } from "../../src/engine/types.ts";
import { type Exchange, last, type SvcContext } from "./_context.ts";
import { baseline, cannotJudge, firstProtected, routeRequest } from "./_util.ts";

const limitsBody = defineCheck<SvcContext>({
  id: "svc.limits.body",
  title: "a body over the limit gets 413, also when sent chunked",
  level: "MUST",
  source: "001 §4 Input Validation & Limits (MAX_REQUEST_BYTES ~64 KB); 001 Top 10 #4",
  rationale: "Without a body limit (seed 001 §4, MAX_REQUEST_BYTES) one client can make the server buffer " +
    "or parse arbitrarily large bodies and run it out of memory; a chunked body carries no " +
    "Content-Length, so checking that header alone is not enough.",
  requires: [],
  mutants: ["no-body-limit"],
  async run(ctx) {
    // positive control: the kit's valid token must work, else rejections prove nothing
    const b = await baseline(ctx);
    if (b) return b;
    const token = await ctx.jwt.valid();
    const w = ctx.target.write;
    const size = ctx.target.bodyLimit + 16 * 1024;
    const key = Object.keys(w.body)[0] ?? "name";
    const prefix = `{${JSON.stringify(key)}: "`;
    const suffix = `"}`;
    const padded = prefix + "a".repeat(size - prefix.length - suffix.length) + suffix;
    const bad: Exchange[] = [];
    const silent: Exchange[] = [];
    const probes = [
      routeRequest(w, {
        bearer: token,
        text: padded,
        label: `${size} bytes with Content-Length`,
        timeoutMs: 8000,
      }),
      routeRequest(w, {
        bearer: token,
        stream: { totalBytes: size, chunkBytes: 8192, prefix, suffix },
        label: `${size} bytes chunked, no Content-Length`,
        timeoutMs: 8000,
      }),
    ];
    for (const p of probes) {
      const res = await ctx.probe.send(p);
      if (res.status === 0) silent.push(last(ctx.probe));
      else if (res.status !== 413) bad.push(last(ctx.probe));
    }
    const notes = [`body limit ${ctx.target.bodyLimit} bytes; sent ${size} bytes`];
    const ev = ctx.probe.evidence(notes, bad);
    if (bad.length > 0) {
      return verdict.fail(
        `a ${size}-byte body (limit ${ctx.target.bodyLimit}) must get 413; ` +
          bad.map((e) => `${e.label} → ${e.status}`).join(", "),
        ev,
      );
    }
    if (silent.length > 0) return cannotJudge(ctx, silent, probes.length, notes);
    return verdict.pass(ev);
  },
});

const limitsQuery = defineCheck<SvcContext>({
  id: "svc.limits.query",
  title: "a 16 KiB query gets 414 or 400, not 5xx",
  level: "SHOULD",
  source: "001 §4 Input Validation & Limits (reject overly long query parameters)",
  rationale: "An overlong query must be refused cleanly (seed 001 §4); a server that crashes or answers " +
    "5xx on one can be knocked over cheaply and often shows parser internals.",
  requires: [],
  mutants: ["query-crash"],
  async run(ctx) {
    // positive control: the kit's valid token must work, else rejections prove nothing
    const b = await baseline(ctx);
    if (b) return b;
    const token = await ctx.jwt.valid();
    const r = firstProtected(ctx);
    const q = "a".repeat(16 * 1024);
    const res = await ctx.probe.send(
      routeRequest(r, { path: `${r.path}?q=${q}`, bearer: token, label: "16 KiB query" }),
    );
    const notes = ["query length 16386 characters"];
    const ev = ctx.probe.evidence(notes);
    if (res.status === 0) return cannotJudge(ctx, [last(ctx.probe)], 1, notes);
    if (res.status === 414 || res.status === 400 || res.status === 431) return verdict.pass(ev);
    return verdict.fail(`an overlong query (16 KiB) must get 414 or 400, got ${res.status}`, ev);
  },
});

/** The checks of this area (svc.limits.*). */
export const checks: readonly Check<SvcContext>[] = [limitsBody, limitsQuery];
