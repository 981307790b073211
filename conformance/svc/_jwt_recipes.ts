/**
 * The forgery recipes of the server profile and their fixture, `fixtures/jwt/forgeries.json`
 * (validated with zod, loaded once): each case names its check, its recipe, why it must be refused
 * and the expected outcome.
 *
 * @module
 */
import { z } from "zod";

/** A forgery recipe (closed union on `kind`). */
export const RecipeSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("alg_none"), alg: z.string().regex(/^none$/i) }),
  z.object({ kind: z.literal("strip_signature") }),
  z.object({ kind: z.literal("expired"), seconds_ago: z.number().int().positive() }),
  z.object({ kind: z.literal("missing_exp") }),
  z.object({ kind: z.literal("wrong_key") }),
  z.object({ kind: z.literal("hs_confusion"), key_form: z.enum(["pem", "pem_newline", "der"]) }),
  z.object({ kind: z.literal("wrong_audience") }),
  z.object({ kind: z.literal("wrong_issuer") }),
  z.object({ kind: z.literal("literal"), value: z.string().min(1) }),
  z.object({ kind: z.literal("random"), bytes: z.number().int().min(1).max(512) }),
  z.object({ kind: z.literal("tamper_payload") }),
  z.object({ kind: z.literal("embedded_jwk") }),
  z.object({ kind: z.literal("remote_key"), header: z.enum(["jku", "x5u"]) }),
  z.object({
    kind: z.literal("kid_injection"),
    kid: z.string().min(1),
    /** the kid is `kid` repeated this many times */
    repeat: z.number().int().min(1).max(65536).optional(),
    /** the HMAC key the attack expects the server to look up ("" for /dev/null) */
    hmac_key: z.string(),
  }).strict(),
  z.object({ kind: z.literal("unsigned_alg"), alg: z.string().min(1) }),
  /** an empty or zeroed signature, once for every algorithm the server accepts (ForgeOptions.alg) */
  z.object({ kind: z.literal("null_signature"), form: z.enum(["empty", "zero"]) }).strict(),
  z.object({ kind: z.literal("hs_empty_secret") }),
  z.object({
    kind: z.literal("not_yet_valid"),
    claim: z.enum(["nbf", "iat"]),
    seconds_ahead: z.number().int(),
  }),
  z.object({ kind: z.literal("crit_unknown"), name: z.string().min(1) }),
  z.object({ kind: z.literal("hmac_secret"), secret: z.string().min(1) }),
  /** a JWT-shaped bearer token of exactly this many characters (svc.jwt.oversized) */
  z.object({ kind: z.literal("oversized"), chars: z.number().int().min(4096).max(1024 * 1024) }).strict(),
  z.object({ kind: z.literal("psychic"), alg: z.enum(["ES256", "ES384"]), form: z.enum(["raw", "der"]) }),
]);
/** A forgery recipe. */
export type Recipe = z.infer<typeof RecipeSchema>;

/** The fixture group of forgeries. */
export const ForgeryFixtureSchema = z.object({
  description: z.string(),
  cases: z.array(
    z.object({
      name: z.string().min(1),
      check: z.string().regex(/^svc\./),
      /** why rejection is the only acceptable outcome (the rule's text) */
      reason: z.string().min(1).optional(),
      recipe: RecipeSchema,
      expect: z.literal("reject"),
    }).strict(),
  ).min(1),
}).strict();
/** One forgery case. */
export type ForgeryCase = z.infer<typeof ForgeryFixtureSchema>["cases"][number];

let fixtureCache: ForgeryCase[] | undefined;

/**
 * The forgery cases of one check, from the fixture (validated once).
 *
 * @param checkId the check id
 * @returns its cases
 */
export async function forgeriesFor(checkId: string): Promise<ForgeryCase[]> {
  if (fixtureCache === undefined) {
    const url = new URL("../../fixtures/jwt/forgeries.json", import.meta.url);
    fixtureCache = ForgeryFixtureSchema.parse(JSON.parse(await Deno.readTextFile(url))).cases;
  }
  return fixtureCache.filter((c) => c.check === checkId);
}
