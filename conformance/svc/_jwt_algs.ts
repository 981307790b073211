/**
 * The JWS algorithms a target may say its server accepts (`[credentials] algorithms`), and what the
 * JWT checks derive from that list: which attacks apply (HS* → svc.jwt.weak-secret, ES256/ES384 →
 * svc.jwt.psychic-signature) and how long a signature of each algorithm is (the zeroed signatures
 * of svc.jwt.null-signature).
 *
 * @module
 */

/** The JWS algorithms of RFC 7518 §3.1 (less `none`) and RFC 8037 (EdDSA). */
export const JWS_ALGORITHMS = [
  "HS256",
  "HS384",
  "HS512",
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
] as const;

/** One JWS algorithm a server may accept. */
export type JwsAlgorithm = typeof JWS_ALGORITHMS[number];

/**
 * The algorithms the server accepts: the target's list, else the one its valid tokens use.
 *
 * @param c the target's credentials (`alg`, optional `algorithms`)
 * @returns the list, without duplicates, `alg` first when listed
 * @example
 * ```ts
 * import { acceptedAlgorithms } from "./_jwt_algs.ts";
 * if (acceptedAlgorithms({ alg: "RS256" }).join() !== "RS256") throw new Error();
 * if (acceptedAlgorithms({ alg: "RS256", algorithms: ["HS256", "RS256"] }).join() !== "RS256,HS256") {
 *   throw new Error();
 * }
 * ```
 */
export function acceptedAlgorithms(c: { alg: string; algorithms?: readonly string[] | undefined }): string[] {
  const list = c.algorithms ?? [c.alg];
  return [...new Set(list.includes(c.alg) ? [c.alg, ...list] : list)];
}

/**
 * The length in bytes of a signature of this algorithm (RFC 7518 §3.2–3.5, RFC 8037 §3.1), for a
 * zeroed signature of the right size; RSA takes the given modulus (default 2048 bits).
 *
 * @param alg the algorithm
 * @param rsaBytes the RSA modulus in bytes @default 256
 * @returns the length
 * @example
 * ```ts
 * import { signatureBytes } from "./_jwt_algs.ts";
 * if (signatureBytes("ES384") !== 96 || signatureBytes("HS512") !== 64) throw new Error();
 * ```
 */
export function signatureBytes(alg: string, rsaBytes = 256): number {
  const bits = Number(alg.slice(2));
  if (alg.startsWith("HS")) return bits / 8;
  if (alg === "ES512") return 132;
  if (alg.startsWith("ES")) return (bits / 8) * 2;
  if (alg === "EdDSA") return 64;
  return rsaBytes;
}
