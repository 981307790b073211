/**
 * The secrets profile's shape: each check names exactly the faults of the reference secrets client
 * that `SECRETS_FAULT_RULES` assigns to it, and a KV-only driver is certified on what it does.
 */
import assert from "node:assert/strict";
import { runChecks } from "../../src/engine/runner.ts";
import { SECRETS_FAULT_RULES, SECRETS_FAULTS } from "../../src/secrets/_faults.ts";
import { openSecretsTarget } from "./_session.ts";
import { secretsChecks } from "./mod.ts";
import { secretsProfile } from "./profile.ts";

Deno.test("every fault of the reference secrets client is named by the check SECRETS_FAULT_RULES assigns it, only", () => {
  const named = Object.fromEntries(secretsChecks.map((c) => [c.id, [...c.mutants].sort()]));
  const planned: Record<string, string[]> = {};
  for (const f of SECRETS_FAULTS) (planned[SECRETS_FAULT_RULES[f]] ??= []).push(f);
  for (const list of Object.values(planned)) list.sort();
  assert.deepEqual(named, planned);
  assert.deepEqual(secretsProfile.mutants.map((m) => m.name).sort(), [...SECRETS_FAULTS].sort());
});

Deno.test("the capabilities: grants and audit checks need their capability, levels need URI + KV (+ grants)", () => {
  for (const c of secretsChecks) {
    const area = c.id.split(".")[1];
    const want = area === "pep"
      ? "secrets_grants"
      : area === "audit"
      ? "secrets_audit"
      : area === "uri"
      ? "secrets_uri"
      : "secrets_kv";
    assert.ok(c.requires.includes(want), `${c.id} requires ${want}`);
  }
  assert.deepEqual(secretsProfile.levels, {
    "beta-ready": ["secrets_uri", "secrets_kv"],
    hardened: ["secrets_grants"],
  });
});

Deno.test("a KV-only driver (no PDP, no URI guard, no audit) passes the KV checks; the others are not applicable", async () => {
  const driver = new URL("./testdata/kv_only_driver.ts", import.meta.url).pathname;
  const argv = [
    Deno.execPath(),
    "run",
    "--allow-net=127.0.0.1,127.0.0.2,localhost",
    "--allow-env",
    "--allow-read",
    "--allow-write",
    driver,
  ];
  const open = await openSecretsTarget(argv, 1);
  assert.ok(open.ok, open.ok ? "" : open.error);
  const t = open.value;
  try {
    const results = await runChecks(secretsChecks, {
      concurrency: 6,
      seed: 1,
      capabilities: t.capabilities,
      makeContext: t.makeContext,
    });
    const by = (o: string) => results.filter((r) => r.verdict.outcome === o).map((r) => r.id);
    const kvLike = secretsChecks.filter((c) => c.requires.every((r) => r === "secrets_kv")).map((c) => c.id);
    assert.deepEqual(
      by("pass"),
      kvLike,
      JSON.stringify(
        results.filter((r) =>
          r.verdict.outcome !== "pass" &&
          r.verdict.outcome !== "not_applicable"
        ).map((r) => [r.id, r.verdict]),
      ),
    );
    assert.equal(by("not_applicable").length, secretsChecks.length - kvLike.length);
  } finally {
    await t.close();
  }
});
