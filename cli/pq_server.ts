/**
 * Build (or find) the kit's post-quantum TLS test server ahead of a run, the way `.ci/run` does:
 * `deno run -A cli/pq_server.ts` prints the program's path (in `~/.cache/ron-kit/bin`) and how it
 * was found. `sdk.tls.pq-hybrid` builds it on first use anyway; this only moves the build out of
 * the check's time.
 *
 * @module
 */
import { locatePqServer } from "../conformance/sdk/_pq_server.ts";

/**
 * Find or build the PQ test server and say where it is.
 *
 * @returns the exit code: 0 found or built, 1 not available (Go missing or too old), 2 the build failed
 * @example
 * ```ts ignore
 * import { pqServerMain } from "./pq_server.ts";
 * Deno.exit(await pqServerMain());
 * ```
 */
export async function pqServerMain(): Promise<number> {
  const r = await locatePqServer();
  if (r.ok) {
    console.log(`pq_server: ${r.path} (${r.how})`);
    return 0;
  }
  console.error(`pq_server: ${r.reason}`);
  return r.kind === "unavailable" ? 1 : 2;
}

if (import.meta.main) Deno.exit(await pqServerMain());
