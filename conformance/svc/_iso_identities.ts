/**
 * The identities of the `svc.iso.*` checks: tokens the kit mints with distinct `sub` claims (it
 * holds the issuer key), or the tokens the target's `[iso] token_envs` name; and an
 * administrator's token for the function-level baseline. Tokens never appear in evidence.
 *
 * @module
 */
import { SignJWT } from "jose";
import type { Credentials } from "./target.ts";
import type { IsoTarget } from "./_iso_target.ts";
import { errorMessage } from "../../src/util/error_message.ts";

/** One identity: a label for the evidence and its bearer token. */
export interface Identity {
  /** e.g. "A" or "worker 3" (never the token) */
  label: string;
  /** the `sub` the kit minted, or the env variable's position */
  sub: string;
  token: string;
}

/** The identities a check asked for, or why there are none. */
export type Identities = { ok: true; ids: Identity[]; minted: boolean } | { ok: false; reason: string };

async function mint(c: Credentials, claims: Record<string, unknown>): Promise<string> {
  const key = c.issuerKey;
  if (key === undefined) throw new Error("no issuer key");
  const now = Math.floor(Date.now() / 1000);
  const all: Record<string, unknown> = { iat: now, exp: now + 300, ...claims };
  if (c.issuer !== undefined) all["iss"] = c.issuer;
  if (c.audience !== undefined) all["aud"] = c.audience;
  const header: { alg: string; typ: string; kid?: string } = { alg: c.alg, typ: "JWT" };
  if (c.kid !== undefined) header.kid = c.kid;
  return await new SignJWT(all).setProtectedHeader(header).sign(key);
}

/**
 * `n` identities: minted with distinct `sub` claims (`<subject>.iso-<run>-<label>`), or the
 * target's env tokens taken in turn (identity i is token i mod their count).
 *
 * @param c the target's credentials
 * @param iso the target's `[iso]` table
 * @param labels one label per identity
 * @returns the identities, or why the kit has none (a not-applicable reason)
 * @example
 * ```ts
 * import { isoIdentities } from "./_iso_identities.ts";
 * const r = await isoIdentities({ alg: "RS256", subject: "kit" }, {
 *   resource: "/i/{id}", create: { method: "POST", path: "/i", body: { n: "x" } }, idPointer: "/id",
 *   markerField: "n", delete: false, admin: [], tokens: ["t1", "t2"],
 * }, ["A", "B", "C"]);
 * if (!r.ok || r.ids.map((i) => i.token).join() !== "t1,t2,t1") throw new Error();
 * ```
 */
export async function isoIdentities(
  c: Credentials,
  iso: IsoTarget,
  labels: readonly string[],
): Promise<Identities> {
  if (iso.tokens !== undefined) {
    const tokens = iso.tokens;
    return {
      ok: true,
      minted: false,
      ids: labels.map((label, i) => {
        const k = i % tokens.length;
        return { label, sub: `token_envs[${k}]`, token: tokens[k] ?? "" };
      }),
    };
  }
  if (c.issuerKey === undefined) {
    return {
      ok: false,
      reason:
        "the kit has no identities: give [iso] token_envs (two or more) or credentials.issuer_private_key",
    };
  }
  const run = crypto.randomUUID().slice(0, 8);
  try {
    const ids: Identity[] = [];
    for (const label of labels) {
      const sub = `${c.subject}.iso-${run}-${label.replace(/\W+/g, "")}`;
      ids.push({ label, sub, token: await mint(c, { sub }) });
    }
    return { ok: true, minted: true, ids };
  } catch (e) {
    return { ok: false, reason: `the kit could not mint identities: ${errorMessage(e)}` };
  }
}

/**
 * An administrator's token: `[iso] admin_token_env`, or minted with `admin_claims`.
 *
 * @param c the target's credentials
 * @param iso the target's `[iso]` table
 * @returns the token, or undefined when the target gives no way to be an administrator
 */
export async function adminToken(c: Credentials, iso: IsoTarget): Promise<string | undefined> {
  if (iso.adminToken !== undefined) return iso.adminToken;
  if (iso.adminClaims === undefined || c.issuerKey === undefined) return undefined;
  const sub = `${c.subject}.iso-admin-${crypto.randomUUID().slice(0, 8)}`;
  return await mint(c, { sub, ...iso.adminClaims });
}
