/**
 * Key generation and signature algorithms for `ca.ts`: which WebCrypto parameters make a key of
 * each kind, and how a key of each kind signs with a given hash.
 *
 * @module
 */

/** The kinds of key the kit can mint: ECDSA on two curves, RSA at two sizes. */
export type KeyKind = "P-256" | "P-384" | "RSA-1024" | "RSA-2048";

/** Hashes an issuer can sign a certificate with (SHA-1 only to build certificates clients must refuse). */
export type SignatureHash = "SHA-256" | "SHA-384" | "SHA-1";

/** A key pair together with what it is, so it can sign the right way. */
export interface KindedKeys {
  /** the key kind */
  readonly kind: KeyKind;
  /** for RSA keys, the hash bound to the key at generation (WebCrypto ties it to the key) */
  readonly rsaHash?: SignatureHash;
  /** the key pair */
  readonly keys: CryptoKeyPair;
}

const RSA_EXPONENT = new Uint8Array([1, 0, 1]);

/** Generate a key pair of `kind`; RSA keys are bound to `hash` (the hash they will sign with). */
export async function generateKeys(
  kind: KeyKind,
  extractable: boolean,
  hash: SignatureHash = "SHA-256",
): Promise<KindedKeys> {
  switch (kind) {
    case "P-256":
    case "P-384": {
      const keys = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: kind }, extractable, [
        "sign",
        "verify",
      ]);
      return { kind, keys };
    }
    case "RSA-1024":
    case "RSA-2048": {
      const params: RsaHashedKeyGenParams = {
        name: "RSASSA-PKCS1-v1_5",
        modulusLength: kind === "RSA-1024" ? 1024 : 2048,
        publicExponent: RSA_EXPONENT,
        hash,
      };
      const keys = await crypto.subtle.generateKey(params, extractable, ["sign", "verify"]);
      return { kind, rsaHash: hash, keys };
    }
    default: {
      const never: never = kind;
      throw new Error(`unknown key kind ${String(never)}`);
    }
  }
}

/**
 * The WebCrypto signing parameters for `signer` signing with `hash`. An RSA key signs only with the
 * hash it was generated for (WebCrypto binds it), so asking for another one is an error.
 */
export function signingAlgorithm(
  signer: KindedKeys,
  hash: SignatureHash,
): EcdsaParams | RsaHashedImportParams {
  if (signer.rsaHash === undefined) return { name: "ECDSA", hash };
  if (signer.rsaHash !== hash) {
    throw new Error(
      `this ${signer.kind} issuer signs with ${signer.rsaHash} only (generate it with signatureHash: "${hash}")`,
    );
  }
  return { name: "RSASSA-PKCS1-v1_5", hash };
}
