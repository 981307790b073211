import assert from "node:assert/strict";
import {
  isSecretsFault,
  SECRETS_FAULT_RULES,
  SECRETS_FAULT_TABLE,
  SECRETS_FAULTS,
  SECRETS_REFERENCE_BEHAVIOUR,
  secretsBehaviourOf,
} from "./_faults.ts";
import { SECRETS_RULES } from "./_rules.ts";

/** Faults whose unit scenario would write outside the test (proved through the driver instead). */
const DRIVER_ONLY = new Set(["token-cache-file"]);

Deno.test("the fault table: one entry and one planned rule per fault, each changing at least one setting", () => {
  assert.deepEqual(Object.keys(SECRETS_FAULT_TABLE).sort(), [...SECRETS_FAULTS].sort());
  assert.deepEqual(Object.keys(SECRETS_FAULT_RULES).sort(), [...SECRETS_FAULTS].sort());
  for (const f of SECRETS_FAULTS) {
    const b = secretsBehaviourOf(f);
    const changed = Object.keys(b).filter((k) =>
      JSON.stringify(Reflect.get(b, k)) !== JSON.stringify(Reflect.get(SECRETS_REFERENCE_BEHAVIOUR, k))
    );
    assert.ok(changed.length >= 1, `${f} changes nothing`);
    assert.ok(SECRETS_FAULT_RULES[f] in SECRETS_RULES, `${f}: no scenario for ${SECRETS_FAULT_RULES[f]}`);
  }
  assert.ok(!isSecretsFault("nope"));
});

Deno.test("the reference secrets client keeps every rule", async (t) => {
  for (const [id, run] of Object.entries(SECRETS_RULES)) {
    await t.step(id, async () => assert.equal(await run(undefined), null));
  }
});

Deno.test("each one-fault mutant breaks the rule it is named after", async (t) => {
  for (const f of SECRETS_FAULTS) {
    if (DRIVER_ONLY.has(f)) continue;
    const id = SECRETS_FAULT_RULES[f];
    await t.step(`${f} → ${id}`, async () => {
      const run = SECRETS_RULES[id];
      assert.ok(run);
      const why = await run(f);
      assert.notEqual(why, null, `${f} kept ${id}`);
    });
  }
});
