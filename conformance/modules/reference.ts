/**
 * The reference client as an SDK module (see `contract.ts`). A `?mutant=NAME` query on
 * this module's URL selects a one-fault variant for the selftest.
 *
 * @module
 */
import { RonClient } from "../../src/client/mod.ts";
import { isClientFault, withFault } from "../../src/client/_faults.ts";
import type { ModuleClient, ModuleClientConfig } from "./contract.ts";

const mutant = new URL(import.meta.url).searchParams.get("mutant");

/**
 * Build a reference client for a worker.
 *
 * @param config base URL, token and CA from the kit
 * @returns the module client
 */
export function createClient(config: ModuleClientConfig): ModuleClient {
  const client = new RonClient(withFault({
    baseUrl: config.baseUrl,
    token: config.token,
    caCertPem: config.caCertPem,
  }, isClientFault(mutant) ? mutant : undefined));
  return {
    async request(req) {
      const r = await client.request({ method: req.method, path: req.path });
      return { status: r.status };
    },
    close() {
      return client.close();
    },
  };
}
