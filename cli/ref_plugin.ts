/**
 * Build (or find) the rpc profile's reference plugin ahead of a run, the way `.ci/run` does:
 * `deno run -A cli/ref_plugin.ts` prints the program's path (in `~/.cache/ron-kit/bin`) and how it
 * was found. `deno task certify:rpc` builds it on first use anyway.
 *
 * @module
 */
import { locateRefPlugin } from "../conformance/rpc/_ref_plugin.ts";

/**
 * Find or build the reference plugin and say where it is.
 *
 * @returns the exit code: 0 found or built, 1 not available (no Go), 2 the build failed
 * @example
 * ```ts ignore
 * import { refPluginMain } from "./ref_plugin.ts";
 * Deno.exit(await refPluginMain());
 * ```
 */
export async function refPluginMain(): Promise<number> {
  const r = await locateRefPlugin();
  if (r.ok) {
    console.log(`ref_plugin: ${r.path} (${r.how})`);
    return 0;
  }
  console.error(`ref_plugin: ${r.reason}`);
  return r.kind === "unavailable" ? 1 : 2;
}

if (import.meta.main) Deno.exit(await refPluginMain());
