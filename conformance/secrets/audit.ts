/**
 * `secrets.audit.*`: audit records (seed 003 "Behavior (PEP flow)" step 8, "Testing strategy" audit):
 * a salted, stable `resource_ref`, and no value, token or URI in any record.
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import { type Check, verdict } from "../../src/engine/types.ts";
import { findCanaries } from "../../src/driver/canary.ts";
import type { AuditRecord } from "../../src/schema/protocol.ts";
import { parseSecretUri } from "../../src/schema/secret_uri.ts";
import type { BaoScript } from "../../src/mock/bao/types.ts";
import type { SecretsCheckContext } from "./_context.ts";
import { CALL_MS, callFault, evidence, get, type Instance, setup } from "./_helpers.ts";
import { judged } from "./_judge.ts";

const SOURCE =
  "003 § Behavior (PEP flow) step 8 (non-leaky audit with resource_ref); § Testing strategy (Audit)";

/** The audit records of an instance, or the call's failure. */
async function records(
  inst: Instance,
): Promise<{ ok: true; list: AuditRecord[] } | { ok: false; why: string }> {
  const r = await inst.session.call("audit_records", { client: inst.client }, CALL_MS);
  if (r.kind === "ok") return { ok: true, list: r.result.records };
  const v = callFault("audit_records", r, [inst]);
  return { ok: false, why: v.outcome === "error" ? v.reason : "audit_records failed" };
}

function twoSecrets(): BaoScript {
  return {
    secrets: ["myapp/api", "myapp/other"].map((path) => ({
      path,
      versions: [{ data: { token: `${path}@v1` } }],
    })),
  };
}

const resourceRef = defineCheck<SecretsCheckContext>({
  id: "secrets.audit.resource-ref",
  title: "resource_ref is salted (two salts, two values) and stable (every spelling of a URI, one value)",
  level: "MUST",
  source: `${SOURCE}; SECRET_TENANT_SALT (HMAC key for resource_ref)`,
  rationale:
    "resource_ref lets auditors correlate reads of one secret without naming it. Unsalted, it is a hash anyone can recompute from a guessed path; unstable across spellings, one secret shows up under several references and correlation breaks.",
  requires: ["secrets_audit"],
  mutants: ["unsalted-audit", "unstable-resource-ref"],
  run: (ctx) =>
    judged(ctx, () => undefined, async () => {
      const a = await setup(ctx, twoSecrets(), { secrets: { salt: "salt-one" } });
      if (!a.ok) return a.verdict;
      const one = a.inst;
      const b = await setup(ctx, {}, {
        session: one.session,
        scenario: one.sc,
        secrets: { salt: "salt-two" },
      });
      if (!b.ok) return b.verdict;
      const two = b.inst;
      const uri = "openbao+kv2://secret/myapp/api#token";
      const reads: [Instance, string, string][] = [[one, uri, "A"]];
      if (ctx.capabilities.has("secrets_uri")) {
        reads.push([one, "OPENBAO://secret/myapp/%61pi#token", "A respelled"]);
      }
      reads.push([one, "openbao+kv2://secret/myapp/other#token", "another secret"], [
        two,
        uri,
        "A, salt two",
      ]);
      const refs = new Map<string, string>();
      for (const [inst, u, name] of reads) {
        const before = await records(inst);
        if (!before.ok) {
          return verdict.error(`cannot judge: ${before.why}`, evidence([one]));
        }
        const r = await get(inst, u);
        if (r.kind !== "ok") return callFault(`get_secret ${u}`, r, [one]);
        const after = await records(inst);
        if (!after.ok) return verdict.error(`cannot judge: ${after.why}`, evidence([one]));
        const added = after.list.slice(before.list.length);
        const ref = added.at(-1)?.resource_ref;
        if (ref === undefined) {
          return verdict.error(`cannot judge: reading ${u} added no audit record`, evidence([one]));
        }
        refs.set(name, ref);
      }
      const [ra, rr, ro, r2] = ["A", "A respelled", "another secret", "A, salt two"].map((k) => refs.get(k));
      const notes = [...refs].map(([k, v]) => `${k}: resource_ref ${v}`);
      const ev = evidence([one, two], { notes });
      if (rr !== undefined && rr !== ra) {
        return verdict.fail(`resource_ref must be stable: two spellings of one URI gave ${ra} and ${rr}`, ev);
      }
      if (ro === ra) return verdict.fail(`two different secrets got the same resource_ref ${ra}`, ev);
      if (r2 === ra) {
        return verdict.fail(
          `resource_ref must be salted: two salts gave the same value ${ra} for one URI`,
          ev,
        );
      }
      return verdict.pass(ev);
    }),
});

const noLeak = defineCheck<SecretsCheckContext>({
  id: "secrets.audit.no-leak",
  title: "Audit records hold no secret value, token, URI or secret path",
  level: "MUST",
  source: `${SOURCE}; § Design goals (no plaintext secret leakage)`,
  rationale:
    "Audit records are shipped to other systems (Kafka, SIEMs) and kept for years, read by people who may not read the secrets. A value or token in them is a leak; the URI or path names what was read, which resource_ref exists to hide.",
  requires: ["secrets_audit"],
  mutants: ["audit-raw-uri", "audit-value"],
  run: (ctx) =>
    judged(ctx, () => undefined, async () => {
      const path = `myapp/audit-${crypto.randomUUID().slice(0, 8)}`;
      const value = `value-${crypto.randomUUID()}`;
      const script: BaoScript = {
        secrets: [{ path, versions: [{ data: { token: value } }] }],
        denied: [`secret/data/${path}-denied`],
      };
      const s = await setup(ctx, script);
      if (!s.ok) return s.verdict;
      const inst = s.inst;
      const pointer = `openbao://secret/${path}#token`;
      const parsed = parseSecretUri(pointer, "dev", ["secret"]);
      const canonical = parsed.ok ? parsed.canonical : pointer;
      const r = await get(inst, pointer);
      if (r.kind !== "ok") return callFault(`get_secret ${pointer}`, r, [inst]);
      await get(inst, `openbao://secret/${path}-denied#token`);
      const got = await records(inst);
      if (!got.ok) return verdict.error(`cannot judge: ${got.why}`, evidence([inst]));
      if (got.list.length === 0) {
        return verdict.error("cannot judge: a read left no audit record", evidence([inst]));
      }
      const text = JSON.stringify(got.list);
      const found: string[] = [];
      const secrets: [string, string][] = [["the value", value], ["the URI", pointer], [
        "the canonical URI",
        canonical,
      ]];
      for (const [what, s] of secrets) {
        if (text.includes(s)) found.push(what);
      }
      if (text.includes(`secret/${path}`) || text.includes(path)) found.push("the secret's path");
      if (findCanaries(text, [inst.token]).length > 0) found.push("the vault token");
      const ev = evidence([inst], { notes: [`${got.list.length} record(s): ${text.slice(0, 600)}`] });
      if (found.length > 0) {
        return verdict.fail(`an audit record holds ${[...new Set(found)].join(", ")}`, ev);
      }
      return verdict.pass(ev);
    }),
});

/** The `secrets.audit.*` checks, in file order. */
export const checks: readonly Check<SecretsCheckContext>[] = [resourceRef, noLeak];
