/**
 * `secrets.token.*`: the vault token travels only in `X-Vault-Token`, only to the vault's own origin
 * (docs/PROTOCOL.md "The PDP API": the token rule of this profile; seed 003 "Design goals": no
 * plaintext leakage; "Contributing": redact headers and payloads).
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import { type Check, type LeakFinding, type Verdict, verdict } from "../../src/engine/types.ts";
import { kvReads, tokenTrail } from "../../src/mock/bao/scenario.ts";
import type { SecretsCheckContext } from "./_context.ts";
import {
  broken,
  CALL_MS,
  callFault,
  described,
  evidence,
  get,
  type Instance,
  kvCase,
  setup,
} from "./_helpers.ts";
import { judged, type Watched } from "./_judge.ts";
import { VALID as U } from "./_refuse.ts";

/** Where the token went on the wire other than `X-Vault-Token` to the vault's own listener. */
function misplaced(seen: readonly Watched[]): Verdict | undefined {
  for (const s of seen) {
    const bad = tokenTrail(s.sc).filter((e) =>
      e.how !== "x-vault-token" || e.listener.startsWith("foreign") || e.route === "pdp"
    );
    if (bad.length > 0) {
      return verdict.fail(
        `the vault token may travel only in X-Vault-Token to the vault's origin; it was sent ${
          bad.slice(0, 4).map((e) => `in ${e.how} to ${e.listener} (${e.route})`).join(", ")
        }`,
        evidence(seen as Instance[]),
      );
    }
  }
  return undefined;
}

/** The token in the driver's replies, output or files (the driver host's scan). */
async function leaked(seen: readonly Watched[], end: boolean): Promise<Verdict | undefined> {
  const found: LeakFinding[] = [];
  for (const s of new Set(seen.map((w) => w.session))) {
    const tokens = [...new Set(seen.map((w) => w.token))];
    found.push(...(end && s.endAndScan ? await s.endAndScan(tokens) : await s.scan(tokens)));
  }
  if (found.length === 0) return undefined;
  return verdict.fail(
    `the vault token must never appear in an error, a log line, an audit record or a file; found ${
      found.slice(0, 3).map((f) => `${f.form} in ${f.where}`).join(", ")
    }`,
    evidence(seen as Instance[], { leaks: found.slice(0, 20) }),
  );
}

const headerOnly = defineCheck<SecretsCheckContext>({
  id: "secrets.token.header-only",
  title:
    "The vault token appears only in X-Vault-Token: never in a URL, a body, the PDP, an error, a log or a file",
  level: "MUST",
  source:
    "003 § Design goals (no plaintext secret leakage: logs/metrics/OTEL); § Contributing (redact headers and payloads)",
  rationale:
    "The vault token reads every secret its policy allows. A URL ends up in access logs and proxies, an error message in the application's logs, a debug line or a cache file on disk in backups: each copy outside the header is a copy someone else can read.",
  requires: ["secrets_kv"],
  mutants: ["token-in-query", "token-in-error", "log-token", "token-cache-file"],
  run: (ctx) =>
    judged(ctx, async (seen) => misplaced(seen) ?? await leaked(seen, false), async () => {
      const script = { ...kvCase({ uri: U }), denied: ["secret/data/myapp/denied"] };
      const s = await setup(ctx, script);
      if (!s.ok) return s.verdict;
      const inst = s.inst;
      const calls: [string, string][] = [
        [U, "a value"],
        ["openbao+kv2://secret/myapp/denied#token", "403"],
        ["openbao+kv2://secret/myapp/none#token", "404"],
      ];
      const notes: string[] = [];
      for (const [uri, what] of calls) {
        const r = await get(inst, uri);
        if (broken(r)) return callFault(`get_secret ${uri}`, r, [inst]);
        notes.push(`${uri} (${what}): ${described(r)}`);
      }
      if (ctx.capabilities.has("secrets_audit")) {
        const a = await inst.session.call("audit_records", { client: inst.client }, CALL_MS);
        if (a.kind !== "ok") return callFault("audit_records", a, [inst]);
        notes.push(`audit_records: ${a.result.records.length} record(s) scanned`);
      }
      const wire = misplaced([inst]);
      if (wire) return wire;
      if (!tokenTrail(inst.sc).some((e) => e.how === "x-vault-token") || kvReads(inst.sc).length < 3) {
        return verdict.error(
          `cannot judge: 3 reads asked, the mock saw ${
            kvReads(inst.sc).length
          } (the token in X-Vault-Token: ${tokenTrail(inst.sc).length} time(s))`,
          evidence([inst]),
        );
      }
      const leak = await leaked([inst], true);
      if (leak) return leak;
      return verdict.pass(evidence([inst], {
        notes: [
          ...notes,
          `the token went only in X-Vault-Token (${
            tokenTrail(inst.sc).length
          } requests); the driver's replies, output and files (cwd, HOME, TMPDIR) hold no form of it`,
        ],
      }));
    }),
});

const noForeignRedirect = defineCheck<SecretsCheckContext>({
  id: "secrets.token.no-foreign-redirect",
  title: "The vault token is never sent to another origin on a redirect",
  level: "MUST",
  source: "003 § Design goals (no plaintext secret leakage); 000 §1.2 No caps leaked",
  rationale:
    "OpenBao itself redirects (307 for `a//b`), so clients follow redirects, and some follow them to any host with the token: the Go API client and Python hvac send `X-Vault-Token` to whatever origin a 307 names. A redirect must never carry the token off the vault's origin.",
  requires: ["secrets_kv"],
  mutants: ["follow-foreign-redirect"],
  run: (ctx) =>
    judged(ctx, misplaced, async () => {
      const s = await setup(ctx, kvCase({ uri: U, reads: "redirect-foreign" }));
      if (!s.ok) return s.verdict;
      const inst = s.inst;
      const r = await get(inst, U);
      if (broken(r)) return callFault("get_secret", r, [inst]);
      const wire = misplaced([inst]);
      if (wire) return wire;
      const first = kvReads(inst.sc).find((q) => !q.listener.startsWith("foreign"));
      if (first === undefined || first.status !== 307) {
        return verdict.error(
          `cannot judge: the redirected read never reached the vault (${described(r)})`,
          evidence([inst]),
        );
      }
      const followed = kvReads(inst.sc).filter((q) => q.listener.startsWith("foreign")).length;
      return verdict.pass(evidence([inst], {
        notes: [
          `307 to ${inst.sc.foreignBase}: followed ${followed} time(s), never with the token; ${
            described(r)
          }`,
        ],
      }));
    }),
});

/** The `secrets.token.*` checks, in file order. */
export const checks: readonly Check<SecretsCheckContext>[] = [headerOnly, noForeignRedirect];
