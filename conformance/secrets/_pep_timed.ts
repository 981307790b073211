/**
 * The bodies of the `secrets.pep.*` checks about what the PEP caches: the grant key (shared by every
 * spelling of a URI, never by another tenant), the negative cache (a deny kept for its TTL plus
 * bounded jitter, then asked again) and a PDP outage (only a valid grant honoured). Their metadata is
 * in `pep.ts`. Timing rules use short configured TTLs with wide margins; a call the machine made too
 * late to judge is `error`. Internal to the profile.
 *
 * @module
 */
import { type Verdict, verdict } from "../../src/engine/types.ts";
import { kvReads } from "../../src/mock/bao/scenario.ts";
import type { PdpResponder } from "../../src/mock/bao/types.ts";
import type { SecretsCheckContext } from "./_context.ts";
import { broken, callFault, described, evidence, get, kvCase, setup, sleep, TENANT } from "./_helpers.ts";
import { judged } from "./_judge.ts";
import { type Mark, readsAfter, refusal } from "./_pep_util.ts";
import { VALID as U } from "./_refuse.ts";

/** The margin added to every configured TTL before the kit expects it to have ended, in ms. */
const MARGIN_MS = 600;

/**
 * Two spellings of one URI ask the PDP once; another tenant's call on the same driver never uses
 * the first tenant's grant.
 *
 * @param ctx the check's context
 * @returns the verdict
 */
export function grantKeyRun(ctx: SecretsCheckContext): Promise<Verdict> {
  const mark: Mark = {};
  return judged(ctx, (seen) => readsAfter(seen, mark, "another tenant's call"), async () => {
    const pdp: PdpResponder = (call) =>
      call.tenant === TENANT
        ? { decision: "allow", grant: { ttl_ms: 300_000, max_uses: 3 } }
        : { decision: "deny", reason: "not this tenant" };
    const s = await setup(ctx, kvCase({ uri: U, pdp }), { pep: true });
    if (!s.ok) return s.verdict;
    const dev = s.inst;
    const p = await setup(ctx, {}, {
      pep: true,
      session: dev.session,
      scenario: dev.sc,
      secrets: { tenant: "prod" },
    });
    if (!p.ok) return p.verdict;
    const prod = p.inst;
    const pinned = `${U}?version=1`;
    const spelled = "OpenBao://secret/myapp/%61pi?version=1#token";
    for (const uri of [pinned, spelled]) {
      const r = await get(dev, uri);
      if (r.kind !== "ok") return callFault(`tenant ${TENANT} reads ${uri}`, r, [dev]);
    }
    const asked = dev.sc.pdpCalls().filter((c) => c.request?.tenant === TENANT).length;
    if (asked === 0 || kvReads(dev.sc).length < 2) {
      return verdict.error(
        `cannot judge: 2 reads for tenant ${TENANT} made ${asked} PDP call(s) and ${
          kvReads(dev.sc).length
        } KV read(s)`,
        evidence([dev]),
      );
    }
    if (asked !== 1) {
      return verdict.fail(
        `two spellings of one URI (${pinned}, ${spelled}) must share one grant key; the PDP was asked ${asked} times`,
        evidence([dev]),
      );
    }
    mark.n = kvReads(dev.sc).length;
    const r = await get(prod, pinned);
    const v = readsAfter([dev], mark, "tenant prod's call on tenant dev's cached grant") ??
      refusal(r, ["denied"], "tenant prod's call (its PDP answer: deny)", [dev, prod]);
    if (v) return v;
    return verdict.pass(evidence([dev, prod], {
      notes: [
        `tenant dev: 2 spellings, 1 PDP call; tenant prod on the same driver: ${described(r)}, no read`,
      ],
    }));
  });
}

const NEG_TTL_MS = 3_000;
const NEG_JITTER_MS = 300;

/**
 * A deny is cached (a second call right away does not ask the PDP), then asked again after the TTL
 * plus the jitter; no denied call reads the secret.
 *
 * @param ctx the check's context
 * @returns the verdict
 */
export function negativeCacheRun(ctx: SecretsCheckContext): Promise<Verdict> {
  const mark: Mark = { n: 0 };
  return judged(ctx, (seen) => readsAfter(seen, mark, "a denied call"), async () => {
    const s = await setup(ctx, kvCase({ uri: U, pdp: [{ decision: "deny", reason: "scripted deny" }] }), {
      pep: true,
      secrets: { negative_ttl_ms: NEG_TTL_MS, negative_jitter_ms: NEG_JITTER_MS },
    });
    if (!s.ok) return s.verdict;
    const inst = s.inst;
    const asked = () => inst.sc.pdpCalls().length;
    const t0 = performance.now();
    const first = await get(inst, U);
    const answered = performance.now();
    const v1 = readsAfter([inst], mark, "a denied call") ??
      refusal(first, ["denied"], "a call the PDP denies", [inst]);
    if (v1) return v1;
    if (asked() !== 1) {
      return verdict.error(
        `cannot judge: the first denied call made ${asked()} PDP calls, not 1`,
        evidence([inst]),
      );
    }
    const second = await get(inst, U);
    const at = performance.now() - t0;
    const v2 = readsAfter([inst], mark, "a denied call") ??
      refusal(second, ["denied"], "a call within the negative cache's TTL", [inst]);
    if (v2) return v2;
    if (at > NEG_TTL_MS - 200) {
      return verdict.error(
        `cannot judge: the second call was answered ${
          Math.round(at)
        } ms after the first, too close to the ${NEG_TTL_MS} ms TTL`,
        evidence([inst]),
      );
    }
    if (asked() !== 1) {
      return verdict.fail(
        `a deny must be cached for negative_ttl_ms (${NEG_TTL_MS} ms); a call ${
          Math.round(at)
        } ms later asked the PDP again`,
        evidence([inst]),
      );
    }
    await sleep(
      Math.max(0, answered + NEG_TTL_MS + NEG_JITTER_MS + MARGIN_MS - performance.now()),
      ctx.signal,
    );
    const third = await get(inst, U);
    const late = performance.now() - answered;
    const v3 = readsAfter([inst], mark, "a denied call") ??
      refusal(third, ["denied"], "a call the PDP denies", [inst]);
    if (v3) return v3;
    if (asked() !== 2) {
      return verdict.fail(
        `a cached deny must end after negative_ttl_ms + negative_jitter_ms (${NEG_TTL_MS} + ${NEG_JITTER_MS} ms); a call ${
          Math.round(late)
        } ms after the deny did not ask the PDP again (${asked()} PDP call(s))`,
        evidence([inst]),
      );
    }
    return verdict.pass(evidence([inst], {
      notes: [
        `deny cached: a call at ${Math.round(at)} ms asked no one; after ${
          Math.round(late)
        } ms the PDP was asked again`,
      ],
      timings: { ttl_ms: NEG_TTL_MS, jitter_ms: NEG_JITTER_MS, second_call_ms: Math.round(at) },
    }));
  });
}

const GRANT_TTL_MS = 4_000;

/**
 * On a PDP outage: no grant → refused without a read; a valid grant → honoured; an expired grant →
 * refused without a read.
 *
 * @param ctx the check's context
 * @returns the verdict
 */
export function pdpOutageRun(ctx: SecretsCheckContext): Promise<Verdict> {
  const mark: Mark = { n: 0 };
  const what = () =>
    mark.n === 0
      ? "a call during an outage, with no grant"
      : "a call during an outage, after its grant expired";
  return judged(ctx, (seen) => readsAfter(seen, mark, what()), async () => {
    const s = await setup(ctx, kvCase({ uri: U, pdp: [{ decision: "outage" }] }), { pep: true });
    if (!s.ok) return s.verdict;
    const inst = s.inst;
    const none = await get(inst, U);
    const v1 = readsAfter([inst], mark, what()) ?? refusal(none, ["pdp_unavailable"], what(), [inst]);
    if (v1) return v1;
    mark.n = undefined;
    inst.sc.setPdp([{ decision: "allow", grant: { ttl_ms: GRANT_TTL_MS, max_uses: 100 } }]);
    const t0 = performance.now();
    const granted = await get(inst, U);
    const grantedAt = performance.now();
    if (granted.kind !== "ok") return callFault("the positive control (the PDP allows)", granted, [inst]);
    inst.sc.setPdp([{ decision: "outage" }]);
    const valid = await get(inst, U);
    const at = performance.now() - t0;
    if (valid.kind !== "ok") {
      if (at > GRANT_TTL_MS - 300) {
        return verdict.error(
          `cannot judge: the call on a valid grant was answered ${
            Math.round(at)
          } ms after the grant, too close to its ${GRANT_TTL_MS} ms TTL`,
          evidence([inst]),
        );
      }
      if (broken(valid)) return callFault("get_secret on a valid grant", valid, [inst]);
      return verdict.fail(
        `during an outage an existing, unexpired grant must be honoured; ${
          Math.round(at)
        } ms into a ${GRANT_TTL_MS} ms grant the SDK gave ${described(valid)}`,
        evidence([inst]),
      );
    }
    await sleep(Math.max(0, grantedAt + GRANT_TTL_MS + MARGIN_MS - performance.now()), ctx.signal);
    mark.n = kvReads(inst.sc).length;
    const expired = await get(inst, U);
    const v3 = readsAfter([inst], mark, what()) ?? refusal(expired, ["pdp_unavailable"], what(), [inst]);
    if (v3) return v3;
    return verdict.pass(evidence([inst], {
      notes: [
        `no grant: ${described(none)}; valid grant at ${Math.round(at)} ms: a value; expired grant: ${
          described(expired)
        }`,
      ],
    }));
  });
}
