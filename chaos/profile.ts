/**
 * The `chaos` profile: the SDK checks of bad networks, with a real Toxiproxy between the SDK and
 * the mock server (`deno task chaos`).
 *
 * @module
 */
import { defineProfile, type Profile } from "../src/engine/profile.ts";
import { DRIVER_CAPABILITIES } from "../src/engine/types.ts";
import { sdkMutants } from "../conformance/mutants/sdk.ts";
import { checkSdkFlags, SDK_FLAGS, sdkSession } from "../conformance/sdk/session.ts";
import { chaosAreas } from "./mod.ts";
import { startChaos } from "./toxiproxy.ts";

/** The `chaos` profile. */
export const chaosProfile: Profile = defineProfile({
  name: "chaos",
  task: "chaos",
  title: "client SDKs under bad networks, with Toxiproxy between the SDK and the mock server",
  home: "chaos",
  idSegments: 2,
  capabilities: [...DRIVER_CAPABILITIES, "ts_module", "toxiproxy"],
  flags: SDK_FLAGS,
  defaultConcurrency: 4,
  selftestConcurrency: 2,
  areas: chaosAreas,
  // the reference client's faults that this profile's checks name (the others belong to the other profile)
  // the chaos checks judge timeouts and bounded retries over a bad network
  levels: { "beta-ready": ["http", "retry"], hardened: [] },
  mutants: sdkMutants.filter((m) => Object.values(chaosAreas).flat().some((c) => c.mutants.includes(m.name)))
    .map((m) => ({ name: m.name })),
  checkFlags: checkSdkFlags,
  async start(env) {
    const chaos = await startChaos({ seed: env.seed });
    if (!chaos.ok) return { ok: false, error: `chaos suite cannot run: ${chaos.reason}`, unavailable: true };
    return {
      ok: true,
      value: sdkSession({
        task: "chaos",
        seed: env.seed,
        chaos: chaos.env,
        banner: [`toxiproxy: ${chaos.version}`],
        close: () => chaos.close().catch(() => {}),
      }),
    };
  },
});
