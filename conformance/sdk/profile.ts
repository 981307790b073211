/**
 * The `sdk` profile: client SDKs in any language, through their driver, against the kit's mock
 * server (`deno task certify`).
 *
 * @module
 */
import { defineProfile, type Profile } from "../../src/engine/profile.ts";
import { DRIVER_CAPABILITIES } from "../../src/engine/types.ts";
import { sdkMutants } from "../mutants/sdk.ts";
import { sdkAreas } from "./mod.ts";
import { checkSdkFlags, SDK_FLAGS, sdkSession } from "./session.ts";

/** The `sdk` profile. */
export const sdkProfile: Profile = defineProfile({
  name: "sdk",
  task: "certify",
  title: "client SDKs, through their driver, against a scripted mock server",
  home: "conformance/sdk",
  idSegments: 3,
  capabilities: [...DRIVER_CAPABILITIES, "ts_module"],
  flags: SDK_FLAGS,
  defaultConcurrency: 4,
  selftestConcurrency: 6,
  areas: sdkAreas,
  // the reference client's faults that this profile's checks name (the others belong to the other profile)
  // seed 000 §0: a Tier-1 SDK has bounded retries, idempotency keys, Problem errors, token rotation
  // (and TLS and size limits, which http and tls cover); without them no level is awarded.
  // seed 000 §9's "God-Tier" hooks: the PQ toggle (tls_pq_mode) and audit_context; god-tier is
  // never awarded to a target that does not declare them (their FUTURE checks would not apply)
  levels: {
    "beta-ready": ["http", "tls", "retry", "idempotency", "problem", "token_provider"],
    hardened: [],
    "god-tier": ["tls_pq", "audit_context"],
  },
  mutants: sdkMutants.filter((m) => Object.values(sdkAreas).flat().some((c) => c.mutants.includes(m.name)))
    .map((m) => ({ name: m.name })),
  checkFlags: checkSdkFlags,
  start: (env) => Promise.resolve({ ok: true, value: sdkSession({ task: "certify", seed: env.seed }) }),
});
