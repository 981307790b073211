/**
 * The reference server's JWT playbook mutants: each verifies tokens the way a real, broken verifier
 * does (trusting the token's own jwk, fetching its jku, looking its kid up unchecked, deny-listing
 * none by name, skipping nbf/iat, taking every crit as understood).
 *
 * @module
 */
import {
  compactVerify,
  decodeJwt,
  importJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
  type JWTVerifyOptions,
  type ProtectedHeaderParameters,
} from "jose";
import type { ServerFault } from "./faults.ts";
import type { FrontOptions } from "./_front.ts";

/** What a playbook mutant needs to judge one token. */
export interface PlaybookInput {
  fault: ServerFault | undefined;
  token: string;
  header: ProtectedHeaderParameters;
  publicKey: CryptoKey;
  strict: JWTVerifyOptions;
  claimsOk: (p: JWTPayload, needExp: boolean) => boolean;
  /** iat is not in the future (beyond the server's leeway) */
  iatOk: (p: JWTPayload) => boolean;
  /** the fake SQL engine (throws on a broken query) */
  sql: (query: string) => void;
}

const KNOWN_ALGS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "HS256"];

/** r = s = 0 in either encoding (raw r‖s, or DER): what a verifier without the range check accepts. */
function zeroEcdsa(token: string): boolean {
  const sig = token.split(".")[2] ?? "";
  const bin = atob(sig.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(sig.length / 4) * 4, "="));
  if (bin.length === 0) return false;
  if (/^\0+$/.test(bin)) return true;
  return bin === "\x30\x06\x02\x01\x00\x02\x01\x00";
}

/**
 * The verdict of the fault's broken verification, or `undefined` when this fault (or this token)
 * goes through the correct path.
 *
 * @param i the fault, the token and the server's verification pieces
 * @returns accepted, refused, or undefined (verify correctly)
 */
export async function playbookFault(i: PlaybookInput): Promise<boolean | undefined> {
  const { header, token } = i;
  switch (i.fault) {
    case "trust-embedded-jwk":
      if (header.jwk === undefined) return undefined;
      await jwtVerify(token, await importJWK(header.jwk as JWK, "RS256"), {
        ...i.strict,
        algorithms: ["RS256"],
      });
      return true;
    case "fetch-remote-key": {
      if (typeof header.x5u === "string") {
        await (await fetch(header.x5u, { signal: AbortSignal.timeout(2000) })).body?.cancel();
      }
      if (typeof header.jku !== "string") return undefined;
      const res = await fetch(header.jku, { signal: AbortSignal.timeout(2000) });
      const jwks = (await res.json()) as { keys: JWK[] };
      const jwk = jwks.keys.find((k) => k.kid === header.kid) ?? jwks.keys[0];
      if (jwk === undefined) return false;
      await jwtVerify(token, await importJWK(jwk, "RS256"), i.strict);
      return true;
    }
    case "kid-lookup-injection": {
      const kid = header.kid;
      if (kid === undefined || kid === "reference-1") return undefined;
      i.sql(`SELECT key FROM keys WHERE kid = '${kid}'`);
      // the kid is a file under /srv/keys: ../ climbs out, and /dev/null reads as an empty HMAC key
      // (HMAC pads a short key with zeros: one zero byte is the empty key)
      if (kid.includes("../") && kid.endsWith("/dev/null")) {
        await jwtVerify(token, new Uint8Array(1), { ...i.strict, algorithms: ["HS256"] });
        return true;
      }
      return false;
    }
    case "alg-denylist": {
      const alg = String(header.alg);
      if (alg.toLowerCase() === "none") return false;
      if (!KNOWN_ALGS.includes(alg)) return i.claimsOk(decodeJwt(token), true);
      return undefined;
    }
    case "no-nbf-check": {
      const { payload } = await compactVerify(token, i.publicKey, { algorithms: ["RS256"] });
      return i.claimsOk(JSON.parse(new TextDecoder().decode(payload)), true);
    }
    case "ignore-crit": {
      const crit = Object.fromEntries((header.crit ?? []).map((n) => [n, true]));
      const { payload } = await jwtVerify(token, i.publicKey, { ...i.strict, crit });
      return i.iatOk(payload);
    }
    case "weak-hmac-secret": {
      if (header.alg !== "HS256") return undefined;
      const { payload } = await jwtVerify(token, new TextEncoder().encode("secret"), {
        ...i.strict,
        algorithms: ["HS256"],
      });
      return i.iatOk(payload);
    }
    case "psychic-signature": {
      if (header.alg !== "ES256" && header.alg !== "ES384") return undefined;
      // the server's own EC key is never given out: only the broken range check lets a token through
      return zeroEcdsa(token) && i.claimsOk(decodeJwt(token), true) && i.iatOk(decodeJwt(token));
    }
    default:
      return undefined;
  }
}

const ALSO_ACCEPTED: Partial<Record<ServerFault, string[]>> = {
  "weak-hmac-secret": ["HS256"],
  "psychic-signature": ["ES256", "ES384"],
};

/**
 * The JWS algorithms the target of this server (or mutant) declares accepted: RS256, and the HS256
 * or ES256/ES384 a playbook mutant really accepts too (a target describes its server honestly).
 *
 * @param fault the fault, if any
 * @returns the `credentials.algorithms` list
 */
export function declaredAlgorithms(fault: ServerFault | undefined): string[] {
  return ["RS256", ...(fault === undefined ? [] : ALSO_ACCEPTED[fault] ?? [])];
}

/** How late the `oversized-token-slow` mutant answers an oversized head (past svc.jwt.oversized's bound). */
export const OVERSIZED_SLOW_MS = 3_000;

/**
 * The front's answer to a head over its limit, for the svc.jwt.oversized mutants: 500 (a server
 * whose header parsing throws), or 431 after {@linkcode OVERSIZED_SLOW_MS} (one that reads and
 * scans the whole head first); the correct server answers 431 at once.
 *
 * @param fault the fault, if any
 * @returns the options to spread into the front's
 */
export function oversizedFault(fault: ServerFault | undefined): Pick<FrontOptions, "oversized"> {
  if (fault === "oversized-token-500") return { oversized: { status: 500, delayMs: 0 } };
  if (fault === "oversized-token-slow") return { oversized: { status: 431, delayMs: OVERSIZED_SLOW_MS } };
  return {};
}
