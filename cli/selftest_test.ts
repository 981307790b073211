/**
 * The mutation matrix of every profile under `deno test`: one test per row (the reference of
 * each profile, and each one-fault mutant), from the same pipeline and pool as `deno task selftest`
 * (every row runs once, concurrently, when the first of these tests starts).
 *
 * `RON_SELFTEST_ROWS=skip` registers the rows as ignored: for a CI run whose own stage runs
 * `deno task selftest` right after (`.ci/run`), so the matrix is not paid twice. Without it,
 * `deno task test` proves the matrix itself.
 */
import { registerSelftest } from "./register.ts";

const skip = Deno.env.get("RON_SELFTEST_ROWS") === "skip";
await registerSelftest({ seed: 1, register: (d) => Deno.test({ ...d, ignore: skip }) });

Deno.test("every fault the reference client can be built with is named by a check of some profile", async () => {
  const { sdkMutants } = await import("../conformance/mutants/sdk.ts");
  const { PROFILES } = await import("./profiles.ts");
  const named = new Set(PROFILES.flatMap((p) => p.checks.flatMap((c) => c.mutants)));
  const unnamed = sdkMutants.map((m) => m.name).filter((m) => !named.has(m));
  if (unnamed.length > 0) throw new Error(`faults no check names (dead mutants): ${unnamed.join(", ")}`);
});
