/**
 * Building blocks for writing checks and profiles of your own, and for testing a driver or a
 * server outside the CLI: the check model and runner, `defineProfile`, the mock server, the
 * driver host and the canary scanner.
 *
 * ```ts
 * import { defineCheck, verdict } from "./testing.ts";
 * const c = defineCheck({
 *   id: "demo.area.doc-" + crypto.randomUUID().slice(0, 8), title: "an example", level: "SHOULD",
 *   source: "000 §1", requires: [], mutants: [], run: () => Promise.resolve(verdict.pass()),
 * });
 * if (!c.id.startsWith("demo.")) throw new Error();
 * ```
 *
 * @module
 */
export * from "./src/engine/types.ts";
export type {
  ChaosEnv,
  ChaosProxy,
  SdkContext,
  StartDriverOptions,
  Toxic,
} from "./src/engine/sdk_context.ts";
export { type CheckMeta, CheckMetaSchema, defineCheck, registeredChecks } from "./src/engine/registry.ts";
export { type ContextLease, runChecks, type RunOptions, selected } from "./src/engine/runner.ts";
export * from "./src/engine/profile.ts";
export {
  defaultSdkDeps,
  openSdkTarget,
  type RunOutcome,
  sdkRun,
  type SdkRunDeps,
  type SdkRunOptions,
  type SdkTargetOptions,
} from "./src/engine/sdk_target.ts";
export { certificationOf, summarize } from "./src/engine/certification.ts";
export { applyExpectations, fixExpectations, parseExpectations } from "./src/engine/expect_fail.ts";
export type { CallResult, DriverSession } from "./src/driver/types.ts";
export { startDriver } from "./src/driver/host.ts";
export { findCanaries, maskCanaries, newCanary, scanTree } from "./src/driver/canary.ts";
export { describeCall, describeError } from "./src/driver/describe.ts";
export type { MockServer, ScenarioHandle } from "./src/mock/types.ts";
export { startMockServer } from "./src/mock/server.ts";
export { generateCa, issueLeaf } from "./src/mock/ca.ts";
export { deadline, deadlineOrThrow, type DeadlineResult } from "./src/util/deadline.ts";
export { errorMessage } from "./src/util/error_message.ts";
