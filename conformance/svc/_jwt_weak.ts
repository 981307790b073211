/**
 * The weak-HMAC-secret probe (svc.jwt.weak-secret): one HMAC token (the first HS* algorithm the
 * target says the server accepts) per secret of `fixtures/jwt/weak_secrets.json`, minted locally, one
 * request each, sequential, bounded in count (the list's 100) and time; it stops at the first token
 * the server accepts. Not applicable when the server accepts no HS* algorithm.
 *
 * @module
 */
import { z } from "zod";
import { type Verdict, verdict } from "../../src/engine/types.ts";
import { type Exchange, last, type SvcContext } from "./_context.ts";
import { baseline, cannotJudge, firstProtected, routeRequest } from "./_util.ts";
import { acceptedAlgorithms } from "./_jwt_algs.ts";

/** The weak-secret fixture. */
export const WeakSecretsSchema = z.object({
  description: z.string().min(1),
  expect: z.literal("reject"),
  secrets: z.array(z.string().min(1)).min(1).max(100),
}).strict();

/** Time bound of the whole probe (the check's own limit is longer). */
export const WEAK_SECRET_BUDGET_MS = 8_000;

let cache: string[] | undefined;

/**
 * The candidate secrets (validated once).
 *
 * @returns at most 100 secrets
 */
export async function weakSecrets(): Promise<string[]> {
  if (cache === undefined) {
    const url = new URL("../../fixtures/jwt/weak_secrets.json", import.meta.url);
    cache = WeakSecretsSchema.parse(JSON.parse(await Deno.readTextFile(url))).secrets;
  }
  return cache;
}

/**
 * Send one HS* token per common secret; fail on the first one accepted (2xx) or answered 5xx.
 *
 * @param ctx the check's context
 * @param rule the rule for the failure message
 * @returns the verdict
 */
export async function probeWeakSecrets(ctx: SvcContext, rule: string): Promise<Verdict> {
  const accepted = acceptedAlgorithms(ctx.target.credentials);
  const alg = accepted.find((a) => a.startsWith("HS"));
  if (alg === undefined) {
    return verdict.notApplicable(
      `the target says the server accepts no HS* algorithm (credentials.algorithms: ${
        accepted.join(", ")
      }); ` +
        "an HS256 token keyed with its public key is svc.jwt.hs-confusion's",
    );
  }
  const secrets = await weakSecrets();
  const first = await ctx.jwt.forge({ kind: "hmac_secret", secret: secrets[0] ?? "secret" });
  if (!first.ok) return verdict.notApplicable(`cannot build these tokens for this target (${first.reason})`);
  const b = await baseline(ctx);
  if (b) return b;
  const r = firstProtected(ctx);
  const started = performance.now();
  const silent: Exchange[] = [];
  let sent = 0;
  for (const secret of secrets) {
    if (performance.now() - started > WEAK_SECRET_BUDGET_MS) break;
    const f = await ctx.jwt.forge({ kind: "hmac_secret", secret });
    if (!f.ok) continue;
    const res = await ctx.probe.send(
      routeRequest(r, { bearer: f.token, label: `${alg} secret #${sent + 1}`, timeoutMs: 2_000 }),
    );
    sent++;
    if (res.status === 0) silent.push(last(ctx.probe));
    else if (res.status < 400 || res.status >= 500) {
      const notes = [
        `${alg} tokens sent: ${sent} of ${secrets.length}`,
        `accepted secret: ${JSON.stringify(secret)}`,
      ];
      return verdict.fail(
        `${rule}; the ${alg} token keyed with the common secret ${JSON.stringify(secret)} got ${res.status}`,
        ctx.probe.evidence(notes, [last(ctx.probe)]),
      );
    }
  }
  const ms = Math.round(performance.now() - started);
  const notes = [`${alg} tokens sent: ${sent} of ${secrets.length} in ${ms} ms`];
  if (silent.length > 0) return cannotJudge(ctx, silent, sent, notes);
  if (sent < secrets.length) {
    return verdict.error(
      `cannot judge: only ${sent} of ${secrets.length} candidate secrets were tried within ` +
        `${WEAK_SECRET_BUDGET_MS} ms (the server answers too slowly for the bounded probe)`,
      ctx.probe.evidence(notes),
    );
  }
  return verdict.pass(ctx.probe.evidence(notes));
}
