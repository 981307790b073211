/**
 * `secrets.kv.*`: KVv2 reads (seed 003 "Behavior (PEP flow)" step 6, "Testing strategy" providers):
 * the pinned version sent exactly and checked on the answer, `version <= 0` refused before sending,
 * soft-deleted, destroyed and missing typed apart, a 403 never retried.
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import { type Check, type Verdict, verdict } from "../../src/engine/types.ts";
import { caseValue, kvReads, sentVersions } from "../../src/mock/bao/scenario.ts";
import type { BaoScript } from "../../src/mock/bao/types.ts";
import { secretDigest } from "../../src/secrets/digest.ts";
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
  sleep,
} from "./_helpers.ts";
import { judged, type Watched } from "./_judge.ts";
import { refusedBeforeSend, VALID } from "./_refuse.ts";

const U = VALID;
const SOURCE_KV = "003 § Behavior (PEP flow) step 6; § Testing strategy (Providers)";

/** The digest `get_secret` must answer for version `v` of a {@linkcode kvCase} secret read through `U`. */
function digestOf(v: number): Promise<string> {
  return secretDigest(caseValue(U, v).token);
}

/** Reads that went out without exactly `version=<want>`, on every instance seen. */
function wrongVersions(seen: readonly Watched[], want: string): Verdict | undefined {
  for (const s of seen) {
    const bad = sentVersions(s.sc).filter((v) => v !== want);
    if (bad.length > 0) {
      return verdict.fail(
        `a read pinned to version ${want} must send version=${want}; reads sent ${
          bad.map((v) => v === null ? "no version" : `version=${v}`).join(", ")
        }`,
        evidence(seen as Instance[]),
      );
    }
  }
  return undefined;
}

/**
 * Read `uri` once and require one of the typed errors `accept` (seed 003 "Errors (typed)"), after
 * the mock saw the read; a value, or any other outcome of the SDK, is a `fail`.
 */
function typedRead(
  ctx: SecretsCheckContext,
  script: BaoScript,
  uris: readonly string[],
  accept: string,
  what: string,
): Promise<Verdict> {
  return judged(ctx, () => undefined, async () => {
    const s = await setup(ctx, script);
    if (!s.ok) return s.verdict;
    const inst = s.inst;
    const notes: string[] = [];
    for (const uri of uris) {
      const before = kvReads(inst.sc).length;
      const r = await get(inst, uri);
      if (broken(r)) return callFault(`get_secret ${uri}`, r, [inst]);
      if (kvReads(inst.sc).length === before) {
        return verdict.error(
          `cannot judge: the SDK answered ${described(r)} for ${uri} without reading it from the vault`,
          evidence([inst]),
        );
      }
      if (secretCode(r) !== accept) {
        return verdict.fail(
          `${what} must be the typed error ${accept} (not a value, not another error); ${uri} gave ${
            described(r)
          }`,
          evidence([inst], { reply: replyOf(r) }),
        );
      }
      notes.push(`${uri}: ${described(r)}`);
    }
    return verdict.pass(evidence([inst], { notes }));
  });
}

const pinnedVersion = defineCheck<SecretsCheckContext>({
  id: "secrets.kv.pinned-version",
  title: "A pinned version is sent exactly (version=N) and that version's value is returned",
  level: "MUST",
  source: `${SOURCE_KV}: KVv2 pinned version ok`,
  rationale:
    "A pinned URI is a promise that the caller gets exactly that version, e.g. during a rotation. A client that drops `?version=N` silently reads the latest version instead.",
  requires: ["secrets_kv"],
  mutants: ["drop-pinned-version"],
  run: (ctx) =>
    judged(ctx, (seen) => wrongVersions(seen, "2"), async () => {
      const s = await setup(ctx, kvCase({ uri: U, versions: ["live", "live", "live"] }));
      if (!s.ok) return s.verdict;
      const inst = s.inst;
      const r = await get(inst, `${U}?version=2`);
      if (broken(r)) return callFault("get_secret", r, [inst]);
      if (kvReads(inst.sc).length === 0) {
        return verdict.error(
          `cannot judge: the SDK answered ${described(r)} without a read`,
          evidence([inst]),
        );
      }
      const wrong = wrongVersions([inst], "2");
      if (wrong) return wrong;
      if (r.kind !== "ok" || r.result.version !== 2 || r.result.digest !== await digestOf(2)) {
        return verdict.fail(
          `a read pinned to version 2 of 3 live versions must return version 2's value; got ${described(r)}${
            r.kind === "ok" && r.result.version === 2 ? " with another value's digest" : ""
          }`,
          evidence([inst], { reply: replyOf(r) }),
        );
      }
      return verdict.pass(evidence([inst], { notes: ["version=2 sent; version 2's value returned"] }));
    }),
});

const versionMismatch = defineCheck<SecretsCheckContext>({
  id: "secrets.kv.version-mismatch",
  title: "An answer for another version than the pinned one is refused",
  level: "MUST",
  source: `${SOURCE_KV}: KVv2 pinned version`,
  rationale:
    "The pin is only a promise if the client checks `data.metadata.version` on the answer: a proxy, a cache or a misrouted read can answer with another version, and the caller would use a value it did not ask for.",
  requires: ["secrets_kv"],
  mutants: ["accept-other-version"],
  run: (ctx) =>
    judged(ctx, () => undefined, async () => {
      const pinned = `${U}?version=2`;
      // the first read is answered with version 1 (the one before the pinned one)
      const s = await setup(
        ctx,
        kvCase({ uri: pinned, versions: ["live", "live", "live"], reads: "other-version" }),
      );
      if (!s.ok) return s.verdict;
      const inst = s.inst;
      const want = await digestOf(2);
      const r = await get(inst, pinned);
      if (broken(r)) return callFault("get_secret", r, [inst]);
      if (kvReads(inst.sc).length === 0) {
        return verdict.error(
          `cannot judge: the SDK answered ${described(r)} without a read`,
          evidence([inst]),
        );
      }
      if (r.kind === "ok" && (r.result.version !== 2 || r.result.digest !== want)) {
        return verdict.fail(
          `a read pinned to version 2 answered with version 1 must be refused; the SDK returned ${
            described(r)
          }${r.result.version === 2 ? " with version 1's value" : ""}`,
          evidence([inst], { reply: r.result }),
        );
      }
      const note = r.kind === "ok"
        ? `the SDK read again and returned version 2 (${kvReads(inst.sc).length} reads)`
        : `refused: ${described(r)}`;
      // the positive control: the same instance reads the pinned version once the vault answers right
      const control = await get(inst, pinned);
      if (control.kind !== "ok" || control.result.version !== 2 || control.result.digest !== want) {
        return callFault("the positive control (the same pinned read, answered right)", control, [inst]);
      }
      return verdict.pass(
        evidence([inst], { notes: [`answer for version 1: ${note}`, "control: version 2 read"] }),
      );
    }),
});

const nonpositiveVersion = defineCheck<SecretsCheckContext>({
  id: "secrets.kv.nonpositive-version",
  title: "version=0 and version=-1 are refused before sending, with 0 requests",
  level: "MUST",
  source: "003 § Roadmap M1 item 3 (canonicalization rules); § Behavior (PEP flow) step 6",
  rationale:
    "OpenBao answers `version=0` and `version=-1` with the latest version, silently: a pin that is not a positive integer turns into an unpinned read. Only the client can refuse it.",
  requires: ["secrets_kv"],
  mutants: ["send-nonpositive-version"],
  run: (ctx) =>
    refusedBeforeSend(ctx, kvCase({ uri: U, versions: ["live", "live"] }), [
      [`${U}?version=0`, "version 0"],
      [`${U}?version=-1`, "version -1"],
    ]),
});

const deleted = defineCheck<SecretsCheckContext>({
  id: "secrets.kv.deleted",
  title: "A soft-deleted version is the typed error version_deleted (not a value, not not_found)",
  level: "MUST",
  source: `${SOURCE_KV}: soft-deleted → SecretVersionDeleted; § Errors (typed)`,
  rationale:
    "OpenBao answers a soft-deleted version with 404 and the full envelope, `data.data` null. A client that returns null as the value, or calls it missing, hides that the version exists and can be undeleted.",
  requires: ["secrets_kv"],
  mutants: ["deleted-as-missing", "deleted-as-value"],
  run: (ctx) =>
    typedRead(
      ctx,
      kvCase({ uri: U, versions: ["deleted", "live"] }),
      [`${U}?version=1`],
      "version_deleted",
      "a soft-deleted version",
    ),
});

const destroyed = defineCheck<SecretsCheckContext>({
  id: "secrets.kv.destroyed",
  title: "A destroyed version is the typed error version_destroyed",
  level: "MUST",
  source: `${SOURCE_KV}: destroyed → SecretVersionDestroyed; § Errors (typed)`,
  rationale:
    "A destroyed version is gone for good, unlike a soft-deleted one: the caller (and the operator reading the error) must be able to tell the two apart to decide between undeleting and rotating.",
  requires: ["secrets_kv"],
  mutants: ["destroyed-as-deleted"],
  run: (ctx) =>
    typedRead(
      ctx,
      kvCase({ uri: U, versions: ["destroyed", "live"] }),
      [`${U}?version=1`],
      "version_destroyed",
      "a destroyed version",
    ),
});

const missing = defineCheck<SecretsCheckContext>({
  id: "secrets.kv.missing",
  title: "A missing path or version is not_found, typed apart from a deleted version",
  level: "SHOULD",
  source: "003 § Errors (typed) (ProviderError); § Design goals (strong typing)",
  rationale:
    'OpenBao answers a missing path or version with 404 `{"errors": []}`, without the envelope. Calling that "deleted" sends an operator looking for a version to undelete that never existed.',
  requires: ["secrets_kv"],
  mutants: ["missing-as-deleted"],
  run: (ctx) =>
    typedRead(
      ctx,
      kvCase({ uri: U, versions: ["live"] }),
      ["openbao+kv2://secret/myapp/none#token", `${U}?version=9`],
      "not_found",
      "a missing path or version",
    ),
});

const forbiddenNotRetried = defineCheck<SecretsCheckContext>({
  id: "secrets.kv.forbidden-not-retried",
  title: "A 403 permission denied is not retried",
  level: "SHOULD",
  source: "003 § Errors (typed) (ProviderError); 000 §2.3 (retry only what can succeed)",
  rationale:
    "A 403 is the policy's answer and stays the same on every attempt; retrying it multiplies denied requests in the vault's audit log (where they look like probing) and delays the caller's error.",
  requires: ["secrets_kv"],
  mutants: ["retry-forbidden"],
  run: (ctx) => {
    const retried = (seen: readonly Watched[]): Verdict | undefined => {
      const s = seen[0];
      const n = s === undefined ? 0 : kvReads(s.sc).length;
      return n > 1
        ? verdict.fail(
          `a 403 must not be retried; the secret was read ${n} times`,
          evidence(seen as Instance[]),
        )
        : undefined;
    };
    return judged(ctx, retried, async () => {
      const s = await setup(ctx, kvCase({ uri: U, reads: "denied" }), { extra: { max_retries: 2 } });
      if (!s.ok) return s.verdict;
      const inst = s.inst;
      const r = await get(inst, U);
      if (broken(r)) return callFault("get_secret", r, [inst]);
      await sleep(300, ctx.signal); // a retry sent after the answer counts too
      const bad = retried([inst]);
      if (bad) return bad;
      if (kvReads(inst.sc).length === 0) {
        return verdict.error(
          `cannot judge: the SDK answered ${described(r)} without a read`,
          evidence([inst]),
        );
      }
      if (r.kind === "ok") {
        return verdict.fail(`a 403 must be an error; the SDK returned ${described(r)}`, evidence([inst]));
      }
      return verdict.pass(
        evidence([inst], { notes: [`one read (403), then ${described(r)}; max_retries 2`] }),
      );
    });
  },
});

/** The `secrets.kv.*` checks, in file order. */
export const checks: readonly Check<SecretsCheckContext>[] = [
  pinnedVersion,
  versionMismatch,
  nonpositiveVersion,
  deleted,
  destroyed,
  missing,
  forbiddenNotRetried,
];
