/**
 * The mutation matrix of every profile under `deno test`: one test per row (the reference of
 * each profile, and each one-fault mutant), from the same pipeline as `deno task selftest`.
 */
import { registerSelftest } from "./register.ts";

await registerSelftest({ seed: 1 });

Deno.test("every fault the reference client can be built with is named by a check of some profile", async () => {
  const { sdkMutants } = await import("../conformance/mutants/sdk.ts");
  const { PROFILES } = await import("./profiles.ts");
  const named = new Set(PROFILES.flatMap((p) => p.checks.flatMap((c) => c.mutants)));
  const unnamed = sdkMutants.map((m) => m.name).filter((m) => !named.has(m));
  if (unnamed.length > 0) throw new Error(`faults no check names (dead mutants): ${unnamed.join(", ")}`);
});
