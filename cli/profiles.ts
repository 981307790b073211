/**
 * The one list of profiles. Everything that differs by profile (the task, the flags, the checks,
 * the mutants, how a target opens) is in the profile's value; the pipeline (`certify.ts`), the
 * selftest, the catalogue and the report schema read this list. Adding a profile: one folder
 * that exports a `defineProfile(...)` value, and one entry here (docs/PROFILES.md).
 *
 * @module
 */
import { z } from "zod";
import type { Profile } from "../src/engine/profile.ts";
import { ReportSchema } from "../src/schema/report.ts";
import { sdkProfile } from "../conformance/sdk/profile.ts";
import { svcProfile } from "../conformance/svc/profile.ts";
import { chaosProfile } from "../chaos/profile.ts";

/** Every profile, in the order the selftest and the catalogue show them. */
export const PROFILES: readonly Profile[] = [sdkProfile, chaosProfile, svcProfile];

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
