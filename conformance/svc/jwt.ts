/**
 * svc.jwt.*: forged JWTs (from `fixtures/jwt/forgeries.json`) must be rejected.
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import { type Check, type Level, type Verdict, verdict } from "../../src/engine/types.ts";
import { type Exchange, last, type SvcContext } from "./_context.ts";
import { baseline, firstProtected, routeRequest } from "./_util.ts";
import { forgeriesFor } from "./_jwt_kit.ts";

async function rejectsAll(ctx: SvcContext, id: string, rule: string): Promise<Verdict> {
  const r = firstProtected(ctx);
  const cases = await forgeriesFor(id);
  const built: { name: string; token: string }[] = [];
  const skipped: string[] = [];
  for (const c of cases) {
    const f = await ctx.jwt.forge(c.recipe);
    if (f.ok) built.push({ name: c.name, token: f.token });
    else skipped.push(`${c.name}: ${f.reason}`);
  }
  if (built.length === 0) {
    return verdict.notApplicable(`cannot build these tokens for this target (${skipped.join("; ")})`);
  }
  const b = await baseline(ctx);
  if (b) return b;
  const bad: Exchange[] = [];
  for (const t of built) {
    const res = await ctx.probe.send(routeRequest(r, { bearer: t.token, label: t.name }));
    if (res.status < 400 || res.status >= 500) bad.push(last(ctx.probe));
    else if (res.status !== 401) ctx.note(`"${t.name}" was rejected with ${res.status} (401 expected)`);
  }
  const notes = [`forged tokens sent: ${built.length}`, ...skipped.map((s) => `skipped ${s}`)];
  const ev = ctx.probe.evidence(notes, bad);
  if (bad.length > 0) {
    return verdict.fail(
      `${rule}; ${bad.length} of ${built.length} forged tokens were not rejected: ` +
        bad.map((e) => `${e.label} → ${e.status || e.error}`).join(", "),
      ev,
    );
  }
  return verdict.pass(ev);
}

function jwtCheck(
  id: string,
  title: string,
  level: Level,
  source: string,
  mutants: string[],
  rule: string,
): Check<SvcContext> {
  return defineCheck<SvcContext>({
    id,
    title,
    level,
    source,
    requires: [],
    mutants,
    run: (ctx) => rejectsAll(ctx, id, rule),
  });
}

/** svc.jwt.alg-none */
export const jwtAlgNone = jwtCheck(
  "svc.jwt.alg-none",
  "alg none in every casing, and a stripped signature, are rejected",
  "MUST",
  "002 §2.1 (never accept unsigned tokens); RFC 8725 §3.1",
  ["accept-alg-none", "no-signature-check"],
  "an unsigned token (alg none/None/NONE/nOnE, or a stripped signature) must get 401",
);
/** svc.jwt.expired */
export const jwtExpired = jwtCheck(
  "svc.jwt.expired",
  "a token whose exp is 10 minutes past is rejected",
  "MUST",
  "002 §2.1 (check expiration)",
  ["no-exp-check"],
  "a token with exp 600 s in the past must get 401",
);
/** svc.jwt.missing-exp */
export const jwtMissingExp = jwtCheck(
  "svc.jwt.missing-exp",
  "a token without exp is rejected",
  "SHOULD",
  "002 §2.1 (`if not exp … Token expired`)",
  ["no-exp-check"],
  "a token with no exp claim must get 401",
);
/** svc.jwt.wrong-key */
export const jwtWrongKey = jwtCheck(
  "svc.jwt.wrong-key",
  "an RS256 token signed by another key is rejected",
  "MUST",
  "002 §2.1 (verify signature with the Registry's public key)",
  ["no-signature-check"],
  "an RS256 token signed by a key that is not the issuer's must get 401",
);
/** svc.jwt.hs-confusion */
export const jwtHsConfusion = jwtCheck(
  "svc.jwt.hs-confusion",
  "an HS256 token keyed with the server's public key is rejected",
  "MUST",
  "002 §2.1 (use RS256); RFC 8725 §2.1 algorithm confusion",
  ["alg-from-header"],
  "an HS256 token whose HMAC key is the server's public key must get 401 (pin the algorithm)",
);
/** svc.jwt.audience */
export const jwtAudience = jwtCheck(
  "svc.jwt.audience",
  "a wrong aud or iss is rejected when the target names them",
  "SHOULD",
  "RFC 8725 §3.8–3.9 (validate issuer and audience); 002 §2.1",
  ["no-aud-check"],
  "a token for another audience or from another issuer must get 401",
);

/** The checks of this area. */
export const jwtChecks = [jwtAlgNone, jwtExpired, jwtMissingExp, jwtWrongKey, jwtHsConfusion, jwtAudience];
