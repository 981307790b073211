/**
 * The reference secrets client (seed 003): canonical secret URIs guarded before any request, a PEP
 * (PDP grants, audience, JTI anti-replay, sender binding, single use, negative cache), KVv2 reads
 * with pinned versions and typed deleted / destroyed errors, optional response wrapping, and audit
 * records with a salted `resource_ref`.
 *
 * ```ts
 * import { SecretsClient, SecretsError } from "./mod.ts";
 * const c = new SecretsClient({ vaultAddr: "https://127.0.0.1:1", token: "t", tenant: "dev", allowedMounts: ["secret"], salt: "s" });
 * const e = await c.getSecret("openbao://secret2/app").catch((e) => e);
 * if (!(e instanceof SecretsError) || e.code !== "mount_not_allowed") throw new Error();
 * c.close();
 * ```
 *
 * @module
 */
export * from "./client.ts";
export * from "./errors.ts";
export * from "./grant_cache.ts";
export * from "./digest.ts";
export type * from "./types.ts";
