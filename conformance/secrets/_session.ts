/**
 * The run session of the `secrets` profile: targets from `--driver` (default: the bundled reference
 * secrets client), the reference and its one-fault mutants for the selftest, and how a target opens
 * (the mock OpenBao started, the driver's `hello` read once, a context per check). Internal.
 *
 * @module
 */
import type { ContextLease } from "../../src/engine/runner.ts";
import type {
  OpenTarget,
  ProfileFlags,
  ProfileSession,
  Result,
  TargetSpec,
} from "../../src/engine/profile.ts";
import { flagValues } from "../../src/engine/profile.ts";
import type { Check } from "../../src/engine/types.ts";
import type { DriverSession } from "../../src/driver/types.ts";
import { newCanary } from "../../src/driver/canary.ts";
import { startDriver } from "../../src/driver/host.ts";
import { startBaoMock } from "../../src/mock/bao/server.ts";
import type { BaoScenario, BaoScript } from "../../src/mock/bao/types.ts";
import { shellQuote, splitCommand } from "../../src/util/args.ts";
import { errorMessage } from "../../src/util/error_message.ts";
import { secretsDriverCommand } from "../mutants/secrets.ts";
import type { SecretsCheckContext } from "./_context.ts";

/** The default time limit of a secrets check, in ms. */
export const SECRETS_TIME_LIMIT_MS = 15_000;

/** The flags of the secrets profile. */
export const SECRETS_FLAGS = [
  {
    name: "--driver",
    value: "CMD",
    repeat: true,
    help: "the secrets SDK's driver command line (default: the bundled reference secrets client)",
  },
] as const;

/**
 * Open a secrets target: start the mock OpenBao, start the driver once for its `hello`, and return
 * the context factory. A driver that does not start is a usage error (`ok: false`).
 *
 * @param driverCommand the driver's argv
 * @param seed the run's seed
 * @returns the open target, or why it could not open
 */
export async function openSecretsTarget(
  driverCommand: string[],
  seed: number,
): Promise<Result<OpenTarget<SecretsCheckContext>>> {
  const canaries = new Set<string>();
  const canaryList = () => [...canaries];
  let bao: Awaited<ReturnType<typeof startBaoMock>>;
  try {
    bao = await startBaoMock();
  } catch (e) {
    return { ok: false, error: `the mock OpenBao did not start: ${errorMessage(e)}` };
  }
  const first = await startDriver({ command: driverCommand, canaries: canaryList, caCertPem: bao.caCertPem })
    .catch((e: unknown) => ({ ok: false as const, detail: errorMessage(e) }));
  if (!first.ok) {
    await bao.close().catch(() => {});
    return { ok: false, error: `driver did not start: ${first.detail}` };
  }
  const hello = first.session.hello;
  await first.session.close().catch(() => {});
  const capabilities = new Set<string>(hello.capabilities);
  const makeContext = (
    check: Check<SecretsCheckContext>,
    signal: AbortSignal,
    note: (line: string) => void,
  ): Promise<ContextLease<SecretsCheckContext>> => {
    const sessions: DriverSession[] = [];
    const scenarios: BaoScenario[] = [];
    const ctx: SecretsCheckContext = {
      seed,
      signal,
      timeLimitMs: check.timeLimitMs ?? SECRETS_TIME_LIMIT_MS,
      note,
      target: hello,
      capabilities,
      caCertPem: bao.caCertPem,
      async scenario(script: BaoScript): Promise<BaoScenario> {
        const sc = await bao.scenario(script);
        scenarios.push(sc);
        if (signal.aborted) throw new Error("scenario reserved after the check's time limit");
        return sc;
      },
      newCanary: () => {
        const c = newCanary();
        canaries.add(c);
        return c;
      },
      async startDriver(): Promise<DriverSession> {
        const r = await startDriver({
          command: driverCommand,
          canaries: canaryList,
          caCertPem: bao.caCertPem,
        });
        if (!r.ok) throw new Error(`driver did not start: ${r.detail}`);
        sessions.push(r.session);
        if (signal.aborted) throw new Error("driver started after the check's time limit");
        return r.session;
      },
    };
    return Promise.resolve({
      ctx,
      dispose: async () => {
        await Promise.all(sessions.splice(0).map((s) => s.close().catch(() => {})));
        await Promise.all(scenarios.splice(0).map((s) => s.release().catch(() => {})));
      },
    });
  };
  return {
    ok: true,
    value: {
      info: {
        name: hello.name,
        version: hello.version,
        language: hello.language,
        capabilities: [...hello.capabilities],
      },
      capabilities,
      canaries: canaryList,
      defaultTimeLimitMs: SECRETS_TIME_LIMIT_MS,
      makeContext,
      close: () => bao.close().catch(() => {}),
    },
  };
}

function spec(label: string, command: string, argv: string[], seed: number): TargetSpec<SecretsCheckContext> {
  return { label, command, open: () => openSecretsTarget(argv, seed) };
}

/**
 * The session of the secrets profile.
 *
 * @param seed the run's seed
 * @returns the session: `--driver` targets, or the reference and its mutants
 */
export function secretsSession(seed: number): ProfileSession<SecretsCheckContext> {
  const task = "deno task certify:secrets";
  return {
    banner: [],
    targets(flags: ProfileFlags): Result<TargetSpec<SecretsCheckContext>[]> {
      const drivers = flagValues(flags, "--driver");
      if (drivers.length === 0) {
        return { ok: true, value: [spec("reference secrets client", task, secretsDriverCommand(), seed)] };
      }
      const out: TargetSpec<SecretsCheckContext>[] = [];
      for (const d of drivers) {
        const argv = splitCommand(d);
        if (!argv.ok) return { ok: false, error: `--driver ${JSON.stringify(d)}: ${argv.error}` };
        out.push(spec(d, `${task} --driver ${shellQuote(d)}`, argv.value, seed));
      }
      return { ok: true, value: out };
    },
    reference: (mutant?: string) =>
      spec(mutant ?? "reference secrets client", task, secretsDriverCommand(mutant), seed),
    close: () => Promise.resolve(),
  };
}
