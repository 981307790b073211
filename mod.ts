/**
 * # ron conformance kit
 *
 * A security conformance kit: it certifies API client SDKs in any language (through a small JSON
 * Lines driver), HTTP API servers (by probing them) and the chaos behaviour of SDKs, against
 * executable security checklists (docs/CHECKS.md). This module is what a vendor or a CI uses:
 * run a profile's certification, register it under `deno test`, read the check list, read
 * reports, and the reference client. More: `./schema` (data types), `./client` (the reference
 * client), `./testing` (the check model, mock server and driver host, to build checks).
 *
 * Certify an SDK under `deno test` with one short file:
 *
 * ```ts ignore
 * import { registerCertification } from "@ron/conformance-kit";
 * await registerCertification({ driver: "python3 driver.py", seed: 1 });
 * ```
 *
 * Or run a profile's task as the CLI does (`deno task certify --driver "python3 driver.py"`):
 *
 * ```ts ignore
 * import { certify, profileNamed } from "@ron/conformance-kit";
 * const exit = await certify(profileNamed("sdk")!, ["--driver", "python3 driver.py", "--out", "reports"]);
 * ```
 *
 * @module
 */

// Run a profile (every profile is a value in one list) and register under `deno test`.
export { certifyMain as certify } from "./cli/certify.ts";
export {
  ALL_CHECK_IDS,
  CHECK_ID,
  KitReportSchema,
  PROFILE_NAMES,
  profileNamed,
  PROFILES,
} from "./cli/profiles.ts";
export {
  CheckFailure,
  registerCertification,
  type RegisterCertificationOptions,
  registerSelftest,
  type RegisterSelftestOptions,
} from "./cli/register.ts";
export { type ProfileSelftest, profileSelftest, type SelftestJob, selftestJobs } from "./cli/selftest.ts";
export type { CheckInfo, Profile } from "./src/engine/profile.ts";
export type { Check, CheckResult, Evidence, Level, Outcome, Verdict } from "./src/engine/types.ts";

// Reports.
export {
  parseReport,
  type Report,
  type ReportResult,
  ReportSchema,
  rerunCommand,
} from "./src/schema/report.ts";
export { renderReports, REPORT_FILES, writeReports } from "./src/report/write.ts";
export { buildMatrix, renderMatrixHtml, renderMatrixMarkdown } from "./src/report/matrix.ts";

// The reference client.
export * from "./src/client/mod.ts";
