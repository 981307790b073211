/**
 * Valid and forged JWTs for the server profile. Recipes come from `fixtures/jwt/forgeries.json`
 * (loaded through zod); the issuer key (when the target gives one) mints valid tokens and the
 * claim-level forgeries, the server's public key feeds the HS256 algorithm-confusion probe.
 *
 * @module
 */
import { decodeJwt, generateKeyPair, SignJWT } from "jose";
import type { Credentials } from "./target.ts";
import {
  attackerKey,
  b64url,
  nullSigned,
  oversizedToken,
  psychicToken,
  signByAttacker,
  signHmac,
  signRaw,
  unsigned,
} from "./_jwt_attacks.ts";
import { acceptedAlgorithms } from "./_jwt_algs.ts";

export {
  forgeriesFor,
  type ForgeryCase,
  ForgeryFixtureSchema,
  type Recipe,
  RecipeSchema,
} from "./_jwt_recipes.ts";
import type { Recipe } from "./_jwt_recipes.ts";

/** A forged token, or why this target cannot get one (→ not_applicable). */
export type Forged = { ok: true; token: string } | { ok: false; reason: string };

const enc = new TextEncoder();

export { b64url };

/** Where a forgery points its remote-key header (`jku`/`x5u`). */
export interface ForgeOptions {
  /** the kit listener's base URL, e.g. "http://127.0.0.2:41234" */
  remoteKeyBase?: string;
  /** the algorithm of a per-algorithm recipe (`null_signature`) @default the target's alg */
  alg?: string;
}

let otherKey: Promise<CryptoKey> | undefined;

function notAccepted(what: string, accepted: readonly string[]): Forged {
  return {
    ok: false,
    reason: `the target says the server does not accept ${what} (it lists ${accepted.join(", ")})`,
  };
}

function pemToDer(pem: string): Uint8Array {
  const b = atob(pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""));
  return Uint8Array.from(b, (c) => c.charCodeAt(0));
}

/** Mints valid tokens and forgeries for one target. */
export class JwtKit {
  readonly #c: Credentials;

  /** @param credentials the target's resolved credentials */
  constructor(credentials: Credentials) {
    this.#c = credentials;
  }

  /** whether the kit can mint tokens itself (it has the issuer's private key) */
  get canMint(): boolean {
    return this.#c.issuerKey !== undefined;
  }

  #claims(): Record<string, unknown> | undefined {
    const now = Math.floor(Date.now() / 1000);
    if (this.#c.issuerKey !== undefined) {
      const c: Record<string, unknown> = { sub: this.#c.subject, iat: now, exp: now + 300 };
      if (this.#c.issuer !== undefined) c["iss"] = this.#c.issuer;
      if (this.#c.audience !== undefined) c["aud"] = this.#c.audience;
      return c;
    }
    if (this.#c.token === undefined) return undefined;
    try {
      return { ...decodeJwt(this.#c.token) };
    } catch {
      return undefined;
    }
  }

  async #sign(claims: Record<string, unknown>): Promise<string> {
    const key = this.#c.issuerKey;
    if (key === undefined) throw new Error("no issuer key");
    const header: { alg: string; typ: string; kid?: string } = { alg: this.#c.alg, typ: "JWT" };
    if (this.#c.kid !== undefined) header.kid = this.#c.kid;
    return await new SignJWT(claims).setProtectedHeader(header).sign(key);
  }

  /**
   * A valid token: the env token, or one minted with the issuer key (exp in 5 minutes).
   *
   * @returns the token
   */
  async valid(): Promise<string> {
    if (this.#c.token !== undefined) return this.#c.token;
    const claims = this.#claims();
    if (claims === undefined) throw new Error("no credentials");
    return await this.#sign(claims);
  }

  /**
   * Build the token a recipe describes.
   *
   * @param r the recipe
   * @param opts where remote-key headers point
   * @returns the token, or why it cannot be built for this target
   */
  async forge(r: Recipe, opts: ForgeOptions = {}): Promise<Forged> {
    const claims = this.#claims();
    const needClaims: Forged = {
      ok: false,
      reason: "the target's token is not a JWT and no issuer key is given",
    };
    const needKey: Forged = { ok: false, reason: "needs credentials.issuer_private_key to mint this token" };
    const kid = this.#c.kid === undefined ? {} : { kid: this.#c.kid };
    switch (r.kind) {
      case "alg_none": {
        if (claims === undefined) return needClaims;
        return {
          ok: true,
          token: `${b64url(JSON.stringify({ alg: r.alg, typ: "JWT" }))}.${b64url(JSON.stringify(claims))}.`,
        };
      }
      case "strip_signature": {
        const t = await this.valid();
        const parts = t.split(".");
        if (parts.length !== 3) return needClaims;
        return { ok: true, token: `${parts[0]}.${parts[1]}.` };
      }
      case "tamper_payload": {
        if (claims === undefined) return needClaims;
        const t = await this.valid();
        const parts = t.split(".");
        const changed = { ...claims, sub: `${String(claims["sub"] ?? "x")}-admin`, admin: true };
        return { ok: true, token: `${parts[0]}.${b64url(JSON.stringify(changed))}.${parts[2]}` };
      }
      case "expired": {
        if (!this.canMint || claims === undefined) return needKey;
        const now = Math.floor(Date.now() / 1000);
        return {
          ok: true,
          token: await this.#sign({ ...claims, iat: now - r.seconds_ago - 300, exp: now - r.seconds_ago }),
        };
      }
      case "missing_exp": {
        if (!this.canMint || claims === undefined) return needKey;
        const { exp: _exp, ...rest } = claims;
        return { ok: true, token: await this.#sign(rest) };
      }
      case "wrong_audience": {
        if (!this.canMint || claims === undefined) return needKey;
        if (this.#c.audience === undefined) return { ok: false, reason: "the target names no audience" };
        return { ok: true, token: await this.#sign({ ...claims, aud: "conformance-kit-wrong-audience" }) };
      }
      case "wrong_issuer": {
        if (!this.canMint || claims === undefined) return needKey;
        if (this.#c.issuer === undefined) return { ok: false, reason: "the target names no issuer" };
        return { ok: true, token: await this.#sign({ ...claims, iss: "https://wrong-issuer.invalid" }) };
      }
      case "wrong_key": {
        if (claims === undefined) return needClaims;
        otherKey ??= generateKeyPair("RS256").then((p) => p.privateKey);
        const token = await new SignJWT(claims).setProtectedHeader({ alg: "RS256", typ: "JWT", ...kid }).sign(
          await otherKey,
        );
        return { ok: true, token };
      }
      case "hs_confusion": {
        if (claims === undefined) return needClaims;
        const pem = this.#c.publicKeyPem;
        if (pem === undefined) return { ok: false, reason: "needs credentials.public_key or jwks_url" };
        const trimmed = pem.trim();
        const secret = r.key_form === "der"
          ? pemToDer(trimmed)
          : enc.encode(r.key_form === "pem" ? trimmed : `${trimmed}\n`);
        const token = await new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT", ...kid }).sign(
          secret,
        );
        return { ok: true, token };
      }
      case "embedded_jwk": {
        if (claims === undefined) return needClaims;
        const { jwk } = await attackerKey();
        return { ok: true, token: await signByAttacker(claims, { jwk }) };
      }
      case "remote_key": {
        if (claims === undefined) return needClaims;
        if (opts.remoteKeyBase === undefined) return { ok: false, reason: "no kit listener for the key URL" };
        const url = `${opts.remoteKeyBase}/${r.header}/${r.header === "jku" ? "jwks.json" : "cert.pem"}`;
        return {
          ok: true,
          token: await signByAttacker(claims, { [r.header]: url, kid: "conformance-kit-attacker" }),
        };
      }
      case "kid_injection": {
        if (claims === undefined) return needClaims;
        return { ok: true, token: await signHmac(claims, { kid: r.kid.repeat(r.repeat ?? 1) }, r.hmac_key) };
      }
      case "unsigned_alg":
        if (claims === undefined) return needClaims;
        return { ok: true, token: unsigned(r.alg, claims) };
      case "null_signature": {
        if (claims === undefined) return needClaims;
        const alg = opts.alg ?? this.#c.alg;
        const parts = (await this.valid()).split(".");
        const own = alg === this.#c.alg && parts.length === 3 ? parts : undefined;
        return { ok: true, token: nullSigned({ alg, ...kid }, claims, r.form, this.#c.issuerKey, own) };
      }
      case "hs_empty_secret":
        if (claims === undefined) return needClaims;
        return { ok: true, token: await signHmac(claims, kid, "") };
      case "not_yet_valid": {
        if (!this.canMint || claims === undefined) return needKey;
        const at = Math.floor(Date.now() / 1000) + r.seconds_ahead;
        const changed = r.claim === "nbf" ? { ...claims, nbf: at } : { ...claims, iat: at, exp: at + 300 };
        return { ok: true, token: await this.#sign(changed) };
      }
      case "crit_unknown": {
        const key = this.#c.issuerKey;
        if (key === undefined || claims === undefined) return needKey;
        const header = { alg: this.#c.alg, typ: "JWT", ...kid, crit: [r.name], [r.name]: true };
        return { ok: true, token: await signRaw(header, claims, key) };
      }
      case "hmac_secret": {
        if (claims === undefined) return needClaims;
        const accepted = acceptedAlgorithms(this.#c);
        const hs = accepted.find((a) => a.startsWith("HS"));
        if (hs === undefined) return notAccepted("any HS* algorithm", accepted);
        return { ok: true, token: await signHmac(claims, { alg: hs, ...kid }, r.secret) };
      }
      case "psychic": {
        if (claims === undefined) return needClaims;
        const accepted = acceptedAlgorithms(this.#c);
        if (!accepted.includes(r.alg)) return notAccepted(r.alg, accepted);
        return { ok: true, token: psychicToken({ alg: r.alg, ...kid }, claims, r.form) };
      }
      case "oversized":
        return { ok: true, token: oversizedToken({ alg: this.#c.alg, ...kid }, claims ?? {}, r.chars) };
      case "literal":
        return { ok: true, token: r.value };
      case "random":
        return { ok: true, token: b64url(crypto.getRandomValues(new Uint8Array(r.bytes))) };
      default: {
        const _x: never = r;
        return _x;
      }
    }
  }
}
