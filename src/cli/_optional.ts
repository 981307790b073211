/**
 * Modules the CLI uses that other parts of the kit provide and that may not exist in every
 * checkout (chaos checks, the server CLI). They are loaded at run time by computed specifier,
 * and their shape is verified, so `certify` still works when one of them is missing.
 *
 * @module
 */
import { z } from "zod";
import type { Check } from "../engine/types.ts";
import type { SdkContext } from "../engine/sdk_context.ts";
import type { SelftestRow } from "../report/matrix.ts";

async function load(
  rel: string,
): Promise<{ ok: true; mod: Record<string, unknown> } | { ok: false; reason: string }> {
  const spec = new URL(rel, import.meta.url).href;
  try {
    const mod: unknown = await import(spec);
    if (typeof mod !== "object" || mod === null) return { ok: false, reason: `${rel} did not load` };
    return { ok: true, mod: { ...mod } };
  } catch (e) {
    return { ok: false, reason: `${rel} could not be loaded: ${e instanceof Error ? e.message : String(e)}` };
  }
}

function isCheck(v: unknown): v is Check<SdkContext> {
  if (typeof v !== "object" || v === null) return false;
  const o: Record<string, unknown> = { ...v };
  return typeof o.id === "string" && typeof o.title === "string" &&
    (o.level === "MUST" || o.level === "SHOULD") &&
    typeof o.source === "string" && Array.isArray(o.requires) && Array.isArray(o.mutants) &&
    typeof o.run === "function";
}

/**
 * The chaos checks (`chaos/mod.ts`, `chaosChecks`).
 *
 * @returns the checks, or why they are unavailable
 */
export async function loadChaosChecks(): Promise<
  { ok: true; checks: Check<SdkContext>[] } | { ok: false; reason: string }
> {
  const m = await load("../../chaos/mod.ts");
  if (!m.ok) return m;
  const list = m.mod.chaosChecks;
  if (!Array.isArray(list) || !list.every(isCheck)) {
    return { ok: false, reason: "chaos/mod.ts does not export chaosChecks as a list of checks" };
  }
  return { ok: true, checks: list };
}

const SelftestRowSchema = z.object({
  mutant: z.string(),
  expected: z.array(z.string()),
  caught: z.array(z.string()),
  missed: z.array(z.string()),
  ok: z.boolean(),
});

/** The server CLI (`src/cli/server.ts`). */
export interface ServerModule {
  serverMain(args: string[]): Promise<number>;
  serverSelftest(opts: { seed: number; concurrency: number }): Promise<SelftestRow[]>;
}

/**
 * Load the server CLI module.
 *
 * @returns the module's two entry points, or why it is unavailable
 */
export async function loadServerModule(): Promise<
  { ok: true; value: ServerModule } | { ok: false; reason: string }
> {
  const m = await load("./server.ts");
  if (!m.ok) return m;
  const main = m.mod.serverMain;
  const selftest = m.mod.serverSelftest;
  if (typeof main !== "function") {
    return { ok: false, reason: "src/cli/server.ts does not export serverMain()" };
  }
  return {
    ok: true,
    value: {
      serverMain: async (args) => {
        const code: unknown = await main(args);
        return typeof code === "number" ? code : 2;
      },
      serverSelftest: async (opts) => {
        if (typeof selftest !== "function") {
          throw new Error("src/cli/server.ts does not export serverSelftest()");
        }
        const r: unknown = await selftest(opts);
        const parsed = z.union([z.array(SelftestRowSchema), SelftestRowSchema]).safeParse(r);
        if (!parsed.success) {
          throw new Error(`serverSelftest() returned an unexpected shape: ${z.prettifyError(parsed.error)}`);
        }
        return Array.isArray(parsed.data) ? parsed.data : [parsed.data];
      },
    },
  };
}
