/**
 * svc.auth.*: every non-health route needs credentials; bad tokens, query tokens are refused.
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import { verdict } from "../../src/engine/types.ts";
import { type Exchange, last, type SvcContext } from "./_context.ts";
import { baseline, firstProtected, routeRequest } from "./_util.ts";
import { forgeriesFor } from "./_jwt_kit.ts";

/** svc.auth.required */
export const authRequired = defineCheck<SvcContext>({
  id: "svc.auth.required",
  title: "every non-health route answers 401 without credentials",
  level: "MUST",
  source: "002 §2.1 JWT Token Authentication; 001 §2 Authentication & Authorization",
  requires: [],
  mutants: ["open-route"],
  async run(ctx) {
    const t = ctx.target;
    const routes = [...t.protected, t.write, ...(t.sse ? [{ method: "GET", path: t.sse.path }] : [])];
    const bad: Exchange[] = [];
    for (const r of routes) {
      const res = await ctx.probe.send(
        routeRequest(r, { label: "no credentials", headersOnly: r.path === t.sse?.path }),
      );
      if (res.status !== 401) bad.push(last(ctx.probe));
    }
    const ev = ctx.probe.evidence([`routes probed without credentials: ${routes.length}`], bad);
    if (bad.length > 0) {
      return verdict.fail(
        `every non-health route must answer 401 without credentials; ${bad.length} of ${routes.length} did not: ` +
          bad.map((e) => `${e.method} ${e.path} → ${e.status || e.error}`).join(", "),
        ev,
      );
    }
    return verdict.pass(ev);
  },
});

/** svc.auth.invalid-token */
export const authInvalidToken = defineCheck<SvcContext>({
  id: "svc.auth.invalid-token",
  title: "a malformed, random or tampered token gets 401",
  level: "MUST",
  source: "002 §12.1 Required Tests (invalid token → 401)",
  requires: [],
  mutants: ["accept-any-bearer", "no-signature-check"],
  async run(ctx) {
    const b = await baseline(ctx);
    if (b) return b;
    const r = firstProtected(ctx);
    const bad: Exchange[] = [];
    let sent = 0;
    for (const c of await forgeriesFor("svc.auth.invalid-token")) {
      const f = await ctx.jwt.forge(c.recipe);
      if (!f.ok) {
        ctx.note(`skipped "${c.name}": ${f.reason}`);
        continue;
      }
      sent++;
      const res = await ctx.probe.send(routeRequest(r, { bearer: f.token, label: c.name }));
      if (res.status !== 401) bad.push(last(ctx.probe));
    }
    const ev = ctx.probe.evidence([`invalid tokens sent: ${sent}`], bad);
    if (bad.length > 0) {
      return verdict.fail(
        `an invalid token must get 401; ${bad.length} of ${sent} did not: ` +
          bad.map((e) => `${e.label} → ${e.status || e.error}`).join(", "),
        ev,
      );
    }
    return verdict.pass(ev);
  },
});

/** svc.auth.www-authenticate */
export const authWwwAuthenticate = defineCheck<SvcContext>({
  id: "svc.auth.www-authenticate",
  title: "401 carries WWW-Authenticate: Bearer",
  level: "SHOULD",
  source: "RFC 6750 §3 (WWW-Authenticate response header); 002 §2.1",
  requires: [],
  mutants: ["no-www-authenticate"],
  async run(ctx) {
    const res = await ctx.probe.send(routeRequest(firstProtected(ctx), { label: "no credentials" }));
    const ev = ctx.probe.evidence();
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

/** svc.auth.token-in-query */
export const authTokenInQuery = defineCheck<SvcContext>({
  id: "svc.auth.token-in-query",
  title: "a valid token in ?access_token= does not authenticate",
  level: "MUST",
  source: "RFC 6750 §5.3 (do not pass bearer tokens in page URLs); 002 §2.1",
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
    if (res.status === 0) return verdict.error(`no answer: ${res.error}`, ev);
    return verdict.pass(ev);
  },
});

/** svc.auth.health-public */
export const authHealthPublic = defineCheck<SvcContext>({
  id: "svc.auth.health-public",
  title: "the health route answers without credentials",
  level: "SHOULD",
  source: "002 §11 Security Checklist (all endpoints validate JWT except /health)",
  requires: [],
  mutants: ["health-auth"],
  async run(ctx) {
    const res = await ctx.probe.send({
      method: "GET",
      path: ctx.target.health,
      label: "health, no credentials",
    });
    const ev = ctx.probe.evidence();
    if (res.status >= 200 && res.status < 300) return verdict.pass(ev);
    return verdict.fail(
      `GET ${ctx.target.health} without credentials must be 2xx, got ${res.status || res.error}`,
      ev,
    );
  },
});

/** The checks of this area. */
export const authChecks = [
  authRequired,
  authInvalidToken,
  authWwwAuthenticate,
  authTokenInQuery,
  authHealthPublic,
];
