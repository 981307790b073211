/**
 * svc.jwt.*: forged JWTs (from `fixtures/jwt/forgeries.json`) must be rejected.
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import { type Check, type Verdict, verdict } from "../../src/engine/types.ts";
import { type Exchange, last, type SvcContext } from "./_context.ts";
import { baseline, cannotJudge, firstProtected, routeRequest } from "./_util.ts";
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
  const silent: Exchange[] = [];
  for (const t of built) {
    const res = await ctx.probe.send(routeRequest(r, { bearer: t.token, label: t.name }));
    if (res.status === 0) silent.push(last(ctx.probe));
    else if (res.status < 400 || res.status >= 500) bad.push(last(ctx.probe));
    else if (res.status !== 401) ctx.note(`"${t.name}" was rejected with ${res.status} (401 expected)`);
  }
  const notes = [`forged tokens sent: ${built.length}`, ...skipped.map((s) => `skipped ${s}`)];
  const ev = ctx.probe.evidence(notes, bad);
  if (bad.length > 0) {
    return verdict.fail(
      `${rule}; ${bad.length} of ${built.length} forged tokens were not rejected: ` +
        bad.map((e) => `${e.label} → ${e.status}`).join(", "),
      ev,
    );
  }
  if (silent.length > 0) return cannotJudge(ctx, silent, built.length, notes);
  return verdict.pass(ev);
}

/** A forged-token rule: the check's metadata and the rule for failure messages. */
type JwtSpec = Omit<Check<SvcContext>, "run" | "requires"> & { rule: string };

function jwtCheck({ rule, ...meta }: JwtSpec): Check<SvcContext> {
  return defineCheck<SvcContext>({
    ...meta,
    requires: [],
    run: (ctx) => rejectsAll(ctx, meta.id, rule),
  });
}

const jwtAlgNone = jwtCheck({
  id: "svc.jwt.alg-none",
  title: "alg none in every casing, and a stripped signature, are rejected",
  level: "MUST",
  source: "002 §2.1 (never accept unsigned tokens); RFC 8725 §3.1",
  rationale: "A token with alg none (in any casing) or with its signature cut off proves nothing about " +
    "who issued it; a verifier that accepts one lets anyone write their own claims and act as any service " +
    "(seed 002 §2.1: never accept unsigned tokens).",
  mutants: ["accept-alg-none", "no-signature-check"],
  rule: "an unsigned token (alg none/None/NONE/nOnE, or a stripped signature) must get 401",
});

const jwtExpired = jwtCheck({
  id: "svc.jwt.expired",
  title: "a token whose exp is 10 minutes past is rejected",
  level: "MUST",
  source: "002 §2.1 (check expiration)",
  rationale: "Expiry is what bounds the life of a leaked or stolen token; a server that ignores exp keeps " +
    "honouring such a token forever.",
  mutants: ["no-exp-check"],
  rule: "a token with exp 600 s in the past must get 401",
});

const jwtMissingExp = jwtCheck({
  id: "svc.jwt.missing-exp",
  title: "a token without exp is rejected",
  level: "SHOULD",
  source: "002 §2.1 (`if not exp … Token expired`)",
  rationale: "Seed 002 §2.1 treats a token without exp as expired. A token with no exp never expires, so " +
    "accepting one turns any leaked token, or one minted by a misconfigured issuer, into a permanent " +
    "credential.",
  mutants: ["no-exp-check"],
  rule: "a token with no exp claim must get 401",
});

const jwtWrongKey = jwtCheck({
  id: "svc.jwt.wrong-key",
  title: "an RS256 token signed by another key is rejected",
  level: "MUST",
  source: "002 §2.1 (verify signature with the Registry's public key)",
  rationale: "The signature is what ties a token to the Registry (seed 002 §2.1: verify with the " +
    "Registry's public key); a server that does not verify it against that key trusts tokens anyone can " +
    "sign with a key of their own.",
  mutants: ["no-signature-check"],
  rule: "an RS256 token signed by a key that is not the issuer's must get 401",
});

const jwtHsConfusion = jwtCheck({
  id: "svc.jwt.hs-confusion",
  title: "an HS256 token keyed with the server's public key is rejected",
  level: "MUST",
  source: "002 §2.1 (use RS256); RFC 8725 §2.1 algorithm confusion",
  rationale: "A verifier that takes the algorithm from the token header can be handed an HS256 token " +
    "whose HMAC secret is the server's public key, which is public, and will accept it. Pinning RS256 " +
    "(seed 002 §2.1, RFC 8725 §2.1) closes this algorithm confusion.",
  mutants: ["alg-from-header"],
  rule: "an HS256 token whose HMAC key is the server's public key must get 401 (pin the algorithm)",
});

const jwtAudience = jwtCheck({
  id: "svc.jwt.audience",
  title: "a wrong aud or iss is rejected when the target names them",
  level: "SHOULD",
  source: "RFC 8725 §3.8–3.9 (validate issuer and audience); 002 §2.1",
  rationale: "Without issuer and audience checks (RFC 8725 §3.8–3.9), a token issued by another issuer, " +
    "or meant for another service, is accepted here, so a token obtained from one service opens every " +
    "other.",
  mutants: ["no-aud-check"],
  rule: "a token for another audience or from another issuer must get 401",
});

/** The checks of this area (svc.jwt.*). */
export const checks: readonly Check<SvcContext>[] = [
  jwtAlgNone,
  jwtExpired,
  jwtMissingExp,
  jwtWrongKey,
  jwtHsConfusion,
  jwtAudience,
];
