/**
 * The one list of profiles. Everything that differs by profile (the task, the flags, the checks,
 * the mutants, how a target opens) is in the profile's value; the pipeline (`certify.ts`), the
 * selftest, the catalogue and the report schema read this list. Adding a profile: one folder
 * that exports a `defineProfile(...)` value, and one entry here (docs/PROFILES.md).
 *
 * @module
 */
import { z } from "zod";
import type { Profile, ProfileInfo } from "../src/engine/profile.ts";
import { ReportSchema } from "../src/schema/report.ts";
import { sdkProfile } from "../conformance/sdk/profile.ts";
import { svcProfile } from "../conformance/svc/profile.ts";
import { chaosProfile } from "../chaos/profile.ts";
import { secretsProfile } from "../conformance/secrets/profile.ts";
import { rpcProfile } from "../conformance/rpc/profile.ts";

/** Every profile, in the order the selftest and the catalogue show them. */
export const PROFILES: readonly Profile[] = [
  sdkProfile,
  chaosProfile,
  svcProfile,
  secretsProfile,
  rpcProfile,
];

/**
 * Every profile, as data (name, task, flags, checks, mutants, levels): the same values as
 * {@linkcode PROFILES}, typed as what a vendor reads (mod.ts exports it as `PROFILES`).
 */
export const PROFILE_INFO: readonly ProfileInfo[] = PROFILES;

/** Every profile's name. */
export const PROFILE_NAMES: readonly string[] = PROFILES.map((p) => p.name);

/**
 * The profile with this name or task.
 *
 * @param nameOrTask e.g. "sdk" or "certify:server"
 * @returns the profile, or undefined
 * @example
 * ```ts
 * import { profileNamed } from "./profiles.ts";
 * if (profileNamed("certify:server")?.name !== "svc") throw new Error();
 * ```
 */
export function profileNamed(nameOrTask: string): Profile | undefined {
  return PROFILES.find((p) => p.name === nameOrTask || p.task === nameOrTask);
}

/**
 * Run a profile's task as the CLI does (`deno task certify …`): print progress and a scorecard,
 * write the reports, and return the exit code.
 *
 * @param nameOrTask the profile's name or task, e.g. "sdk" or "certify:server"
 * @param args the task's arguments, e.g. `["--driver", "python3 driver.py", "--out", "reports"]`
 * @returns the exit code: 0 every applicable MUST passes (after expected failures), 1 a failure,
 *   2 a usage or setup error
 * @throws when no profile has that name or task
 * @example
 * ```ts
 * import { certifyProfile } from "./profiles.ts";
 * const refused = await certifyProfile("no-such-profile", []).then(() => false, () => true);
 * if (!refused) throw new Error("an unknown profile must be refused");
 * ```
 */
export async function certifyProfile(nameOrTask: string, args: readonly string[]): Promise<number> {
  const profile = profileNamed(nameOrTask);
  if (!profile) {
    throw new Error(
      `unknown profile ${JSON.stringify(nameOrTask)}: one of ${
        PROFILES.map((p) => `${p.name} (${p.task})`).join(", ")
      }`,
    );
  }
  const { certifyMain } = await import("./certify.ts");
  return certifyMain(profile, args);
}

/** The id of any check of any profile: `profile.area.name` (or `profile.name` where the profile says so). */
export const CHECK_ID: RegExp = new RegExp(
  `^(?:${PROFILES.map((p) => `${p.name}(?:\\.[a-z0-9]+(?:-[a-z0-9]+)*){${p.idSegments - 1}}`).join("|")})$`,
);

/** report.json v1, with `profile` one of the profiles in the list. */
export const KitReportSchema: typeof ReportSchema = ReportSchema.extend({
  profile: z.string().refine((p) => PROFILE_NAMES.includes(p), {
    message: `profile must be one of ${PROFILE_NAMES.join(", ")}`,
  }),
});

/** Every check id of every profile (expectation files may name any of them). */
export const ALL_CHECK_IDS: ReadonlySet<string> = new Set(PROFILES.flatMap((p) => p.checks.map((c) => c.id)));
