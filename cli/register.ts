/**
 * Certification under `deno test`: one `Deno.test` per check id, so a vendor's repository needs
 * one short `conformance_test.ts`:
 *
 * ```ts ignore
 * import { registerCertification } from "jsr:@ron/conformance-kit"; // or a relative path
 * await registerCertification({ driver: "python3 driver.py" });
 * ```
 *
 * The certification runs once, lazily, when the first of those tests starts; every test shares
 * that run and reports its own check's verdict (failing with the reason and the masked evidence).
 *
 * Sanitizers: the tests keep `sanitizeExit`, but turn `sanitizeOps` and `sanitizeResources` off.
 * The shared run's mock server, driver processes and timers belong to the run, not to the test that
 * happened to start it, and a check that hit its time limit may still be settling in the background
 * (its driver killed, its reads ending) when the next test begins. The run closes everything it
 * opens (mock server, every driver) before its result is handed out.
 *
 * @module
 */
import { sdkRun, type SdkRunDeps } from "../src/engine/sdk_target.ts";
import { selected } from "../src/engine/runner.ts";
import type { Check, CheckResult } from "../src/engine/types.ts";
import type { SdkContext } from "../src/engine/sdk_context.ts";
import { maskTree } from "../src/engine/mask.ts";
import { splitCommand } from "../src/util/args.ts";

/** Options of {@linkcode registerCertification}. */
export interface RegisterCertificationOptions {
  /** the SDK's driver: a command line (split shell-like, e.g. "python3 driver.py") or an argv */
  driver: string | string[];
  /** only these check ids or id prefixes (e.g. `["sdk.retry", "sdk.tls.verify"]`) @default every sdk check */
  only?: string[];
  /** the run's seed (property suites, jitter) @default 1, so CI runs are reproducible */
  seed?: number;
  /** how many checks run at once @default 4 */
  concurrency?: number;
  /** register each test with this instead of `Deno.test` (e.g. to collect or wrap the definitions) */
  register?: (def: Deno.TestDefinition) => void;
}

/** What {@linkcode registerCertificationWith} lets a test replace (test seams, not public API). */
export interface CertificationSeams {
  /** the checks to register @default every sdk check */
  checks?: readonly Check<SdkContext>[];
  /** the kit modules the run uses (mock server, driver host, canaries) @default the real ones */
  deps?: SdkRunDeps;
}

/** The failure a test throws: the verdict's reason with the masked evidence. */
export class CheckFailure extends Error {
  /** the check's result (masked) */
  readonly result: CheckResult;
  /**
   * Build the failure: the message is `outcome: reason`, then the evidence as JSON.
   *
   * @param result the check's result, already masked (its text goes into the message as is)
   */
  constructor(result: CheckResult) {
    const v = result.verdict;
    const reason = v.outcome === "pass" ? "" : v.reason;
    const evidence = "evidence" in v && v.evidence
      ? `\nevidence: ${JSON.stringify(v.evidence, null, 2)}`
      : "";
    super(`${v.outcome}: ${reason}${evidence}`);
    this.name = "CheckFailure";
    this.result = result;
  }
}

/**
 * Register one `Deno.test` per sdk check id; the certification runs once, when the first test
 * runs, and each test fails with its check's reason and masked evidence.
 *
 * @param opts the driver and selection
 * @returns once the tests are registered (await it at the top level of a test module)
 * @example
 * ```ts
 * import { registerCertification } from "./register.ts";
 * const names: string[] = [];
 * await registerCertification({ driver: "fake-driver", only: ["sdk.retry"], register: (d) => void names.push(d.name) });
 * if (!names.includes("sdk.retry.bounded") || names.some((n) => !n.startsWith("sdk.retry."))) throw new Error();
 * ```
 */
export function registerCertification(opts: RegisterCertificationOptions): Promise<void> {
  return registerCertificationWith(opts, {});
}

/**
 * {@linkcode registerCertification} with test seams: other checks, or fakes of the kit modules
 * the run uses. For the kit's own tests; not exported from mod.ts.
 *
 * @param opts the driver and selection
 * @param seams the checks and kit modules to use instead of the real ones
 * @returns once the tests are registered
 * @example
 * ```ts
 * import { registerCertificationWith } from "./register.ts";
 * const names: string[] = [];
 * await registerCertificationWith({ driver: "fake-driver", register: (d) => void names.push(d.name) }, { checks: [] });
 * if (names.length !== 0) throw new Error();
 * ```
 */
export async function registerCertificationWith(
  opts: RegisterCertificationOptions,
  seams: CertificationSeams,
): Promise<void> {
  let argv: string[];
  if (typeof opts.driver === "string") {
    const s = splitCommand(opts.driver);
    if (!s.ok) throw new Error(`registerCertification: driver ${JSON.stringify(opts.driver)}: ${s.error}`);
    argv = s.value;
  } else argv = opts.driver;
  const checks = seams.checks ?? (await import("../conformance/sdk/mod.ts")).sdkChecks;
  const ids = checks.map((c) => c.id).filter((id) => selected(id, opts.only)).sort((a, b) =>
    a.localeCompare(b)
  );
  const seed = opts.seed ?? 1;
  let shared: Promise<Map<string, CheckResult>> | undefined;
  const run = () =>
    shared ??= sdkRun({
      driverCommand: argv,
      seed,
      checks,
      concurrency: opts.concurrency ?? 4,
      ...(opts.only ? { only: opts.only } : {}),
      ...(seams.deps ? { deps: seams.deps } : {}),
    }).then((o) => {
      if (!o.ok) throw new Error(`certification could not run: ${o.detail}`);
      return new Map(o.results.map((r) => [r.id, maskTree(r, o.canaries)]));
    });
  const register = opts.register ?? ((d: Deno.TestDefinition) => Deno.test(d));
  for (const id of ids) {
    register({
      name: id,
      sanitizeOps: false,
      sanitizeResources: false,
      fn: async () => {
        const results = await run();
        const r = results.get(id);
        if (!r) throw new Error(`${id}: no result (not part of the run)`);
        const o = r.verdict.outcome;
        if (o === "fail" || o === "error") throw new CheckFailure(r);
        if (o === "not_applicable") console.log(`${id}: not applicable: ${r.verdict.reason}`);
      },
    });
  }
}

/** Options of {@linkcode registerSelftest}. */
export interface RegisterSelftestOptions {
  /** only these profiles, by name (e.g. `["svc"]`) @default every profile */
  profiles?: readonly string[];
  /** the seed of every row's run @default 1 */
  seed?: number;
  /** register each test with this instead of `Deno.test` (e.g. to collect or wrap the definitions) */
  register?: (def: Deno.TestDefinition) => void;
}

/**
 * Register the mutation matrix under `deno test`: one test per selftest row (`sdk:reference`,
 * `svc:accept-alg-none`, …). Every row runs once, through the selftest's pool, when the first test starts;
 * each test fails with what its row missed. A profile whose tool is missing (Toxiproxy) fails
 * its tests in CI and is ignored elsewhere.
 *
 * @param opts profiles and seed
 * @returns once the tests are registered
 * @example
 * ```ts
 * import { registerSelftest } from "./register.ts";
 * const names: string[] = [];
 * await registerSelftest({ profiles: ["svc"], register: (d) => void names.push(d.name) });
 * if (!names.includes("selftest svc:reference")) throw new Error(names.join());
 * ```
 */
export async function registerSelftest(opts: RegisterSelftestOptions = {}): Promise<void> {
  const { PROFILES } = await import("./profiles.ts");
  const { runMatrix, selftestJobs } = await import("./selftest.ts");
  const register = opts.register ?? ((d: Deno.TestDefinition) => Deno.test(d));
  const chosen = PROFILES.filter((p) => !opts.profiles || opts.profiles.includes(p.name));
  // every profile's rows run once, together, through the selftest's pool, when the first test starts
  let shared: ReturnType<typeof runMatrix> | undefined;
  const run = () => shared ??= runMatrix(chosen, { seed: opts.seed ?? 1 });
  for (const profile of chosen) {
    for (const job of selftestJobs(profile)) {
      register({
        name: `selftest ${job.name}`,
        sanitizeOps: false,
        sanitizeResources: false,
        fn: async () => {
          const r = (await run()).profiles.get(profile.name);
          if (!r) throw new Error(`${profile.name}: no result`);
          if (!r.ok) {
            if (r.unavailable && !Deno.env.get("CI")) {
              console.log(`${job.name}: skipped: ${r.error}`);
              return;
            }
            throw new Error(`${profile.name} could not start: ${r.error}`);
          }
          const row = r.rows.find((x) => x.mutant === job.name);
          if (!row) throw new Error(`${job.name}: no row`);
          if (!row.ok) throw new Error(`${job.name}: ${row.missed.join("; ")}`);
        },
      });
    }
  }
}
