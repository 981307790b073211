/**
 * Audit records of the secrets client (seed 003 step 8): a salted, stable `resource_ref`
 * (HMAC-SHA-256 of the canonical URI, keyed by the tenant's salt) and a bounded list. Internal.
 *
 * @module
 */
import type { SecretsBehaviour } from "./_faults.ts";
import type { SecretsAuditRecord } from "./types.ts";

const enc = new TextEncoder();
const REF_HEX_CHARS = 32;
const MAX_RECORDS = 1_000;

function hex(buf: ArrayBuffer): string {
  return [...new Uint8Array(buf)].map((x) => x.toString(16).padStart(2, "0")).join("");
}

/**
 * The audit reference of a URI.
 *
 * @param b the behaviour (`resourceRef`)
 * @param salt the tenant's salt
 * @param canonical the canonical URI
 * @param pointer the pointer as given
 * @returns 32 hex characters
 */
export async function resourceRef(
  b: SecretsBehaviour,
  salt: string,
  canonical: string,
  pointer: string,
): Promise<string> {
  if (b.resourceRef === "sha256-canonical") {
    return hex(await crypto.subtle.digest("SHA-256", enc.encode(canonical))).slice(0, REF_HEX_CHARS);
  }
  const key = await crypto.subtle.importKey(
    "raw",
    enc.encode(salt),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const msg = b.resourceRef === "hmac-raw" ? pointer : canonical;
  return hex(await crypto.subtle.sign("HMAC", key, enc.encode(msg))).slice(0, REF_HEX_CHARS);
}

/** The client's audit records, the newest {@link MAX_RECORDS} kept. */
export class AuditLog {
  readonly #records: SecretsAuditRecord[] = [];

  /** @param r a record */
  push(r: SecretsAuditRecord): void {
    this.#records.push(r);
    if (this.#records.length > MAX_RECORDS) this.#records.shift();
  }

  /** @returns copies of the records, oldest first */
  list(): SecretsAuditRecord[] {
    return this.#records.map((r) => ({ ...r }));
  }
}
