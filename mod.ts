/**
 * # ron conformance kit
 *
 * A security conformance kit for API client SDKs (in any language, through a JSON Lines driver)
 * and HTTP API servers, derived from the checklists in `shared/seeds/`. This module is the stable
 * API: the check model and registry, the runner, the driver host, the mock server, the canary
 * scanner, the schemas (protocol, Problem, DTOs, facet manifests, secret URIs, scenarios, report),
 * the report writers, the `deno test` registration, and the reference client.
 *
 * Certify an SDK under `deno test` with one short file:
 *
 * ```ts ignore
 * import { registerCertification } from "./mod.ts";
 * await registerCertification({ driver: "python3 driver.py", seed: 1 });
 * ```
 *
 * Or use the CLI: `deno task certify --driver "python3 driver.py"`.
 *
 * @module
 */

// The check model, registry and runner.
export * from "./src/engine/types.ts";
export type {
  ChaosEnv,
  ChaosProxy,
  SdkContext,
  StartDriverOptions,
  Toxic,
} from "./src/engine/sdk_context.ts";
export { type CheckMeta, CheckMetaSchema, defineCheck, registeredChecks } from "./src/engine/registry.ts";
export { runChecks, sdkRun } from "./src/engine/runner.ts";
export { certificationOf, summarize } from "./src/engine/certification.ts";
export { applyExpectations, fixExpectations, parseExpectations } from "./src/engine/expect_fail.ts";
export { registerCertification, type RegisterCertificationOptions } from "./src/engine/deno_test.ts";

// The driver host and the canary scanner.
export type { CallResult, DriverSession } from "./src/driver/types.ts";
export { startDriver } from "./src/driver/host.ts";
export { findCanaries, maskCanaries, newCanary, scanTree } from "./src/driver/canary.ts";

// The mock server.
export type { MockServer, ScenarioHandle } from "./src/mock/types.ts";
export { startMockServer } from "./src/mock/server.ts";
export { generateCa, issueLeaf } from "./src/mock/ca.ts";

// Schemas.
export * from "./src/schema/protocol.ts";
export * from "./src/schema/scenario.ts";
export * from "./src/schema/problem.ts";
export * from "./src/schema/dto.ts";
export * from "./src/schema/manifest.ts";
export * from "./src/schema/secret_uri.ts";
export { loadFixtureGroup, loadFixtures } from "./src/schema/fixture.ts";
export * from "./src/schema/report.ts";

// Reports.
export { renderReports, REPORT_FILES, writeReports } from "./src/report/write.ts";
export { buildMatrix, renderMatrixHtml, renderMatrixMarkdown } from "./src/report/matrix.ts";

// The reference client.
export * from "./src/client/mod.ts";
