/**
 * The context a `secrets.*` check runs in: the run's mock OpenBao (each check reserves its own
 * scenarios), the driver's `hello`, fresh drivers and fresh canary tokens. Internal to the profile.
 *
 * @module
 */
import type { BaseContext } from "../../src/engine/types.ts";
import type { DriverSession } from "../../src/driver/types.ts";
import type { BaoScenario, BaoScript } from "../../src/mock/bao/types.ts";
import type { HelloResult } from "../../src/schema/protocol.ts";

/** The context of a secrets check. Every driver and scenario it opens is closed when it ends. */
export interface SecretsCheckContext extends BaseContext {
  /** the driver's `hello`, read once at the start of the run */
  readonly target: HelloResult;
  /** the capabilities the driver declared */
  readonly capabilities: ReadonlySet<string>;
  /** PEM of the CA the mock's HTTPS listeners chain to (give it to the SDK) */
  readonly caCertPem: string;
  /** reserve a scenario of the mock OpenBao (its own listeners, store, PDP and records) */
  scenario(script: BaoScript): Promise<BaoScenario>;
  /** a fresh canary token (`ronc_` + 32 hex), registered so every report masks it */
  newCanary(): string;
  /** start a fresh driver process (fresh cwd, HOME and TMPDIR), after `hello` */
  startDriver(): Promise<DriverSession>;
}
