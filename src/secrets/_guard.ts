/**
 * The URI guard of the secrets client (seed 003 "Behavior (PEP flow)" step 1): parse, canonicalise
 * and tenant-guard a pointer with the kit's parser (`src/schema/secret_uri.ts`) before anything is
 * sent. A mutant that lets a parser code through falls back to a lax split of the raw pointer, so the
 * unchecked path is what it reads (the mistake the guard exists to prevent). Internal.
 *
 * @module
 */
import { parseSecretUri, type SecretUriErrorCode, toCanonicalSecretUri } from "../schema/secret_uri.ts";
import type { SecretsBehaviour } from "./_faults.ts";

/** A pointer that passed the guard, ready to be read. */
export interface GuardedUri {
  /** the canonical URI (the grant key's and `resource_ref`'s input) */
  canonical: string;
  /** the mount, as it goes on the wire */
  mount: string;
  /** the path after the mount, as it goes on the wire (segments joined by `/`) */
  wirePath: string;
  /** the fragment (the one key of the data to return), if any */
  fragment: string | null;
  /** the `version` parameter as it goes on the wire, if any */
  version: string | null;
  /** the pinned version as a number, if the parameter is one */
  pinned: number | null;
  /** the last segment is `*` (a prefix grant, which cannot be read) */
  wildcard: boolean;
}

/** What {@link guardUri} returns. */
export type GuardResult =
  | { ok: true; uri: GuardedUri }
  | { ok: false; code: SecretUriErrorCode; message: string };

/** The query pairs of a raw pointer, in the order given (lax: no validation). */
function rawParts(pointer: string): { path: string; fragment: string | null; pairs: [string, string][] } {
  const rest = pointer.slice(pointer.indexOf("://") + 3);
  const h = rest.indexOf("#");
  const q = rest.indexOf("?");
  const cut = Math.min(h < 0 ? rest.length : h, q < 0 ? rest.length : q);
  const path = rest.slice(0, cut);
  let fragment: string | null = null;
  let query = "";
  if (h >= 0) fragment = rest.slice(h + 1, q > h ? q : rest.length);
  if (q >= 0) query = rest.slice(q + 1, h > q ? h : rest.length);
  const pairs = query === "" ? [] : query.split("&").map((p): [string, string] => {
    const eq = p.indexOf("=");
    return eq < 0 ? [p, ""] : [p.slice(0, eq), p.slice(eq + 1)];
  });
  return { path, fragment, pairs };
}

function mountOf(pointer: string): string {
  const sep = pointer.indexOf("://");
  return sep < 0 ? "" : (pointer.slice(sep + 3).split(/[/#?]/)[0] ?? "");
}

/** A mutant's lax reading of a pointer whose parser error it lets through: the raw path, unchecked. */
function lax(pointer: string): GuardedUri {
  const { path, fragment, pairs } = rawParts(pointer);
  const segs = path.split("/");
  const [mount = "", ...rest] = segs;
  const version = pairs.find(([k]) => k === "version")?.[1] ?? null;
  const n = version === null ? NaN : Number(version);
  const scheme = pointer.slice(0, pointer.indexOf("://")).toLowerCase();
  const frag = fragment === null ? "" : `#${fragment}`;
  const query = pairs.length === 0 ? "" : `?${pairs.map(([k, v]) => `${k}=${v}`).join("&")}`;
  return {
    canonical: `${scheme.includes("+") ? scheme : `${scheme}+kv2`}://${path}${frag}${query}`,
    mount,
    wirePath: rest.join("/"),
    fragment,
    version,
    pinned: Number.isInteger(n) ? n : null,
    wildcard: rest[rest.length - 1] === "*",
  };
}

/**
 * Guard a pointer for a tenant.
 *
 * @param pointer the secret URI as the caller gave it
 * @param tenant the client's tenant
 * @param allowedMounts the tenant's mounts (exact match)
 * @param b the client's behaviour (the reference, or a mutant's)
 * @returns the guarded URI, or the first rule it breaks
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SECRETS_REFERENCE_BEHAVIOUR } from "./_faults.ts";
 * const r = guardUri("openbao://secret/app/api?version=3#token", "dev", ["secret"], SECRETS_REFERENCE_BEHAVIOUR);
 * assert.ok(r.ok && r.uri.wirePath === "app/api" && r.uri.pinned === 3);
 * assert.equal(r.ok && r.uri.canonical, "openbao+kv2://secret/app/api#token?version=3");
 * const bad = guardUri("openbao://secret/app/../admin", "dev", ["secret"], SECRETS_REFERENCE_BEHAVIOUR);
 * assert.ok(!bad.ok && bad.code === "dot_segment");
 * ```
 */
export function guardUri(
  pointer: string,
  tenant: string,
  allowedMounts: readonly string[],
  b: SecretsBehaviour,
): GuardResult {
  let mounts = [...allowedMounts];
  if (b.mountMatch === "prefix") {
    const m = mountOf(pointer);
    if (m !== "" && allowedMounts.some((a) => m.startsWith(a))) mounts = [...mounts, m];
  }
  const r = parseSecretUri(pointer, tenant, mounts);
  if (!r.ok) {
    if (b.uriCodesLetThrough.includes(r.error.code)) {
      const uri = lax(pointer);
      if (mounts.includes(uri.mount)) return { ok: true, uri };
    }
    return { ok: false, code: r.error.code, message: r.error.message };
  }
  const u = r.uri;
  let canonical = r.canonical;
  if (b.queryOrder === "as-given") {
    const given = rawParts(pointer).pairs.filter(([k]) => u.params.some(([p]) => p === k));
    canonical = toCanonicalSecretUri({ ...u, params: given });
  }
  const version = u.version === null ? null : String(u.version);
  return {
    ok: true,
    uri: {
      canonical,
      mount: u.mount,
      wirePath: u.path.map(encodeURIComponent).join("/"),
      fragment: u.fragment,
      version,
      pinned: u.version,
      wildcard: u.path[u.path.length - 1] === "*",
    },
  };
}
