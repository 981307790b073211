/**
 * The `secrets` profile: secret-URI SDKs (seed 003), through their driver, against the mock OpenBao
 * and its policy decision point (`deno task certify:secrets`).
 *
 * @module
 */
import { defineProfile, type Profile } from "../../src/engine/profile.ts";
import { SECRETS_CAPABILITIES } from "../../src/schema/protocol.ts";
import { secretsMutants } from "../mutants/secrets.ts";
import { secretsAreas } from "./mod.ts";
import { SECRETS_FLAGS, secretsSession } from "./_session.ts";

/** The `secrets` profile. */
export const secretsProfile: Profile = defineProfile({
  name: "secrets",
  task: "certify:secrets",
  title: "secret-URI SDKs, through their driver, against a KVv2 + policy mock",
  home: "conformance/secrets",
  idSegments: 3,
  // the profile's four capabilities, and `secret_uri` for the `parse_secret_uri` op
  capabilities: [...SECRETS_CAPABILITIES, "secret_uri"],
  flags: SECRETS_FLAGS,
  defaultConcurrency: 6,
  selftestConcurrency: 4,
  areas: secretsAreas,
  // seed 003 § Configuration: the required settings are the vault, the tenant and its mounts, so a
  // secret-URI SDK is its URI guard and its KVv2 reads (beta-ready); the PEP is the seed's
  // enforcement model (hardened). Audits are "optional" in the seed: no level requires them.
  levels: { "beta-ready": ["secrets_uri", "secrets_kv"], hardened: ["secrets_grants"] },
  mutants: secretsMutants.map((m) => ({ name: m.name, description: `breaks ${m.rule}` })),
  start: (env) => Promise.resolve({ ok: true, value: secretsSession(env.seed) }),
});
