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
  /**
   * export the run's CA the standard ways (SSL_CERT_FILE, NODE_EXTRA_CA_CERTS, …) @default true;
   * `false` for a check whose rule is that the SDK trusts the CA it is *given* (`ca_cert_pem`)
   */
  exportCaEnv?: boolean;
}

/** A toxic to add to a chaos proxy (Toxiproxy's model). */
export interface Toxic {
  type: "latency" | "timeout" | "reset_peer" | "slicer" | "limit_data" | "bandwidth" | "slow_close";
  stream?: "upstream" | "downstream";
  /** probability 0..1 that a connection gets the toxic (default 1) */
  toxicity?: number;
  attributes: Record<string, number>;
}

/** One Toxiproxy proxy in front of a mock-server port, owned by one check. */
export interface ChaosProxy {
  /** the port the SDK should connect to (on 127.0.0.1) */
  readonly listenPort: number;
  addToxic(toxic: Toxic): Promise<void>;
  /** disable the proxy (connections refused), or enable it again */
  setEnabled(enabled: boolean): Promise<void>;
}

/** What the chaos suite adds to an SDK check's context. */
export interface ChaosEnv {
  /** e.g. "toxiproxy-server 2.12.0" */
  readonly serverVersion: string;
  /** a proxy in front of 127.0.0.1:`upstreamPort`; removed when the check ends */
  createProxy(upstreamPort: number): Promise<ChaosProxy>;
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
  /**
   * URL of the SDK as a TypeScript module (the worker contract in README: it exports
   * `createClient(config)`), present when the SDK is one (`--sdk-module`, or the bundled reference)
   */
  readonly sdkModule?: string;
  /** present only in the chaos suite (`deno task chaos`) */
  readonly chaos?: ChaosEnv;
}
