/**
 * The README's vendor `conformance_test.ts`, pointed at the bundled reference driver: one
 * `Deno.test` per check id. Kept to the caps and tls areas so the kit's own suite stays fast.
 */
import { registerCertification } from "../mod.ts";
import { referenceDriverCommand } from "../conformance/mutants/sdk.ts";

await registerCertification({ driver: referenceDriverCommand(), only: ["sdk.caps", "sdk.tls"], seed: 1 });
