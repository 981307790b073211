/**
 * The chaos suite (`deno task chaos`): Toxiproxy between the SDK and the mock server injects
 * latency, a half-open connection, resets, an outage, slicing, truncation, a throttled body and a
 * fraction of resets. Seed 000 §7.3 (and §2.2, §4.4). Toxiproxy cannot delay a TCP connect (the
 * kernel accepts), so no check here claims to test a connect timeout. Every verdict's evidence
 * names the toxics and their attributes, the configured timeouts and retries, the connection
 * attempts the proxy saw, the requests the mock server saw, and the time.
 *
 * - {@link chaosChecks}: the eight `chaos.*` checks (`defineCheck` values, registered on import).
 *   The id `chaos.<name>` lives in `chaos/<name>.ts`, `-` written `_` (`chaos.half-open` →
 *   `chaos/half_open.ts`); {@link chaosAreas} maps each file to its checks.
 * - {@link startChaos}: find or install `toxiproxy-server`, start it on 127.0.0.1, and get the
 *   {@link KitChaosEnv} to put in `SdkContext.chaos` (use `env.scope()` per check and `dispose()`
 *   it when the check ends; `close()` when the run ends).
 *
 * @module
 */
import type { Check } from "../src/engine/types.ts";
import type { SdkContext } from "../src/engine/sdk_context.ts";
import { checks as latency } from "./latency.ts";
import { checks as half_open } from "./half_open.ts";
import { checks as reset } from "./reset.ts";
import { checks as down } from "./down.ts";
import { checks as slicer } from "./slicer.ts";
import { checks as truncated } from "./truncated.ts";
import { checks as bandwidth } from "./bandwidth.ts";
import { checks as flaky } from "./flaky.ts";

export {
  INSTALL_HINT,
  type KitChaosEnv,
  type KitChaosProxy,
  type ScopedChaosEnv,
  startChaos,
  type StartChaosOptions,
  type StartChaosResult,
  TOXIPROXY_VERSION,
} from "./toxiproxy.ts";

/**
 * Each check file's checks, by the file's base name, in catalogue order (`half_open` →
 * `chaos/half_open.ts`, which defines `chaos.half-open`).
 *
 * @example
 * ```ts
 * import { chaosAreas } from "./mod.ts";
 * for (const [file, checks] of Object.entries(chaosAreas)) {
 *   for (const c of checks) if (c.id !== `chaos.${file.replaceAll("_", "-")}`) throw new Error(c.id);
 * }
 * ```
 */
export const chaosAreas: Readonly<Record<string, readonly Check<SdkContext>[]>> = Object.freeze({
  latency,
  half_open,
  reset,
  down,
  slicer,
  truncated,
  bandwidth,
  flaky,
});

/**
 * Every chaos check, in catalogue order.
 *
 * @example
 * ```ts
 * import { chaosChecks } from "./mod.ts";
 * if (chaosChecks.length !== 8 || !chaosChecks.every((c) => c.id.startsWith("chaos."))) throw new Error();
 * ```
 */
export const chaosChecks: Check<SdkContext>[] = Object.values(chaosAreas).flat();
