/**
 * The SDK module contract for `sdk.iso.workers`: a TypeScript SDK is certified in
 * Deno workers by a module that exports `createClient`. The kit loads it in 8 workers,
 * each with `net` limited to the mock server and no read, write, env, run, ffi or sys
 * permission, so an SDK that needs them is caught (the denial is named in the verdict).
 *
 * @module
 */

/** What the kit passes to `createClient`. */
export interface ModuleClientConfig {
  /** https base URL of the mock scenario */
  baseUrl: string;
  /** this instance's capability token */
  token: string;
  /** PEM of the CA to trust */
  caCertPem: string;
}

/** The minimal client the kit drives in a worker. */
export interface ModuleClient {
  /** send one request; resolve with its status, reject with the SDK's error */
  request(req: { method: string; path: string }): Promise<{ status: number }>;
  /** release resources (optional) */
  close?(): void | Promise<void>;
}

/** The module's export. */
export type CreateClient = (config: ModuleClientConfig) => ModuleClient | Promise<ModuleClient>;
