/**
 * `secrets.pep.*`: the policy enforcement point (seed 003 "Behavior (PEP flow)" steps 2–5, "Testing
 * strategy": grant cache and PEP integration): audience, JTI anti-replay, sender-binding drift,
 * atomic single use, the grant key, the negative cache and a PDP outage. Timing rules run with short
 * configured TTLs and wide margins; a call the machine made too late to judge is `error`.
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import { type Check, type Verdict, verdict } from "../../src/engine/types.ts";
import { kvReads } from "../../src/mock/bao/scenario.ts";
import type { SecretsCheckContext } from "./_context.ts";
import {
  broken,
  callFault,
  described,
  evidence,
  get,
  type Instance,
  kvCase,
  PLAIN_CTX,
  setup,
  sleep,
} from "./_helpers.ts";
import { judged } from "./_judge.ts";
import { VALID as U } from "./_refuse.ts";
import { grantKeyRun, negativeCacheRun, pdpOutageRun } from "./_pep_timed.ts";
import { type Mark, readsAfter, refusal } from "./_pep_util.ts";

const SOURCE = "003 § Behavior (PEP flow)";
const GRANTS = ["secrets_grants"];

const audience = defineCheck<SecretsCheckContext>({
  id: "secrets.pep.audience",
  title: "A call whose aud lacks the SDK's audience is denied, with no KV read",
  level: "MUST",
  source:
    `${SOURCE} step 4 (enforce audience, SECRETS_AUDIENCE); § Testing strategy (PEP integration: audience check)`,
  rationale:
    "The audience says which service a caller's token was minted for. A secrets SDK that skips the check lets a token meant for any other service read this service's secrets, through a grant that is already cached.",
  requires: GRANTS,
  mutants: ["no-audience-check"],
  run: (ctx) => {
    const mark: Mark = {};
    return judged(ctx, (seen) => readsAfter(seen, mark, "a call without the SDK's audience"), async () => {
      const s = await setup(ctx, kvCase({ uri: U }), { pep: true });
      if (!s.ok) return s.verdict;
      const inst = s.inst;
      const control = await get(inst, U);
      if (control.kind !== "ok") {
        return callFault("the positive control (the right audience)", control, [inst]);
      }
      mark.n = kvReads(inst.sc).length;
      const notes = [`aud [${PLAIN_CTX.aud?.join(", ")}]: ${described(control)}`];
      for (const aud of [["other.service"], null]) {
        const r = await get(inst, U, { ...PLAIN_CTX, aud });
        const v = readsAfter([inst], mark, `aud ${JSON.stringify(aud)}`) ??
          refusal(r, ["audience_mismatch", "denied"], `a call with aud ${JSON.stringify(aud)}`, [inst]);
        if (v) return v;
        notes.push(`aud ${JSON.stringify(aud)}: ${described(r)}, no read`);
      }
      return verdict.pass(evidence([inst], { notes }));
    });
  },
});

const JTI_WINDOW_MS = 3_000;
const MARGIN_MS = 600;

const jtiReplay = defineCheck<SecretsCheckContext>({
  id: "secrets.pep.jti-replay",
  title: "A JTI seen within the anti-replay window is denied, and accepted again after it",
  level: "MUST",
  source: `${SOURCE} step 4 (JTI anti-replay, ANTI_REPLAY_TTL_S); § Testing strategy (JTI replay window)`,
  rationale:
    "A captured caller token replayed within the window must not read a secret a second time. The window must also end: a JTI refused forever grows the cache without bound and turns a retry after the window into a denial.",
  requires: GRANTS,
  mutants: ["no-jti-replay", "jti-replay-forever"],
  run: (ctx) => {
    const mark: Mark = {};
    return judged(ctx, (seen) => readsAfter(seen, mark, "a replayed JTI"), async () => {
      const s = await setup(ctx, kvCase({ uri: U }), {
        pep: true,
        secrets: { anti_replay_ttl_ms: JTI_WINDOW_MS },
      });
      if (!s.ok) return s.verdict;
      const inst = s.inst;
      const call = { ...PLAIN_CTX, jti: `jti-${crypto.randomUUID()}` };
      const t0 = performance.now();
      const first = await get(inst, U, call);
      if (first.kind !== "ok") return callFault("the first call with a fresh JTI", first, [inst]);
      mark.n = kvReads(inst.sc).length;
      const again = await get(inst, U, call);
      const replayedAt = performance.now() - t0;
      const v = readsAfter([inst], mark, "a replayed JTI");
      if (v) return v;
      if (replayedAt > JTI_WINDOW_MS - 200) {
        return verdict.error(
          `cannot judge: the replay was answered ${
            Math.round(replayedAt)
          } ms after the first call, too close to the ${JTI_WINDOW_MS} ms window`,
          evidence([inst]),
        );
      }
      const r = refusal(again, ["replay", "denied"], "a JTI replayed within its window", [inst]);
      if (r) return r;
      await sleep(JTI_WINDOW_MS + MARGIN_MS, ctx.signal);
      mark.n = undefined;
      const after = await get(inst, U, call);
      if (broken(after)) return callFault("get_secret after the window", after, [inst]);
      if (after.kind !== "ok") {
        return verdict.fail(
          `a JTI must be accepted again after its ${JTI_WINDOW_MS} ms window; ${
            Math.round(performance.now() - t0)
          } ms after its first use it gave ${described(after)}`,
          evidence([inst]),
        );
      }
      return verdict.pass(evidence([inst], {
        notes: [
          `window ${JTI_WINDOW_MS} ms: replay at ${Math.round(replayedAt)} ms ${
            described(again)
          }; after the window: ${described(after)}`,
        ],
        timings: { replay_ms: Math.round(replayedAt), window_ms: JTI_WINDOW_MS },
      }));
    });
  },
});

const bindingDrift = defineCheck<SecretsCheckContext>({
  id: "secrets.pep.binding-drift",
  title: "A call whose sender binding differs from its grant's fails with binding_drift, with no KV read",
  level: "MUST",
  source: `${SOURCE} step 4 (sender binding drift → BindingDriftError); § Errors (typed)`,
  rationale:
    "A grant is bound to the key (DPoP `cnf.jkt`, or the mTLS certificate) of the caller it was issued to. A call presenting another key is a stolen or replayed context, and must not ride on the grant.",
  requires: GRANTS,
  mutants: ["no-binding-drift"],
  run: (ctx) => {
    const mark: Mark = {};
    return judged(ctx, (seen) => readsAfter(seen, mark, "a call with another binding"), async () => {
      const pdp = [{
        decision: "allow" as const,
        grant: { ttl_ms: 300_000, max_uses: 1_000, binding: "jkt-A" },
      }];
      const s = await setup(ctx, kvCase({ uri: U, pdp }), { pep: true });
      if (!s.ok) return s.verdict;
      const inst = s.inst;
      const control = await get(inst, U, { ...PLAIN_CTX, cnf_jkt: "jkt-A" });
      if (control.kind !== "ok") return callFault("the positive control (binding jkt-A)", control, [inst]);
      mark.n = kvReads(inst.sc).length;
      const r = await get(inst, U, { ...PLAIN_CTX, cnf_jkt: "jkt-B" });
      const v = readsAfter([inst], mark, "a call with another binding") ??
        refusal(r, ["binding_drift"], "a call bound to jkt-B on a grant bound to jkt-A", [inst]);
      if (v) return v;
      return verdict.pass(evidence([inst], { notes: [`jkt-A: a value; jkt-B: ${described(r)}, no read`] }));
    });
  },
});

const singleUse = defineCheck<SecretsCheckContext>({
  id: "secrets.pep.single-use",
  title: "16 concurrent calls on a single-use grant make exactly one KV read",
  level: "MUST",
  source:
    `${SOURCE} steps 3, 5 (increment grant uses atomically; per-key lock); § Testing strategy (atomic max_uses=1)`,
  rationale:
    "`max_uses: 1` is only a limit if uses are counted atomically and one grant key asks the PDP once: concurrent calls that each check the count, or each ask for a grant of their own, read the secret as many times as they race.",
  requires: GRANTS,
  mutants: ["no-single-use", "racy-single-use"],
  run: (ctx) => {
    const many = (seen: readonly { sc: Instance["sc"] }[]): Verdict | undefined => {
      const n = seen[0] === undefined ? 0 : kvReads(seen[0].sc).length;
      return n > 1
        ? verdict.fail(`a single-use grant must allow one read; 16 concurrent calls made ${n} KV reads`)
        : undefined;
    };
    return judged(ctx, many, async () => {
      const pdp = [{ decision: "allow" as const, grant: { ttl_ms: 300_000, max_uses: 1 }, delay_ms: 300 }];
      const s = await setup(ctx, kvCase({ uri: U, pdp }), { pep: true });
      if (!s.ok) return s.verdict;
      const inst = s.inst;
      const all = await Promise.all(Array.from({ length: 16 }, () => get(inst, U)));
      const bad = all.find(broken);
      const reads = kvReads(inst.sc).length;
      const values = all.filter((r) => r.kind === "ok").length;
      const v = many([inst]);
      if (v) return { ...v, evidence: evidence([inst]) };
      if (values > 1) {
        return verdict.fail(
          `a single-use grant must give one value; 16 concurrent calls gave ${values}`,
          evidence([inst]),
        );
      }
      if (bad) return callFault("get_secret", bad, [inst]);
      if (reads !== 1 || values !== 1) {
        return verdict.error(
          `cannot judge: 16 calls made ${reads} KV reads and ${values} values`,
          evidence([inst]),
        );
      }
      const others = [...new Set(all.filter((r) => r.kind !== "ok").map(described))];
      return verdict.pass(evidence([inst], {
        notes: [
          `1 read, 1 value; ${inst.sc.pdpCalls().length} PDP call(s); the other 15: ${others.join(", ")}`,
        ],
      }));
    });
  },
});

const grantKey = defineCheck<SecretsCheckContext>({
  id: "secrets.pep.grant-key",
  title:
    "Grants are keyed by tenant and canonical URI: spellings of one URI share one, another tenant never uses it",
  level: "MUST",
  source: `${SOURCE} step 2 (grant key: subject, tenant_id, canonical_uri, "execute")`,
  rationale:
    "A grant cached under the raw pointer is asked for again under every respelling of the URI, and a key without the tenant hands one tenant's grant to another tenant's call in the same process.",
  requires: GRANTS,
  mutants: ["grant-key-no-tenant", "raw-uri-grant-key"],
  run: grantKeyRun,
});

const negativeCache = defineCheck<SecretsCheckContext>({
  id: "secrets.pep.negative-cache",
  title: "A deny is cached for the negative TTL plus bounded jitter, then the PDP is asked again",
  level: "SHOULD",
  source:
    `${SOURCE} step 3 (check negative cache); § Testing strategy (negative cache TTL+jitter); NEGATIVE_CACHE_TTL_S`,
  rationale:
    "Without a negative cache every denied call reaches the PDP (a denied caller can load it at will); a deny that never expires keeps refusing after the policy changed. The jitter keeps many instances from asking again at the same instant, and must stay bounded.",
  requires: GRANTS,
  mutants: ["no-negative-cache", "negative-cache-forever"],
  timeLimitMs: 20_000,
  run: negativeCacheRun,
});

const pdpOutage = defineCheck<SecretsCheckContext>({
  id: "secrets.pep.pdp-outage",
  title: "On a PDP outage only an existing, unexpired grant is honoured",
  level: "MUST",
  source:
    `${SOURCE}; § Errors (typed) (PDPUnavailableError); § Testing strategy (PDP outage behavior: honor existing grant only)`,
  rationale:
    "An outage of the policy service must not open the vault: failing open reads with no decision at all, and an expired grant is no decision either. A still-valid grant was decided, so it may be used.",
  requires: GRANTS,
  mutants: ["outage-fail-open", "outage-honours-expired"],
  timeLimitMs: 20_000,
  run: pdpOutageRun,
});

/** The `secrets.pep.*` checks, in file order. */
export const checks: readonly Check<SecretsCheckContext>[] = [
  audience,
  jtiReplay,
  bindingDrift,
  singleUse,
  grantKey,
  negativeCache,
  pdpOutage,
];
