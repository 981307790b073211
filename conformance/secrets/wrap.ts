/**
 * `secrets.wrap.*`: response wrapping (seed 003 "Behavior (PEP flow)" step 7, "optional response
 * wrapping (obligation); unwrap in client only"): the wrapped answer's `creation_path` checked
 * exactly, a 404 at unwrap typed like a read's, and each wrapping token unwrapped once.
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import { type Check, type Verdict, verdict } from "../../src/engine/types.ts";
import { kvReads } from "../../src/mock/bao/scenario.ts";
import type { BaoScenario } from "../../src/mock/bao/types.ts";
import type { SecretsCheckContext } from "./_context.ts";
import {
  broken,
  callFault,
  described,
  evidence,
  get,
  type Instance,
  kvCase,
  replyOf,
  secretCode,
  setup,
} from "./_helpers.ts";
import { judged, type Watched } from "./_judge.ts";
import { VALID as U } from "./_refuse.ts";

const SOURCE = "003 § Behavior (PEP flow) step 7 (optional response wrapping; unwrap in client only)";
/** Wrapping asked for by configuration (`wrap_ttl_s`), so a KV-only client is judged too. */
const WRAP = { secrets: { wrap_ttl_s: 60 } };

/** The unwraps the scenario saw. */
function unwraps(sc: BaoScenario): number {
  return kvReads(sc, "unwrap").length;
}

/** `cannot judge` unless every KV read asked for wrapping (`X-Vault-Wrap-TTL`). */
function unwrapped(inst: Instance): Verdict | undefined {
  const reads = kvReads(inst.sc);
  const plain = reads.filter((q) => !q.headers.some(([k]) => k === "x-vault-wrap-ttl"));
  if (reads.length > 0 && plain.length === 0) return undefined;
  return verdict.error(
    `cannot judge: wrap_ttl_s was configured, but ${plain.length} of ${reads.length} read(s) did not ask for wrapping (X-Vault-Wrap-TTL)`,
    evidence([inst]),
  );
}

const creationPath = defineCheck<SecretsCheckContext>({
  id: "secrets.wrap.creation-path",
  title: "A wrapped answer whose creation_path is not exactly the path read is refused, never unwrapped",
  level: "MUST",
  source: `${SOURCE}; OpenBao response-wrapping docs (validate creation_path exactly)`,
  rationale:
    "A wrapping token proves nothing unless its `creation_path` is the path that was read: whoever can answer the read (a proxy, an attacker between client and vault) can hand over a token wrapping another secret. A prefix check (`secret/data/…`) accepts any secret of the mount.",
  requires: ["secrets_kv"],
  mutants: ["wrap-path-prefix"],
  run: (ctx) => {
    let control: number | undefined;
    const early = (seen: readonly Watched[]): Verdict | undefined => {
      const s = seen[0];
      if (s === undefined) return undefined;
      const before = control === undefined ? s.sc.requests() : s.sc.requests().slice(0, control);
      const n = before.filter((q) => q.route === "unwrap").length;
      return n === 0 ? undefined : verdict.fail(
        `a wrapped answer with another creation_path must be refused; the SDK unwrapped it (${n} unwrap(s))`,
        evidence(seen as Instance[]),
      );
    };
    return judged(ctx, early, async () => {
      const wrong = ["secret/data/other/path", "secret/data/myapp/api2"];
      const script = kvCase({
        uri: U,
        reads: wrong.map((p) => ({ kind: "serve" as const, creation_path: p })),
      });
      const s = await setup(ctx, script, WRAP);
      if (!s.ok) return s.verdict;
      const inst = s.inst;
      const notes: string[] = [];
      for (const p of wrong) {
        const r = await get(inst, U);
        if (broken(r)) return callFault("get_secret", r, [inst]);
        const v = early([inst]) ?? unwrapped(inst);
        if (v) return v;
        if (r.kind === "ok") {
          return verdict.fail(
            `a wrapped answer with creation_path ${p} (read: secret/data/myapp/api) must be refused; the SDK returned ${
              described(r)
            }`,
            evidence([inst]),
          );
        }
        notes.push(`creation_path ${p}: ${described(r)}, no unwrap`);
      }
      control = inst.sc.requests().length;
      const ok = await get(inst, U);
      if (ok.kind !== "ok") {
        return callFault("the positive control (a wrapped read with the right creation_path)", ok, [inst]);
      }
      if (unwraps(inst.sc) !== 1) {
        return verdict.error(
          `cannot judge: the positive control was unwrapped ${unwraps(inst.sc)} time(s), not once`,
          evidence([inst]),
        );
      }
      return verdict.pass(
        evidence([inst], { notes: [...notes, "control: the right creation_path, unwrapped once"] }),
      );
    });
  },
});

const deletedAtUnwrap = defineCheck<SecretsCheckContext>({
  id: "secrets.wrap.deleted-at-unwrap",
  title:
    "A wrapped read of a deleted or destroyed version is typed at unwrap (version_deleted, version_destroyed)",
  level: "MUST",
  source: `${SOURCE}; § Errors (typed) (SecretVersionDeleted, SecretVersionDestroyed)`,
  rationale:
    "With wrapping, OpenBao answers 200 with a wrapping token even for a deleted version; the 404 comes only at unwrap. A client that types only the read's status calls that version missing, and loses the typed error the caller relies on.",
  requires: ["secrets_kv"],
  mutants: ["unwrap-404-as-missing"],
  run: (ctx) =>
    judged(ctx, () => undefined, async () => {
      const s = await setup(ctx, kvCase({ uri: U, versions: ["deleted", "destroyed", "live"] }), WRAP);
      if (!s.ok) return s.verdict;
      const inst = s.inst;
      const notes: string[] = [];
      for (const [v, want] of [[1, "version_deleted"], [2, "version_destroyed"]] as const) {
        const before = unwraps(inst.sc);
        const r = await get(inst, `${U}?version=${v}`);
        if (broken(r)) return callFault("get_secret", r, [inst]);
        const u = unwrapped(inst);
        if (u) return u;
        if (unwraps(inst.sc) === before) {
          return verdict.error(
            `cannot judge: the wrapped read of version ${v} was never unwrapped (${described(r)})`,
            evidence([inst]),
          );
        }
        if (secretCode(r) !== want) {
          return verdict.fail(
            `a 404 at unwrap for a ${
              want === "version_deleted" ? "soft-deleted" : "destroyed"
            } version must be ${want}; got ${described(r)}`,
            evidence([inst], { reply: replyOf(r) }),
          );
        }
        notes.push(`version ${v}: wrapped, unwrapped (404), ${described(r)}`);
      }
      return verdict.pass(evidence([inst], { notes }));
    }),
});

/** A wrapping token presented twice at unwrap (the mock records its hash). */
function reused(seen: readonly Watched[]): Verdict | undefined {
  for (const s of seen) {
    const counts = new Map<string, number>();
    for (const q of kvReads(s.sc, "unwrap")) {
      const k = q.vaultToken ?? "(none)";
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    const twice = [...counts.values()].filter((n) => n > 1).length;
    if (twice > 0) {
      return verdict.fail(
        `a wrapping token must be unwrapped once; ${twice} token(s) were presented at unwrap more than once`,
        evidence(seen as Instance[]),
      );
    }
  }
  return undefined;
}

const singleUnwrap = defineCheck<SecretsCheckContext>({
  id: "secrets.wrap.single-unwrap",
  title: "Each wrapping token is unwrapped once, also when the unwrap fails",
  level: "MUST",
  source: `${SOURCE}; OpenBao response wrapping (a wrapping token is single use)`,
  rationale:
    "A wrapping token is single use by design: an unwrap that fails because someone else already unwrapped it is the alarm. Retrying cannot succeed (OpenBao answers 400) and buries the alarm under a generic error.",
  requires: ["secrets_kv"],
  mutants: ["unwrap-retry"],
  run: (ctx) =>
    judged(ctx, reused, async () => {
      const s = await setup(ctx, kvCase({ uri: U, versions: ["live", "deleted"] }), WRAP);
      if (!s.ok) return s.verdict;
      const inst = s.inst;
      const ok = await get(inst, `${U}?version=1`);
      if (ok.kind !== "ok") return callFault("a wrapped read of a live version", ok, [inst]);
      const gone = await get(inst, `${U}?version=2`);
      if (broken(gone)) return callFault("get_secret", gone, [inst]);
      const v = reused([inst]) ?? unwrapped(inst);
      if (v) return v;
      if (unwraps(inst.sc) < 2) {
        return verdict.error(
          `cannot judge: 2 wrapped reads, ${unwraps(inst.sc)} unwrap(s) seen (${described(gone)})`,
          evidence([inst]),
        );
      }
      return verdict.pass(evidence([inst], {
        notes: [
          `2 wrapped reads, ${unwraps(inst.sc)} unwraps, each token once; the failed one gave ${
            described(gone)
          }`,
        ],
      }));
    }),
});

/** The `secrets.wrap.*` checks, in file order. */
export const checks: readonly Check<SecretsCheckContext>[] = [creationPath, deletedAtUnwrap, singleUnwrap];
