/**
 * `secrets.uri.*`: canonical secret URIs, and malformed or foreign ones refused before anything is
 * sent (seed 003 "Behavior (PEP flow)" step 1, "Testing strategy": invalid encodings, empty
 * segments, mid-path `*`, tenant mount mismatches).
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import { type Check, verdict } from "../../src/engine/types.ts";
import { describeCall } from "../../src/driver/describe.ts";
import { loadFixtures } from "../../src/schema/fixture.ts";
import type { BaoScript } from "../../src/mock/bao/types.ts";
import type { SecretsCheckContext } from "./_context.ts";
import { broken, CALL_MS, kvCase } from "./_helpers.ts";
import { judged } from "./_judge.ts";
import { refusedBeforeSend, VALID } from "./_refuse.ts";

const canonical = defineCheck<SecretsCheckContext>({
  id: "secrets.uri.canonical",
  title: "A secret URI parses to its one canonical form, and a malformed one is refused",
  level: "MUST",
  source: "003 § Behavior (PEP flow) step 1; § Roadmap M1 item 3 (canonicalization rules)",
  rationale:
    "The canonical URI is the grant key, the policy question and the audit reference: two spellings of one secret must give one string (scheme lower-cased, engine explicit, unreserved escapes decoded, fragment before query, query sorted), or grants and audits split and policies can be sidestepped by respelling.",
  requires: ["secrets_uri", "secret_uri"],
  mutants: ["uri-not-canonical"],
  timeLimitMs: 20_000,
  run: (ctx) =>
    judged(ctx, () => undefined, async () => {
      const session = await ctx.startDriver();
      const cases = (await loadFixtures("secret_uri")).flatMap((g) => g.cases);
      const results = await Promise.all(cases.map((c) => session.call("parse_secret_uri", c.input, CALL_MS)));
      const wrong: string[] = [];
      let good = 0;
      for (const [i, c] of cases.entries()) {
        const r = results[i];
        if (r === undefined) continue;
        if (broken(r)) {
          return verdict.error(`cannot judge: parse_secret_uri ${c.input.pointer}: ${describeCall(r)}`);
        }
        const want = "canonical" in c.expected ? c.expected.canonical : null;
        if (want !== null) {
          const got = r.kind === "ok" ? r.result.canonical : describeCall(r);
          if (got !== want) wrong.push(`${c.input.pointer} → ${got} (canonical: ${want})`);
          else good++;
        } else if (r.kind === "ok") {
          wrong.push(
            `${c.input.pointer} → ${r.result.canonical} (must be refused: ${
              "error" in c.expected ? c.expected.error : ""
            })`,
          );
        } else good++;
      }
      const ev = { output: session.output().slice(-30), timings: { fixtures: cases.length } };
      if (wrong.length > 0) {
        return verdict.fail(
          `${wrong.length} of ${cases.length} secret URI fixtures parsed wrong: ${
            wrong.slice(0, 4).join("; ")
          }`,
          { ...ev, notes: wrong.slice(0, 40) },
        );
      }
      return verdict.pass({
        ...ev,
        notes: [`${good} fixtures: every canonical form exact, every error refused`],
      });
    }),
});

const MALFORMED: readonly (readonly [string, string])[] = [
  ["openbao+kv2://secret/myapp/../admin#token", "a dot segment"],
  ["openbao+kv2://secret/myapp/%2e%2e/admin#token", "an encoded dot segment"],
  ["openbao+kv2://secret/myapp%2Fapi#token", "an encoded slash"],
  ["openbao+kv2://secret/myapp/%2fapi#token", "an encoded slash, lower case"],
  ["openbao+kv2://secret/myapp//api#token", "an empty segment"],
  ["openbao+kv2://secret/myapp/api/#token", "an empty last segment"],
  ["openbao+kv2://secret/myapp/*/api#token", "a mid-path *"],
];

const rejectedBeforeSend = defineCheck<SecretsCheckContext>({
  id: "secrets.uri.rejected-before-send",
  title: "A URI with traversal, %2F, an empty segment or a mid-path * is refused with 0 requests sent",
  level: "MUST",
  source:
    "003 § Behavior (PEP flow) step 1; § Testing strategy (invalid encodings, empty segments, mid-path *)",
  rationale:
    "OpenBao cleans `a/../b` and `a//b` with a redirect and decodes `%2F` before routing, so a path the SDK lets through can reach another secret than the one the policy was asked about. The SDK's guard on the raw string is the only guard, and it must act before anything is sent.",
  requires: ["secrets_uri"],
  mutants: ["no-traversal-guard", "no-encoded-slash-guard", "no-empty-segment-guard", "no-wildcard-guard"],
  run: (ctx) => refusedBeforeSend(ctx, kvCase({ uri: VALID }), MALFORMED),
});

const FOREIGN: readonly (readonly [string, string])[] = [
  ["openbao+kv2://secret2/myapp/api#token", "mount secret2 (the allowed mount is a prefix of it)"],
  ["openbao+kv2://secret-prod/myapp/api#token", "mount secret-prod"],
  ["openbao+kv2://secre/myapp/api#token", "mount secre (a prefix of the allowed mount)"],
  ["openbao+kv2://other/myapp/api#token", "mount other"],
];

function foreignScript(): BaoScript {
  const mounts = ["secret", "secret2", "secret-prod", "secre", "other"];
  return {
    mounts,
    secrets: mounts.map((mount) => ({
      mount,
      path: "myapp/api",
      versions: [{ data: { token: `${mount}-v1` } }],
    })),
  };
}

const foreignMount = defineCheck<SecretsCheckContext>({
  id: "secrets.uri.foreign-mount",
  title:
    "A URI on a mount the tenant is not allowed (prefix tricks included) is refused with 0 requests sent",
  level: "MUST",
  source:
    "003 § Behavior (PEP flow) step 1 (tenant mount guard); § Testing strategy (tenant mount mismatches)",
  rationale:
    "The tenant mount guard is what keeps one tenant out of another's secrets when the vault token can read both. Mounts must match exactly: `secret2` is not `secret`, so a prefix comparison hands a neighbouring mount to the tenant.",
  requires: ["secrets_uri"],
  mutants: ["mount-prefix-match"],
  run: (ctx) => refusedBeforeSend(ctx, foreignScript(), FOREIGN, { mounts: ["secret"] }),
});

/** The `secrets.uri.*` checks, in file order. */
export const checks: readonly Check<SecretsCheckContext>[] = [canonical, rejectedBeforeSend, foreignMount];
