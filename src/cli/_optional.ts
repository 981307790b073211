/**
 * Parts of the kit the CLI loads on demand (the chaos checks, the server CLI), so a subcommand
 * only loads what it uses and a module that fails to load is reported, not fatal to the others.
 *
 * @module
 */
import type { Check } from "../engine/types.ts";
import type { SdkContext } from "../engine/sdk_context.ts";
import type { SelftestRow } from "../report/matrix.ts";

function why(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * The chaos checks (`chaos/mod.ts`, `chaosChecks`).
 *
 * @returns the checks, or why they are unavailable
 */
export async function loadChaosChecks(): Promise<
  { ok: true; checks: Check<SdkContext>[] } | { ok: false; reason: string }
> {
  try {
    const { chaosChecks } = await import("../../chaos/mod.ts");
    return { ok: true, checks: chaosChecks };
  } catch (e) {
    return { ok: false, reason: `chaos/mod.ts could not be loaded: ${why(e)}` };
  }
}

/** The server CLI (`src/cli/server.ts`). */
export interface ServerModule {
  serverMain(args: string[]): Promise<number>;
  serverSelftest(opts: { seed: number; concurrency?: number }): Promise<SelftestRow[]>;
}

/**
 * Load the server CLI module.
 *
 * @returns the module's two entry points, or why it is unavailable
 */
export async function loadServerModule(): Promise<
  { ok: true; value: ServerModule } | { ok: false; reason: string }
> {
  try {
    const { serverMain, serverSelftest } = await import("./server.ts");
    return { ok: true, value: { serverMain, serverSelftest } };
  } catch (e) {
    return { ok: false, reason: `src/cli/server.ts could not be loaded: ${why(e)}` };
  }
}
