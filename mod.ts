/**
 * # ron conformance kit
 *
 * A security conformance kit: it certifies API client SDKs in any language (through a small JSON
 * Lines driver), HTTP API servers (by probing them) and the chaos behaviour of SDKs, against
 * executable security checklists (docs/CHECKS.md). This module is what a vendor or a CI uses:
 * run a profile's certification, register it (or a cross-SDK interop comparison) under
 * `deno test`, read the check list, read reports, and the reference client. More: `./schema`
 * (data types and their zod schemas), `./client` (the reference client), `./testing` (the check
 * model, profiles, mock server and driver host, to build checks).
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
 * import { certify } from "@ron/conformance-kit";
 * const exit = await certify("sdk", ["--driver", "python3 driver.py", "--out", "reports"]);
 * ```
 *
 * @module
 */

// Run a profile and register under `deno test`. `PROFILES` is the profiles' data; running one
// goes through `certify` (by name or task), so the pipeline's own types stay internal.
export {
  ALL_CHECK_IDS,
  certifyProfile as certify,
  CHECK_ID,
  PROFILE_INFO as PROFILES,
  PROFILE_NAMES,
} from "./cli/profiles.ts";
export {
  CheckFailure,
  registerCertification,
  type RegisterCertificationOptions,
  registerSelftest,
  type RegisterSelftestOptions,
} from "./cli/register.ts";
export { type InteropDriver, registerInterop, type RegisterInteropOptions } from "./cli/interop.ts";
export type { CheckInfo, FlagSpec, MutantSpec, ProfileInfo } from "./src/engine/profile.ts";
export type { LevelRequirements } from "./src/engine/certification.ts";
export type { CheckResult, Level, Outcome, Verdict } from "./src/engine/types.ts";

// Reports (report.json v1; its zod schema is in `./schema`).
export type { Evidence, LeakFinding, RecordedRequest } from "./src/schema/evidence.ts";
export {
  type InteropDisagreement,
  type LevelCapabilities,
  parseReport,
  type Report,
  REPORT_SCHEMA_ID,
  type ReportResult,
  rerunCommand,
} from "./src/schema/report.ts";
export { renderReports, REPORT_FILES, writeReports } from "./src/report/write.ts";
export { buildMatrix, type Matrix, renderMatrixHtml, renderMatrixMarkdown } from "./src/report/matrix.ts";

// The reference client.
export * from "./src/client/mod.ts";
