/**
 * svc.jwt.*: forged JWTs (from `fixtures/jwt/forgeries.json`) must be rejected: the JWT attack
 * playbook (alg none, expiry, other keys, algorithm confusion, aud/iss, embedded jwk, jku/x5u, kid
 * injection, null signatures, nbf/iat ahead, crit, common HMAC secrets, psychic signatures, an
 * oversized token). Every check first proves a valid token is accepted; the probes are in `_jwt_*.ts`.
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import type { Check } from "../../src/engine/types.ts";
import type { SvcContext } from "./_context.ts";
import { refusesRemoteKeys, rejectsAll } from "./_jwt_reject.ts";
import { probeWeakSecrets } from "./_jwt_weak.ts";
import { OVERSIZED_BOUND_MS, probeOversized } from "./_jwt_oversized.ts";

/** A forged-token rule: the check's metadata and the rule for failure messages. */
type JwtSpec = Omit<Check<SvcContext>, "run" | "requires"> & { rule: string; remote?: boolean };

function jwtCheck({ rule, remote, ...meta }: JwtSpec): Check<SvcContext> {
  return defineCheck<SvcContext>({
    ...meta,
    requires: [],
    run: (ctx) => remote ? refusesRemoteKeys(ctx, meta.id, rule) : rejectsAll(ctx, meta.id, rule),
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
  source: "002 §2.1 (check expiration); RFC 7519 §4.1.4 (exp)",
  rationale: "Expiry is what bounds the life of a leaked or stolen token; a server that ignores exp keeps " +
    "honouring such a token forever.",
  mutants: ["no-exp-check"],
  rule: "a token with exp 600 s in the past must get 401",
});

const jwtMissingExp = jwtCheck({
  id: "svc.jwt.missing-exp",
  title: "a token without exp is rejected",
  level: "SHOULD",
  source: "002 §2.1 (`if not exp … Token expired`); RFC 7519 §4.1.4 (exp)",
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
  source:
    "002 §2.1 (verify signature with the Registry's public key); RFC 7515 §5.2 (validate the signature)",
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

const jwtEmbeddedKey = jwtCheck({
  id: "svc.jwt.embedded-key",
  title: "a token signed by the key in its own jwk header is rejected",
  level: "MUST",
  source: "002 §2.1 (verify with the Registry's public key); CVE-2018-0114; RFC 8725 §3.10",
  rationale: "A verifier that takes the key from the token's own `jwk` header (CVE-2018-0114, node-jose) " +
    "checks only that the token was signed by whoever made it: anyone can sign their own claims with " +
    "their own key and ship the key along.",
  mutants: ["trust-embedded-jwk"],
  rule: "an RS256 token signed by the key in its jwk header (not the issuer's) must get 401",
});

const jwtRemoteKey = jwtCheck({
  id: "svc.jwt.remote-key",
  title: "jku and x5u headers are neither trusted nor fetched",
  level: "MUST",
  source: "RFC 8725 §3.10 (do not trust received claims: jku/x5u are SSRF); RFC 7515 §4.1.2, §4.1.5",
  rationale: "A `jku` or `x5u` header names a URL to fetch the verification key from; a server that " +
    "follows it trusts a key the attacker hosts, and makes requests wherever a token tells it (SSRF). " +
    "The kit points them at its own listener on 127.0.0.2 and fails a server that contacts it, even " +
    "when the token is then refused.",
  mutants: ["fetch-remote-key"],
  rule: "a token whose jku/x5u names a URL must get 401 without that URL being fetched",
  remote: true,
});

const jwtKidInjection = jwtCheck({
  id: "svc.jwt.kid-injection",
  title: "kid path traversal, SQL fragments and long values are rejected, never a 5xx",
  level: "MUST",
  source: "RFC 8725 §3.10 (kid is untrusted input: SQL/LDAP injection, path traversal); 002 §2.1",
  rationale: "The `kid` header is attacker input; a server that reads it as a file name " +
    "(`../../../../dev/null` gives an empty HMAC key) or concatenates it into a key lookup lets the " +
    "attacker choose the verification key. A 5xx on such a kid shows it reached the lookup unchecked, " +
    "so it fails too.",
  mutants: ["kid-lookup-injection"],
  rule: "an HS256 token whose kid is a path traversal, an SQL fragment or 4 KiB long must get 401 (not 5xx)",
});

const jwtNullSignature = jwtCheck({
  id: "svc.jwt.null-signature",
  title: "empty and zeroed signatures under every accepted alg, an empty HS256 secret and none look-alikes " +
    "are rejected",
  level: "MUST",
  source: "002 §2.1 (never accept unsigned tokens); RFC 8725 §2.1, §3.1 (verify the algorithm)",
  rationale: "Verifiers that deny-list `none` by exact name, or skip verification for algorithms they do " +
    "not know, accept `none` written with spaces or Unicode look-alikes; others accept an empty signature, " +
    "one of only zero bytes (for ECDSA that is r = s = 0) or an HMAC over an empty secret. Each is an " +
    "unsigned token by another name, so the empty and zeroed signatures are sent under every algorithm " +
    "the target says the server accepts (`[credentials] algorithms`, default its `alg`).",
  mutants: ["alg-denylist", "no-signature-check", "psychic-signature"],
  rule:
    "a token with an empty or zeroed signature, an HS256 empty secret or a none look-alike alg must get 401",
});

const jwtNotYetValid = jwtCheck({
  id: "svc.jwt.not-yet-valid",
  title: "a token with nbf or iat one hour ahead is rejected",
  level: "SHOULD",
  source: "RFC 7519 §4.1.5 (nbf), §4.1.6 (iat); RFC 8725 §3.8",
  rationale: "A token that is not valid yet (nbf), or claims to be issued in the future (iat), comes " +
    "from a wrong clock or was minted ahead of time to outlive a revocation; a leeway of a few minutes " +
    "(5 at most here) covers clock skew, one hour does not.",
  mutants: ["no-nbf-check"],
  rule: "a token with nbf or iat 3600 s in the future must get 401 (leeway: at most 300 s)",
});

const jwtCrit = jwtCheck({
  id: "svc.jwt.crit",
  title: "an unknown extension listed in crit is rejected",
  level: "SHOULD",
  source: "RFC 7515 §4.1.11 (crit: recipients MUST reject unknown extensions)",
  rationale: "`crit` lists header extensions the verifier must understand (RFC 7515 §4.1.11); a token " +
    "naming one it does not understand must be rejected, or the meaning the issuer attached to it " +
    "(such as a binding or a restriction) is silently dropped.",
  mutants: ["ignore-crit"],
  rule: "a validly signed token with an unknown name in crit must get 401",
});

const jwtWeakSecret = defineCheck<SvcContext>({
  id: "svc.jwt.weak-secret",
  title: "an HS* token keyed with one of the 100 most common secrets is rejected",
  level: "SHOULD",
  source: "RFC 8725 §3.5 (HMAC keys need enough entropy); RFC 7518 §3.2; 002 §2.1 (use RS256)",
  rationale: "A server that accepts HS* tokens under a secret from a library's README or a common-password " +
    "list lets anyone who guesses it (offline, with hashcat or jwt_tool, from a single token) mint any " +
    "claims. The kit cannot see which secret a server uses, so it tries the list: 100 tokens minted " +
    "locally under the first HS* algorithm the target lists in `[credentials] algorithms`, one request " +
    "each, within 8 s. Not applicable when the server accepts no HS* algorithm.",
  mutants: ["weak-hmac-secret"],
  requires: [],
  run: (ctx) => probeWeakSecrets(ctx, "an HS* token keyed with a common secret must get 401"),
});

const jwtPsychic = jwtCheck({
  id: "svc.jwt.psychic-signature",
  title: "an ES256/ES384 token with signature r = s = 0 is rejected",
  level: "MUST",
  source: "CVE-2022-21449 (psychic signatures); RFC 7518 §3.4; FIPS 186-4 §6.4.2 (r, s in [1, n−1])",
  rationale: "An ECDSA verifier that does not check r and s are in [1, n−1] (Java 15–18, CVE-2022-21449) " +
    "accepts the signature r = s = 0 for every message and every key. The kit sends the zero signature " +
    "(raw and DER) under each of ES256 and ES384 that the target lists in `[credentials] algorithms`; " +
    "not applicable when it lists neither.",
  mutants: ["psychic-signature"],
  rule: "an ES256/ES384 token whose signature is r = s = 0 must get 401",
});

const jwtOversized = defineCheck<SvcContext>({
  id: "svc.jwt.oversized",
  title: `a 256 KiB bearer token gets a 4xx within ${OVERSIZED_BOUND_MS / 1000} s`,
  level: "SHOULD",
  source:
    "RFC 9110 §5.4 (fields too large: MUST respond with a 4xx); RFC 6585 §5 (431); 001 §4 (limits stop resource exhaustion)",
  rationale: "A bearer token is attacker input of any size: a server that buffers, decodes and verifies " +
    "a 256 KiB token spends memory and CPU on every such request, and one whose parser chokes answers " +
    "5xx or hangs. RFC 9110 §5.4 asks for a 4xx (431, RFC 6585 §5, says why) to header fields larger " +
    `than the server wishes to process; the kit allows ${OVERSIZED_BOUND_MS} ms. A connection closed or ` +
    "reset without an answer fails too, when the server still answers a small request after it.",
  mutants: ["oversized-token-500", "oversized-token-slow"],
  requires: [],
  run: (ctx) => probeOversized(ctx, "a 256 KiB bearer token must get a 4xx (431) quickly"),
});

/** The checks of this area (svc.jwt.*). */
export const checks: readonly Check<SvcContext>[] = [
  jwtAlgNone,
  jwtExpired,
  jwtMissingExp,
  jwtWrongKey,
  jwtHsConfusion,
  jwtAudience,
  jwtEmbeddedKey,
  jwtRemoteKey,
  jwtKidInjection,
  jwtNullSignature,
  jwtNotYetValid,
  jwtCrit,
  jwtWeakSecret,
  jwtPsychic,
  jwtOversized,
];
