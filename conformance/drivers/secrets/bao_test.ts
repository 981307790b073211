/**
 * End to end: the secrets driver (reference and a few mutants) through the kit's driver host against
 * the mock OpenBao and its PDP (`src/mock/bao/`) over HTTPS with the mock's CA. Each case scripts
 * its own scenario and judges what the driver answered and what the mock saw, the way the planned
 * `secrets.*` checks will.
 *
 * @module
 */
import assert from "node:assert/strict";
import { startDriver } from "../../../src/driver/host.ts";
import type { CallResult } from "../../../src/driver/types.ts";
import { caseValue, kvReads, secretCase, sentVersions, tokenTrail } from "../../../src/mock/bao/scenario.ts";
import { startBaoMock } from "../../../src/mock/bao/server.ts";
import type { BaoMock, BaoScenario, BaoScript } from "../../../src/mock/bao/types.ts";
import { secretDigest } from "../../../src/secrets/digest.ts";
import { secretsDriverCommand } from "../../mutants/secrets.ts";

const CALL_MS = 15_000;

/** One case: a script, a call, and a judgement (`null`: the rule held). */
interface Case {
  name: string;
  script: BaoScript;
  uri: string;
  judge(r: CallResult<"get_secret">, sc: BaoScenario): Promise<string | null> | string | null;
}

function errorCode(r: CallResult<"get_secret">): string {
  return r.kind === "sdk_error" ? `${r.error.type}/${r.error.code ?? ""}` : r.kind;
}

/** The token went only in X-Vault-Token, only to the scenario's own listener. */
function tokenKept(sc: BaoScenario): string | null {
  const bad = tokenTrail(sc).filter((e) => e.how !== "x-vault-token" || e.listener.startsWith("foreign"));
  return bad.length ? `token trail: ${JSON.stringify(bad)}` : null;
}

const U = "openbao+kv2://secret/myapp/api#token";

const CASES: Case[] = [
  {
    name: "latest",
    script: secretCase({ uri: U, versions: ["live", "live"] }),
    uri: U,
    judge: async (r, sc) => {
      if (r.kind !== "ok") return `expected a value, got ${errorCode(r)}`;
      const want = await secretDigest(caseValue(U, 2).token);
      return r.result.version === 2 && r.result.digest === want ? tokenKept(sc) : JSON.stringify(r.result);
    },
  },
  {
    name: "pinned",
    script: secretCase({ uri: `${U}?version=1`, versions: ["live", "live"] }),
    uri: `${U}?version=1`,
    judge: (r, sc) =>
      r.kind === "ok" && r.result.version === 1 && JSON.stringify(sentVersions(sc)) === '["1"]'
        ? null
        : `${errorCode(r)}, sent ${JSON.stringify(sentVersions(sc))}`,
  },
  {
    name: "deleted",
    script: secretCase({ uri: U, versions: ["deleted", "live"] }),
    uri: `${U}?version=1`,
    judge: (r) => errorCode(r) === "secret/version_deleted" ? null : errorCode(r),
  },
  {
    name: "destroyed",
    script: secretCase({ uri: U, versions: ["destroyed", "live"] }),
    uri: `${U}?version=1`,
    judge: (r) => errorCode(r) === "secret/version_destroyed" ? null : errorCode(r),
  },
  {
    name: "missing",
    script: secretCase({ uri: U }),
    uri: `${U}?version=5`,
    judge: (r) => errorCode(r) === "secret/not_found" ? null : errorCode(r),
  },
  {
    name: "traversal",
    script: secretCase({ uri: U }),
    uri: "openbao+kv2://secret/myapp/../admin#token",
    judge: (r, sc) =>
      errorCode(r) === "secret/dot_segment" && sc.requests().length === 0
        ? null
        : `${errorCode(r)}, ${sc.requests().length} requests`,
  },
  {
    name: "redirect-foreign",
    script: secretCase({ uri: U, reads: "redirect-foreign" }),
    uri: U,
    judge: (r, sc) =>
      errorCode(r) === "secret/redirect" ? tokenKept(sc) : `${errorCode(r)}; ${tokenKept(sc)}`,
  },
  {
    name: "wrapped",
    script: secretCase({ uri: U, wrapTtlS: 30 }),
    uri: U,
    judge: (r, sc) =>
      r.kind === "ok" && kvReads(sc, "unwrap").length === 1
        ? null
        : `${errorCode(r)}, ${kvReads(sc, "unwrap").length} unwraps`,
  },
  {
    name: "wrapped-deleted",
    script: secretCase({ uri: U, versions: ["deleted"], wrapTtlS: 30 }),
    uri: U,
    judge: (r, sc) =>
      errorCode(r) === "secret/version_deleted" && kvReads(sc, "unwrap").length === 1
        ? null
        : `${errorCode(r)}, ${kvReads(sc, "unwrap").length} unwraps`,
  },
  {
    name: "pdp-deny",
    script: secretCase({ uri: U, pdp: "deny" }),
    uri: U,
    judge: (r, sc) =>
      errorCode(r) === "secret/denied" && kvReads(sc).length === 0
        ? null
        : `${errorCode(r)}, ${kvReads(sc).length}`,
  },
  {
    name: "permission-denied",
    script: secretCase({ uri: U, reads: "denied" }),
    uri: U,
    judge: (r, sc) =>
      errorCode(r) === "secret/permission_denied" && kvReads(sc).length === 1
        ? null
        : `${errorCode(r)}, ${kvReads(sc).length} reads`,
  },
];

/** Run the cases on one driver process; returns each case's judgement. */
async function runCases(
  bao: BaoMock,
  mutant: string | undefined,
  only?: string[],
): Promise<Map<string, string | null>> {
  const tokens: string[] = [];
  const started = await startDriver({ command: secretsDriverCommand(mutant), canaries: () => tokens });
  assert.ok(started.ok, started.ok ? "" : started.detail);
  const s = started.session;
  const out = new Map<string, string | null>();
  try {
    for (const [i, c] of CASES.entries()) {
      if (only && !only.includes(c.name)) continue;
      const sc = await bao.scenario(c.script);
      tokens.push(sc.token);
      try {
        const conf = await s.call("configure", {
          secrets: {
            vault_addr: sc.httpsBase,
            token: sc.token,
            tenant: "dev",
            allowed_mounts: ["secret"],
            salt: "salt",
            audience: "crud.secrets",
            pdp_addr: sc.httpsBase,
          },
          ca_cert_pem: bao.caCertPem,
          debug: true,
          timeouts: { total_ms: 6_000 },
        }, CALL_MS);
        assert.ok(conf.kind === "ok", JSON.stringify(conf));
        const ctx = { subject: `case-${i}`, aud: ["crud.secrets"] };
        const r = await s.call("get_secret", { client: conf.result.client, uri: c.uri, ctx }, CALL_MS);
        out.set(c.name, await c.judge(r, sc));
      } finally {
        await sc.release();
      }
    }
    assert.deepEqual(await s.scan(tokens), [], "no token in replies, output or files");
  } finally {
    await s.close();
  }
  return out;
}

Deno.test("the reference secrets driver against the mock OpenBao: every case keeps its rule", async () => {
  const bao = await startBaoMock();
  try {
    const got = await runCases(bao, undefined);
    assert.deepEqual(Object.fromEntries(got), Object.fromEntries(CASES.map((c) => [c.name, null])));
  } finally {
    await bao.close();
  }
});

Deno.test("mutants of the secrets driver against the mock OpenBao break their case", async (t) => {
  const bao = await startBaoMock();
  try {
    const table: [string, string][] = [
      ["drop-pinned-version", "pinned"],
      ["deleted-as-missing", "deleted"],
      ["destroyed-as-deleted", "destroyed"],
      ["no-traversal-guard", "traversal"],
      ["follow-foreign-redirect", "redirect-foreign"],
      ["unwrap-404-as-missing", "wrapped-deleted"],
      ["retry-forbidden", "permission-denied"],
    ];
    for (const [mutant, name] of table) {
      await t.step(`${mutant} → ${name}`, async () => {
        const got = await runCases(bao, mutant, [name]);
        assert.notEqual(got.get(name), null, `${mutant} kept ${name}`);
      });
    }
  } finally {
    await bao.close();
  }
});
