/**
 * The attack half of the JWT kit: tokens from the jwt_tool playbook (embedded `jwk`, `jku`/`x5u`,
 * `kid` injection, unsigned algorithm look-alikes, `crit`, `nbf`/`iat` in the future), built without
 * `jose`'s header checks where a forgery must break them (an unknown `crit`, an empty HMAC key).
 *
 * @module
 */
import { exportJWK, generateKeyPair, SignJWT } from "jose";

const enc = new TextEncoder();

/** base64url of bytes or a string. */
export function b64url(data: Uint8Array | string): string {
  const bytes = typeof data === "string" ? enc.encode(data) : data;
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

let attacker: Promise<{ privateKey: CryptoKey; jwk: Record<string, unknown> }> | undefined;

/**
 * The kit's own RS256 key pair (the attacker's): its private key and public JWK.
 *
 * @returns the key and its public JWK (with `kid` "conformance-kit-attacker")
 */
export function attackerKey(): Promise<{ privateKey: CryptoKey; jwk: Record<string, unknown> }> {
  attacker ??= (async () => {
    const p = await generateKeyPair("RS256", { extractable: true });
    const jwk = {
      ...await exportJWK(p.publicKey),
      kid: "conformance-kit-attacker",
      alg: "RS256",
      use: "sig",
    };
    return { privateKey: p.privateKey, jwk };
  })();
  return attacker;
}

/**
 * An RS256 token signed by the attacker's key with extra header fields.
 *
 * @param claims the claims
 * @param header extra header fields (`jwk`, `jku`, `x5u`, `kid`)
 * @returns the token
 */
export async function signByAttacker(
  claims: Record<string, unknown>,
  header: Record<string, unknown>,
): Promise<string> {
  const { privateKey } = await attackerKey();
  return await new SignJWT(claims).setProtectedHeader({ alg: "RS256", typ: "JWT", ...header }).sign(
    privateKey,
  );
}

/**
 * An HS256 token over an HMAC key given as text (an empty key is the HMAC of one zero byte: HMAC
 * pads short keys with zeros, and WebCrypto refuses a zero-length key).
 *
 * @param claims the claims
 * @param header extra header fields
 * @param key the HMAC key
 * @returns the token
 */
export async function signHmac(
  claims: Record<string, unknown>,
  header: Record<string, unknown>,
  key: string,
): Promise<string> {
  const bytes = key === "" ? new Uint8Array(1) : enc.encode(key);
  const k = await crypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const input = `${b64url(JSON.stringify({ alg: "HS256", typ: "JWT", ...header }))}.${
    b64url(JSON.stringify(claims))
  }`;
  return `${input}.${b64url(new Uint8Array(await crypto.subtle.sign("HMAC", k, enc.encode(input))))}`;
}

function signParams(alg: string): AlgorithmIdentifier | RsaPssParams | EcdsaParams {
  if (alg.startsWith("PS")) return { name: "RSA-PSS", saltLength: Number(alg.slice(2)) / 8 };
  if (alg.startsWith("ES")) return { name: "ECDSA", hash: `SHA-${alg.slice(2)}` };
  return { name: "RSASSA-PKCS1-v1_5" };
}

/**
 * A token signed by `key` over any header, with no header validation (so `crit` can name an
 * extension nobody knows).
 *
 * @param header the whole protected header (with `alg`)
 * @param claims the claims
 * @param key the signing key (its algorithm matches `header.alg`)
 * @returns the token
 */
export async function signRaw(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  key: CryptoKey,
): Promise<string> {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const sig = await crypto.subtle.sign(signParams(String(header["alg"])), key, enc.encode(input));
  return `${input}.${b64url(new Uint8Array(sig))}`;
}

/**
 * The unsigned token for any `alg` text (look-alikes of `none`).
 *
 * @param alg the header's alg
 * @param claims the claims
 * @returns `header.payload.`
 */
export function unsigned(alg: string, claims: Record<string, unknown>): string {
  return `${b64url(JSON.stringify({ alg, typ: "JWT" }))}.${b64url(JSON.stringify(claims))}.`;
}
