/**
 * The context an `sdk.*` / `chaos.*` check runs in.
 *
 * @module
 */
import type { BaseContext } from "./types.ts";
import type { MockServer } from "../mock/types.ts";
import type { DriverSession } from "../driver/types.ts";
import type { HelloResult } from "../schema/protocol.ts";

/** Options for starting a driver. */
export interface StartDriverOptions {
  /** extra environment variables for the driver process */
  env?: Record<string, string>;
}

/** The context of an SDK check. Every driver it starts is closed when the check ends. */
export interface SdkContext extends BaseContext {
  /** the shared mock server (reserve a scenario per check) */
  readonly mock: MockServer;
  /** the driver's `hello` (name, version, capabilities), read once at the start of the run */
  readonly target: HelloResult;
  /** the driver command line (argv) being certified */
  readonly driverCommand: string[];
  /** a fresh canary token (`ronc_` + 32 hex), registered so every report masks it */
  newCanary(): string;
  /** start a fresh driver process (fresh cwd/HOME/TMPDIR), after `hello` */
  startDriver(opts?: StartDriverOptions): Promise<DriverSession>;
}
