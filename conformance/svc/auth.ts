/**
 * svc.auth.*: every non-health route needs credentials; bad tokens, query tokens are refused.
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import { type Check, verdict } from "../../src/engine/types.ts";
import { type Exchange, last, type SvcContext } from "./_context.ts";
import { baseline, cannotJudge, firstProtected, routeRequest } from "./_util.ts";
import { forgeriesFor } from "./_jwt_kit.ts";

const authRequired = defineCheck<SvcContext>({
  id: "svc.auth.required",
  title: "every non-health route answers 401 without credentials",
  level: "MUST",
  source: "002 §2.1 JWT Token Authentication; 001 §2 Authentication & Authorization",
  rationale: "A route that answers without credentials hands its data and actions to anyone who can reach " +
    "it. Seed 002 §2.1 has every protected endpoint validate a JWT, so one forgotten route (often a new " +
    "one) is a complete bypass.",
  requires: [],
  mutants: ["open-route"],
  async run(ctx) {
    const t = ctx.target;
    const routes = [...t.protected, t.write, ...(t.sse ? [{ method: "GET", path: t.sse.path }] : [])];
    const bad: Exchange[] = [];
    const silent: Exchange[] = [];
    for (const r of routes) {
      const res = await ctx.probe.send(
        routeRequest(r, { label: "no credentials", headersOnly: r.path === t.sse?.path }),
      );
      if (res.status === 0) silent.push(last(ctx.probe));
      else if (res.status !== 401) bad.push(last(ctx.probe));
    }
    const notes = [`routes probed without credentials: ${routes.length}`];
    const ev = ctx.probe.evidence(notes, bad);
    if (bad.length > 0) {
      return verdict.fail(
        `every non-health route must answer 401 without credentials; ${bad.length} of ${routes.length} did not: ` +
          bad.map((e) => `${e.method} ${e.path} → ${e.status}`).join(", "),
        ev,
      );
    }
    if (silent.length > 0) return cannotJudge(ctx, silent, routes.length, notes);
    return verdict.pass(ev);
  },
});

const authInvalidToken = defineCheck<SvcContext>({
  id: "svc.auth.invalid-token",
  title: "a malformed, random or tampered token gets 401",
  level: "MUST",
  source: "002 §12.1 Required Tests (invalid token → 401)",
  rationale: "If a malformed, random or edited token gets through, the server only checks that an " +
    "Authorization header is present, and anyone can get in by sending garbage or by changing the claims " +
    "of a real token.",
  requires: [],
  mutants: ["accept-any-bearer", "no-signature-check"],
  async run(ctx) {
    const b = await baseline(ctx);
    if (b) return b;
    const r = firstProtected(ctx);
    const bad: Exchange[] = [];
    const silent: Exchange[] = [];
    let sent = 0;
    for (const c of await forgeriesFor("svc.auth.invalid-token")) {
      const f = await ctx.jwt.forge(c.recipe);
      if (!f.ok) {
        ctx.note(`skipped "${c.name}": ${f.reason}`);
        continue;
      }
      sent++;
      const res = await ctx.probe.send(routeRequest(r, { bearer: f.token, label: c.name }));
      if (res.status === 0) silent.push(last(ctx.probe));
      else if (res.status !== 401) bad.push(last(ctx.probe));
    }
    const notes = [`invalid tokens sent: ${sent}`];
    const ev = ctx.probe.evidence(notes, bad);
    if (bad.length > 0) {
      return verdict.fail(
        `an invalid token must get 401; ${bad.length} of ${sent} did not: ` +
          bad.map((e) => `${e.label} → ${e.status}`).join(", "),
        ev,
      );
    }
    if (silent.length > 0) return cannotJudge(ctx, silent, sent, notes);
    if (sent === 0) return verdict.error("cannot judge: the kit could build none of the invalid tokens", ev);
    return verdict.pass(ev);
  },
});

const authWwwAuthenticate = defineCheck<SvcContext>({
  id: "svc.auth.www-authenticate",
  title: "401 carries WWW-Authenticate: Bearer",
  level: "SHOULD",
  source: "RFC 6750 §3 (WWW-Authenticate response header); 002 §2.1",
  rationale: "RFC 6750 §3 has a 401 from a bearer-protected resource carry a WWW-Authenticate: Bearer " +
    "challenge; without it clients and HTTP tooling cannot tell which scheme is expected or why the " +
    "request was refused.",
  requires: [],
  mutants: ["no-www-authenticate"],
  async run(ctx) {
    const res = await ctx.probe.send(routeRequest(firstProtected(ctx), { label: "no credentials" }));
    const ev = ctx.probe.evidence();
    if (res.status === 0) return cannotJudge(ctx, [last(ctx.probe)], 1);
    if (res.status !== 401) {
      return verdict.notApplicable(`no 401 to inspect (got ${res.status}); see svc.auth.required`);
    }
    const h = res.headers["www-authenticate"];
    if (h === undefined || !/^\s*Bearer\b/i.test(h)) {
      return verdict.fail(
        `401 must carry WWW-Authenticate: Bearer …, got ${h === undefined ? "none" : JSON.stringify(h)}`,
        ev,
      );
    }
    return verdict.pass(ev);
  },
});

const authTokenInQuery = defineCheck<SvcContext>({
  id: "svc.auth.token-in-query",
  title: "a valid token in ?access_token= does not authenticate",
  level: "MUST",
  source: "RFC 6750 §5.3 (do not pass bearer tokens in page URLs); 002 §2.1",
  rationale: "A token in the URL lands in access logs, proxy caches, browser history and Referer headers " +
    "(RFC 6750 §5.3), where anyone who reads them can replay it; a server that accepts ?access_token= " +
    "invites clients to leak their credentials that way.",
  requires: [],
  mutants: ["query-token"],
  async run(ctx) {
    const b = await baseline(ctx);
    if (b) return b;
    const r = firstProtected(ctx);
    const token = await ctx.jwt.valid();
    const res = await ctx.probe.send(
      routeRequest(r, {
        path: `${r.path}?access_token=${encodeURIComponent(token)}`,
        label: "token in query",
      }),
    );
    const ev = ctx.probe.evidence();
    if (res.status >= 200 && res.status < 400) {
      return verdict.fail(
        `a token in ?access_token= must not authenticate; ${r.method} ${r.path} answered ${res.status}`,
        ev,
      );
    }
    if (res.status === 0) return cannotJudge(ctx, [last(ctx.probe)], 1);
    return verdict.pass(ev);
  },
});

const authHealthPublic = defineCheck<SvcContext>({
  id: "svc.auth.health-public",
  title: "the health route answers without credentials",
  level: "SHOULD",
  source: "002 §11 Security Checklist (all endpoints validate JWT except /health)",
  rationale: "Load balancers and orchestrators probe the health route without credentials (seed 002 §11 " +
    "exempts /health from JWT checks); if it demands a token, healthy instances are taken out of service " +
    "or a credential ends up in infrastructure configuration.",
  requires: [],
  mutants: ["health-auth"],
  async run(ctx) {
    const res = await ctx.probe.send({
      method: "GET",
      path: ctx.target.health,
      label: "health, no credentials",
    });
    const ev = ctx.probe.evidence();
    if (res.status === 0) return cannotJudge(ctx, [last(ctx.probe)], 1);
    if (res.status >= 200 && res.status < 300) return verdict.pass(ev);
    return verdict.fail(`GET ${ctx.target.health} without credentials must be 2xx, got ${res.status}`, ev);
  },
});

/** The checks of this area (svc.auth.*). */
export const checks: readonly Check<SvcContext>[] = [
  authRequired,
  authInvalidToken,
  authWwwAuthenticate,
  authTokenInQuery,
  authHealthPublic,
];
