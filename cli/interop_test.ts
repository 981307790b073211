import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { registerInterop } from "./interop.ts";
import { interopFixtureNames, interopOutcomes } from "../conformance/interop.ts";
import { startDriver } from "../src/driver/host.ts";
import { newCanary } from "../src/driver/canary.ts";
import { startMockServer } from "../src/mock/server.ts";
import { referenceDriverCommand } from "../conformance/mutants/sdk.ts";

const MUTANT = [
  Deno.execPath(),
  "run",
  "--allow-net=127.0.0.1,127.0.0.2,localhost",
  "--allow-env",
  "--allow-read",
  "--allow-write",
  "--allow-run",
  fileURLToPath(new URL("./testdata/rename_problem_driver.ts", import.meta.url)),
];

async function collect(drivers: { name: string; command: string[] }[], allowed: string[] = []) {
  const defs: Deno.TestDefinition[] = [];
  await registerInterop({ drivers, allowed, register: (d) => void defs.push(d) });
  const failed: string[] = [];
  for (const d of defs) {
    try {
      await d.fn({} as Deno.TestContext);
    } catch {
      failed.push(d.name.replace(/^interop: /, ""));
    }
  }
  return { names: defs.map((d) => d.name), failed };
}

async function referenceProblemFixtures(): Promise<string[]> {
  const mock = await startMockServer();
  const s = await startDriver({ command: referenceDriverCommand(), canaries: () => [] });
  assert.ok(s.ok);
  try {
    const rows = await interopOutcomes([{ name: "ref", session: s.session }], mock, newCanary);
    return [...rows].filter(([, row]) => row["ref"]?.startsWith("problem ")).map(([f]) => f);
  } finally {
    await s.session.close();
    await mock.close();
  }
}

Deno.test("registerInterop() lists one test per fixture, named by the fixture", async () => {
  const fixtures = await interopFixtureNames();
  const defs: string[] = [];
  await registerInterop({ drivers: ["a", "b"], register: (d) => void defs.push(d.name) });
  assert.deepEqual(defs, fixtures.map((f) => `interop: ${f}`));
  assert.ok(fixtures.length > 50, `only ${fixtures.length} fixtures`);
});

Deno.test({
  name: "registerInterop(): a driver that renames a Problem field fails exactly the Problem fixtures",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const same = await collect([
      { name: "reference", command: referenceDriverCommand() },
      { name: "reference-2", command: referenceDriverCommand() },
    ]);
    assert.deepEqual(same.failed, [], "the reference agrees with itself");
    const renamed = await collect([
      { name: "reference", command: referenceDriverCommand() },
      { name: "renamed", command: MUTANT },
    ]);
    // Exactly the fixtures the reference reads as a Problem (the renamed field exists only there).
    const problems = await referenceProblemFixtures();
    assert.ok(problems.length > 10, `only ${problems.length} Problem fixtures`);
    assert.deepEqual([...renamed.failed].sort(), [...problems].sort());
    // A known disagreement that is listed passes; listed but agreeing fails; unknown names fail.
    const first = renamed.failed[0] ?? "";
    const listed = await collect([
      { name: "reference", command: referenceDriverCommand() },
      { name: "renamed", command: MUTANT },
    ], [first, "dto x.json: no such fixture"]);
    assert.ok(!listed.failed.includes(first), "a listed disagreement passes");
    assert.ok(listed.failed.includes("allowed disagreements name real fixtures"));
    const stale = await collect([
      { name: "reference", command: referenceDriverCommand() },
      { name: "reference-2", command: referenceDriverCommand() },
    ], [first]);
    assert.deepEqual(stale.failed, [first], "a listed fixture that now agrees fails");
  },
});
