/**
 * The run session of the SDK-driven profiles (`sdk`, and `chaos` with a Toxiproxy in between):
 * targets from `--driver` (default: the bundled reference client), the reference and its
 * mutants for the selftest, and the interop comparison of several drivers.
 *
 * @module
 */
import type {
  Comparison,
  ProfileFlags,
  ProfileSession,
  Result,
  TargetSpec,
} from "../../src/engine/profile.ts";
import { flagValues } from "../../src/engine/profile.ts";
import type { SdkContext } from "../../src/engine/sdk_context.ts";
import { openSdkTarget, type ScopableChaos } from "../../src/engine/sdk_target.ts";
import { maskCanaries, newCanary } from "../../src/driver/canary.ts";
import { startDriver } from "../../src/driver/host.ts";
import { startMockServer } from "../../src/mock/server.ts";
import { moduleUrl, shellQuote, splitCommand } from "../../src/util/args.ts";
import { deadlineOrThrow } from "../../src/util/deadline.ts";
import { errorMessage } from "../../src/util/error_message.ts";
import { cleanupSdkMutants, referenceDriverCommand, referenceSdkModule } from "../mutants/sdk.ts";
import { interopCompare, type InteropTarget } from "../interop.ts";

/** Interop comparison bound, in ms. */
const INTEROP_LIMIT_MS = 120_000;

/** The flags of the SDK-driven profiles. */
export const SDK_FLAGS = [
  {
    name: "--driver",
    value: "CMD",
    repeat: true,
    help: "the driver command line (repeat it to compare SDKs; default: the bundled reference client)",
  },
  {
    name: "--sdk-module",
    value: "URL",
    help: "the SDK as a TypeScript module exporting createClient(config), for sdk.iso.workers",
  },
] as const;

/**
 * `--sdk-module` names one SDK: it cannot go with several drivers.
 *
 * @param flags the profile flags
 * @returns ok, or the usage error
 */
export function checkSdkFlags(flags: ProfileFlags): Result<true> {
  if (flagValues(flags, "--sdk-module").length > 0 && flagValues(flags, "--driver").length > 1) {
    return { ok: false, error: "--sdk-module takes one --driver (the module is the same SDK as the driver)" };
  }
  return { ok: true, value: true };
}

/** Options of {@linkcode sdkSession}. */
export interface SdkSessionOptions {
  /** the task, for re-run commands: "certify" or "chaos" */
  task: string;
  seed: number;
  /** the chaos environment (chaos profile) */
  chaos?: ScopableChaos;
  banner?: string[];
  /** stop what the session started (chaos: Toxiproxy) */
  close?(): Promise<void>;
}

function spec(
  opts: SdkSessionOptions,
  label: string,
  command: string,
  driverCommand: string[],
  sdkModule: string | undefined,
): TargetSpec<SdkContext> {
  return {
    label,
    command,
    open: () =>
      openSdkTarget({
        driverCommand,
        seed: opts.seed,
        ...(opts.chaos ? { chaos: opts.chaos } : {}),
        ...(sdkModule ? { sdkModule } : {}),
      }),
  };
}

async function compare(
  targets: readonly { name: string; spec: TargetSpec<SdkContext> }[],
): Promise<Comparison> {
  const canaries: string[] = [];
  const lines: string[] = [];
  const sessions: InteropTarget[] = [];
  const mock = await startMockServer();
  try {
    for (const t of targets) {
      const argv = driverOf.get(t.spec);
      if (!argv) continue;
      const s = await startDriver({ command: argv, canaries: () => canaries });
      if (s.ok) sessions.push({ name: t.name, session: s.session });
      else lines.push(`interop: ${t.name} did not start: ${maskCanaries(s.detail, canaries)}`);
    }
    if (sessions.length < 2) return { disagreements: [], canaries, lines };
    const mint = () => {
      const c = newCanary();
      canaries.push(c);
      return c;
    };
    const r = await deadlineOrThrow(
      interopCompare(sessions, mock, mint),
      INTEROP_LIMIT_MS,
      "interop comparison",
    );
    lines.push(`interop: ${r.fixtures} fixtures, ${r.disagreements.length} disagreements`);
    return { disagreements: r.disagreements, canaries, lines };
  } catch (e) {
    lines.push(`interop comparison failed: ${maskCanaries(errorMessage(e), canaries)}`);
    return { disagreements: [], canaries, lines };
  } finally {
    await Promise.all(sessions.map((t) => t.session.close().catch(() => {})));
    await mock.close().catch(() => {});
  }
}

const driverOf = new WeakMap<TargetSpec<SdkContext>, string[]>();

/**
 * The session of an SDK-driven profile.
 *
 * @param opts the task, seed and chaos environment
 * @returns the session
 */
export function sdkSession(opts: SdkSessionOptions): ProfileSession<SdkContext> {
  const task = `deno task ${opts.task}`;
  const make = (label: string, command: string, argv: string[], sdkModule: string | undefined) => {
    const s = spec(opts, label, command, argv, sdkModule);
    driverOf.set(s, argv);
    return s;
  };
  return {
    banner: opts.banner ?? [],
    targets(flags: ProfileFlags): Result<TargetSpec<SdkContext>[]> {
      const drivers = flagValues(flags, "--driver");
      const sdkModuleFlag = flagValues(flags, "--sdk-module")[0];
      const moduleSuffix = sdkModuleFlag ? ` --sdk-module ${shellQuote(sdkModuleFlag)}` : "";
      const sdkModule = sdkModuleFlag ? moduleUrl(sdkModuleFlag, Deno.cwd()) : undefined;
      if (drivers.length === 0) {
        return {
          ok: true,
          value: [
            make(
              "reference client",
              task + moduleSuffix,
              referenceDriverCommand(),
              sdkModule ?? referenceSdkModule(),
            ),
          ],
        };
      }
      const out: TargetSpec<SdkContext>[] = [];
      for (const d of drivers) {
        const argv = splitCommand(d);
        if (!argv.ok) return { ok: false, error: `--driver ${JSON.stringify(d)}: ${argv.error}` };
        out.push(make(d, `${task} --driver ${shellQuote(d)}${moduleSuffix}`, argv.value, sdkModule));
      }
      return { ok: true, value: out };
    },
    reference: (mutant?: string) =>
      make(
        mutant ?? "reference client",
        task,
        referenceDriverCommand(mutant),
        referenceSdkModule(mutant),
      ),
    compare,
    close: async () => {
      await cleanupSdkMutants();
      await opts.close?.();
    },
  };
}
