/**
 * The PEP of the secrets client (seed 003 "Behavior (PEP flow)" steps 2–5): audience, JTI
 * anti-replay, the grant key, the negative cache, one PDP question per key at a time, sender-binding
 * drift, atomic uses, and on a PDP outage only a still-valid grant. Internal.
 *
 * @module
 */
import type { SecretsBehaviour } from "./_faults.ts";
import type { GuardedUri } from "./_guard.ts";
import type { HttpRuntime } from "./_http.ts";
import { askPdp, type PdpAnswer } from "./_pdp.ts";
import { SecretsError } from "./errors.ts";
import type { GrantCache, GrantEntry } from "./grant_cache.ts";
import type { ExecutionContext } from "./types.ts";

/** What the PEP needs. */
export interface PepRuntime {
  readonly cache: GrantCache;
  readonly http: HttpRuntime;
  readonly pdpAddr: string;
  readonly pdpTimeoutMs: number;
  readonly audience: string;
  readonly tenant: string;
  readonly negativeTtlMs: number;
  readonly negativeJitterMs: number;
  readonly antiReplayMs: number;
  readonly behaviour: SecretsBehaviour;
  log(line: string): void;
}

/** What the PEP allowed: the grant used, its wrapping obligation, and whether it came from the cache. */
export interface PepDecision {
  grantId: string | null;
  wrapTtlS: number | null;
  cacheHit: boolean;
}

/** A settled PDP question, with the entry it cached (an allow). */
interface Flight {
  ans: PdpAnswer;
  entry?: GrantEntry;
}

/** Use a grant once: the binding must match and a use must be left (checked and counted atomically). */
function use(b: SecretsBehaviour, e: GrantEntry, binding: string | null, cacheHit: boolean): PepDecision {
  if (b.checkBinding && e.boundTo !== binding) throw new SecretsError("binding_drift");
  if (b.enforceMaxUses && e.uses >= e.grant.max_uses) {
    throw new SecretsError("uses_exhausted", { detail: `max_uses ${e.grant.max_uses}` });
  }
  e.uses++;
  return { grantId: e.grant.id, wrapTtlS: e.grant.wrap_ttl_s, cacheHit };
}

/** The cache's answer for a key: a cached deny, a valid grant used once, or nothing. */
function fromCache(rt: PepRuntime, key: string, binding: string | null): PepDecision | null {
  const now = rt.cache.now();
  const until = rt.cache.deniedUntil(key);
  if (until !== undefined && until > now) throw new SecretsError("denied", { detail: "cached deny" });
  const e = rt.cache.grant(key);
  if (e !== undefined && e.expiresAt > now) return use(rt.behaviour, e, binding, true);
  return null;
}

/** Ask the PDP and cache its answer (synchronously, as soon as it comes). */
function ask(rt: PepRuntime, key: string, q: Parameters<typeof askPdp>[2]): Promise<Flight> {
  const b = rt.behaviour;
  return askPdp(rt.http, rt.pdpAddr, q, rt.pdpTimeoutMs).then((ans): Flight => {
    const now = rt.cache.now();
    rt.log(`secrets: pdp → ${ans.kind}`);
    if (ans.kind === "allow") {
      const entry: GrantEntry = {
        grant: ans.grant,
        boundTo: ans.grant.binding ?? q.binding,
        expiresAt: now + ans.grant.ttl_ms,
        uses: 0,
      };
      rt.cache.putGrant(key, entry);
      return { ans, entry };
    }
    if (ans.kind === "deny" && b.negativeCache !== "off") {
      const jitter = Math.random() * rt.negativeJitterMs;
      rt.cache.putDeny(key, b.negativeCache === "forever" ? Infinity : now + rt.negativeTtlMs + jitter);
    }
    return { ans };
  });
}

/**
 * Decide one call: allowed (with the grant used), or a typed refusal.
 *
 * @param rt the PEP's runtime
 * @param uri the guarded URI
 * @param pointer the pointer as the caller gave it
 * @param ctx the caller's context
 * @returns the decision
 * @throws SecretsError `audience_mismatch`, `replay`, `denied`, `binding_drift`, `uses_exhausted`,
 *   `pdp_unavailable`
 */
export async function authorize(
  rt: PepRuntime,
  uri: GuardedUri,
  pointer: string,
  ctx: ExecutionContext,
): Promise<PepDecision> {
  const b = rt.behaviour;
  if (b.checkAudience && !(ctx.aud ?? []).includes(rt.audience)) throw new SecretsError("audience_mismatch");
  const jti = ctx.jti ?? null;
  if (jti !== null && b.jtiReplay !== "off") {
    if (rt.cache.replayed(jti, b.jtiReplay === "forever" ? Infinity : rt.antiReplayMs)) {
      throw new SecretsError("replay");
    }
  }
  const binding = ctx.cnfJkt ?? ctx.mtlsThumbprint ?? null;
  const subject = ctx.subject ?? null;
  const key = JSON.stringify([
    subject,
    b.grantKeyTenant ? rt.tenant : null,
    b.grantKeyUri === "raw" ? pointer : uri.canonical,
    "execute",
  ]);
  const cached = fromCache(rt, key, binding);
  if (cached !== null) return cached;

  let flight = b.perKeyLock ? rt.cache.flight(key) as Promise<Flight> | undefined : undefined;
  if (flight === undefined) {
    flight = ask(rt, key, {
      subject,
      tenant: rt.tenant,
      uri: uri.canonical,
      action: "execute",
      binding,
      audience: ctx.aud ?? null,
      jti,
    });
    if (b.perKeyLock) rt.cache.putFlight(key, flight);
  }
  const { ans, entry } = await flight;
  switch (ans.kind) {
    case "allow":
      if (entry === undefined) throw new SecretsError("pdp_unavailable", { detail: "no grant cached" });
      return use(b, entry, binding, false);
    case "deny":
      throw new SecretsError("denied");
    case "outage": {
      rt.log(`secrets: ${ans.detail}`);
      if (b.onPdpOutage === "fail-open") return { grantId: null, wrapTtlS: null, cacheHit: false };
      if (b.onPdpOutage === "expired-grant") {
        const old = rt.cache.grant(key);
        if (old !== undefined) return use(b, old, binding, true);
      }
      const again = fromCache(rt, key, binding);
      if (again !== null) return again;
      throw new SecretsError("pdp_unavailable");
    }
    default: {
      const never: never = ans;
      throw new SecretsError("provider", { detail: `unknown PDP answer ${String(never)}` });
    }
  }
}
