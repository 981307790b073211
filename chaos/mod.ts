/**
 * The chaos suite (`deno task chaos`): Toxiproxy between the SDK and the mock server.
 *
 * - {@link chaosChecks}: the eight `chaos.*` checks (`defineCheck` values, registered on import).
 * - {@link startChaos}: find or install `toxiproxy-server`, start it on 127.0.0.1, and get the
 *   {@link KitChaosEnv} to put in `SdkContext.chaos` (use `env.scope()` per check and `dispose()`
 *   it when the check ends; `close()` when the run ends).
 *
 * @module
 */
import type { Check } from "../src/engine/types.ts";
import type { SdkContext } from "../src/engine/sdk_context.ts";
import { CHAOS_CHECKS } from "./checks.ts";

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
 * Every chaos check, in catalogue order (CHECKS.md § Chaos).
 *
 * @example
 * ```ts
 * import { chaosChecks } from "./mod.ts";
 * if (chaosChecks.length !== 8 || !chaosChecks.every((c) => c.id.startsWith("chaos."))) throw new Error();
 * ```
 */
export const chaosChecks: Check<SdkContext>[] = CHAOS_CHECKS;

/** TEMPORARY (replaced by the area lists): checks grouped by the area their id names. */
export const chaosAreas: Readonly<Record<string, readonly Check<SdkContext>[]>> = Object.groupBy(
  chaosChecks,
  (c) => (c.id.split(".")[1] ?? "").replaceAll("-", "_"),
) as Record<string, Check<SdkContext>[]>;
