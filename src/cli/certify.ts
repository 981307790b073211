/**
 * `certify` and `chaos`: certify one or more SDKs through their drivers, write the reports,
 * print the scorecard, and exit 0 / 1 / 2.
 *
 * @module
 */
import {
  type CertifyFlags,
  moduleUrl,
  parseCertifyFlags,
  sanitizeName,
  shellQuote,
  splitCommand,
} from "./args.ts";
import { type Out, progress, scorecardText, terminalOut } from "./progress.ts";
import { loadChaosChecks } from "./_optional.ts";
import { sdkRun, unmatchedOnly } from "../engine/runner.ts";
import type { Check } from "../engine/types.ts";
import type { SdkContext } from "../engine/sdk_context.ts";
import { registeredChecks } from "../engine/registry.ts";
import {
  applyExpectations,
  describeParseError,
  type ExpectationFile,
  fixExpectations,
  parseExpectations,
} from "../engine/expect_fail.ts";
import { buildReport, renderJson } from "../report/json.ts";
import { writeReports } from "../report/write.ts";
import {
  buildMatrix,
  type InteropDisagreement,
  renderMatrixHtml,
  renderMatrixMarkdown,
} from "../report/matrix.ts";
import type { Report } from "../schema/report.ts";
import type { HelloResult } from "../schema/protocol.ts";
import { maskCanaries, newCanary } from "../driver/canary.ts";
import { startDriver } from "../driver/host.ts";
import { startMockServer } from "../mock/server.ts";
import { sdkChecks } from "../../conformance/sdk/mod.ts";
import { referenceDriverCommand } from "../../conformance/mutants/sdk.ts";
import { startChaos } from "../../chaos/toxiproxy.ts";
import { interopCompare, type InteropTarget } from "../../conformance/interop.ts";

/** Usage text of `certify` / `chaos`. */
export const CERTIFY_USAGE = `usage: deno task certify|chaos [flags]
  --driver CMD          the driver command line (repeatable; default: the bundled reference client)
  --out DIR             report directory (default: reports/)
  --only ID[,ID]        run only these checks (an id or an id prefix such as sdk.retry)
  --expect-fail FILE    expected failures, one check id a line, # comments
  --fix-expectations    rewrite the expected-failures file to match this run
  --seed N              the run's seed (default: random, printed)
  --json                print report.json to stdout (human output goes to stderr)
  --concurrency N       checks run at once (default: 4)
  --sdk-module URL      the SDK as a TypeScript module exporting createClient(config), for
                        sdk.iso.workers (default with no --driver: the bundled reference client)`;

/**
 * URL of the bundled reference client as an SDK module, optionally as a one-fault mutant.
 *
 * @param mutant a fault name
 * @returns the module URL
 * @example
 * ```ts
 * import { referenceSdkModule } from "./certify.ts";
 * if (!referenceSdkModule("global-token").endsWith("reference.ts?mutant=global-token")) throw new Error();
 * ```
 */
export function referenceSdkModule(mutant?: string): string {
  const url = new URL("../../conformance/modules/reference.ts", import.meta.url);
  if (mutant !== undefined) url.searchParams.set("mutant", mutant);
  return url.href;
}

/** Interop comparison bound, in ms. */
const INTEROP_LIMIT_MS = 120_000;

interface DriverRun {
  /** the --driver text as given, or undefined for the bundled reference */
  given: string | undefined;
  argv: string[];
  outcome: Awaited<ReturnType<typeof sdkRun>>;
  canaries: string[];
}

function withLimit<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} exceeded ${ms} ms`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

async function runInterop(runs: DriverRun[], names: string[], out: Out): Promise<
  { disagreements: InteropDisagreement[]; canaries: string[] }
> {
  const canaries: string[] = [];
  const mock = await startMockServer();
  const targets: InteropTarget[] = [];
  try {
    for (const [i, r] of runs.entries()) {
      if (!r.outcome.ok) continue;
      const s = await startDriver({ command: r.argv, canaries: () => canaries });
      if (s.ok) targets.push({ name: names[i] ?? `sdk-${i}`, session: s.session });
      else out.line(`interop: ${names[i]} did not start: ${maskCanaries(s.detail, canaries)}`);
    }
    if (targets.length < 2) return { disagreements: [], canaries };
    const mint = () => {
      const c = newCanary();
      canaries.push(c);
      return c;
    };
    const r = await withLimit(interopCompare(targets, mock, mint), INTEROP_LIMIT_MS, "interop comparison");
    out.line(`interop: ${r.fixtures} fixtures, ${r.disagreements.length} disagreements`);
    return { disagreements: r.disagreements, canaries };
  } catch (e) {
    out.line(
      `interop comparison failed: ${maskCanaries(e instanceof Error ? e.message : String(e), canaries)}`,
    );
    return { disagreements: [], canaries };
  } finally {
    await Promise.all(targets.map((t) => t.session.close().catch(() => {})));
    await mock.close().catch(() => {});
  }
}

async function readExpectations(
  flags: CertifyFlags,
): Promise<{ ok: true; file: ExpectationFile | undefined } | { ok: false; error: string }> {
  if (!flags.expectFail) return { ok: true, file: undefined };
  let text: string;
  try {
    text = await Deno.readTextFile(flags.expectFail);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound && flags.fixExpectations) return { ok: true, file: undefined };
    return {
      ok: false,
      error: `cannot read ${flags.expectFail}: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
  const p = parseExpectations(text);
  if (!p.ok) return { ok: false, error: describeParseError(p.error) };
  return { ok: true, file: p.value };
}

function targetOf(hello: HelloResult): Report["target"] {
  return {
    name: hello.name,
    version: hello.version,
    language: hello.language,
    capabilities: hello.capabilities,
  };
}

/**
 * Run `certify` (profile "sdk") or `chaos` (profile "chaos").
 *
 * @param args the arguments after the subcommand
 * @param profile which suite
 * @returns the exit code: 0 all applicable MUST pass (after expected failures), 1 a failure, 2 usage/setup
 */
export async function certifyMain(args: string[], profile: "sdk" | "chaos"): Promise<number> {
  const parsed = parseCertifyFlags(args);
  if (!parsed.ok) {
    console.error(`${parsed.error}\n${CERTIFY_USAGE}`);
    return 2;
  }
  const flags = parsed.value;
  if (flags.help) {
    console.log(CERTIFY_USAGE);
    return 0;
  }
  const out = terminalOut(flags.json);
  if (flags.fixExpectations && flags.drivers.length > 1) {
    out.line("--fix-expectations takes one --driver (the file describes one SDK)");
    return 2;
  }
  let checks: Check<SdkContext>[] = sdkChecks;
  const chaosLoaded = await loadChaosChecks();
  if (profile === "chaos") {
    if (!chaosLoaded.ok) {
      out.line(`chaos checks unavailable: ${chaosLoaded.reason}`);
      return 2;
    }
    checks = chaosLoaded.checks;
  }
  const knownIds = new Set<string>([
    ...sdkChecks.map((c) => c.id),
    ...(chaosLoaded.ok ? chaosLoaded.checks.map((c) => c.id) : []),
    ...registeredChecks().map((c) => c.id),
  ]);
  const unmatched = unmatchedOnly(flags.only, checks.map((c) => c.id));
  if (unmatched.length > 0) {
    out.line(`--only: no ${profile} check matches ${unmatched.join(", ")}`);
    return 2;
  }
  const exp = await readExpectations(flags);
  if (!exp.ok) {
    out.line(exp.error);
    return 2;
  }
  const drivers: { given: string | undefined; argv: string[] }[] = [];
  for (const d of flags.drivers) {
    const s = splitCommand(d);
    if (!s.ok) {
      out.line(`--driver ${JSON.stringify(d)}: ${s.error}`);
      return 2;
    }
    drivers.push({ given: d, argv: s.value });
  }
  if (drivers.length === 0) drivers.push({ given: undefined, argv: referenceDriverCommand() });
  if (flags.sdkModule && drivers.length > 1) {
    out.line("--sdk-module takes one --driver (the module is the same SDK as the driver)");
    return 2;
  }
  const sdkModule = flags.sdkModule
    ? moduleUrl(flags.sdkModule, Deno.cwd())
    : flags.drivers.length === 0
    ? referenceSdkModule()
    : undefined;

  let chaos: Awaited<ReturnType<typeof startChaos>> | undefined;
  if (profile === "chaos") {
    chaos = await startChaos({ seed: flags.seed });
    if (!chaos.ok) {
      out.line(`chaos suite cannot run: ${chaos.reason}`);
      return 2;
    }
    out.line(`toxiproxy: ${chaos.version}`);
  }
  out.line(`seed: ${flags.seed}`);
  const runs: DriverRun[] = [];
  try {
    for (const d of drivers) {
      const label = d.given ?? "reference client";
      out.line(`certifying ${label} (${profile})`);
      let canaries: string[] = [];
      const outcome = await sdkRun({
        driverCommand: d.argv,
        seed: flags.seed,
        concurrency: flags.concurrency,
        checks,
        ...(flags.only.length > 0 ? { only: flags.only } : {}),
        ...(chaos?.ok ? { chaos: chaos.env } : {}),
        ...(sdkModule ? { sdkModule } : {}),
        onProgress: progress(out, label, (s) => maskCanaries(s, canaries)),
        deps: {
          startMockServer,
          startDriver,
          newCanary: () => {
            const c = newCanary();
            canaries = [...canaries, c];
            return c;
          },
        },
      });
      out.endStatus();
      runs.push({
        given: d.given,
        argv: d.argv,
        outcome,
        canaries: outcome.ok ? outcome.canaries : canaries,
      });
    }
  } finally {
    if (chaos?.ok) await chaos.close().catch(() => {});
  }

  // names and output directories
  const names: string[] = [];
  for (const r of runs) {
    const base = r.outcome.ok ? r.outcome.target.name : (r.argv.at(-1) ?? "sdk").split("/").at(-1) ?? "sdk";
    let name = sanitizeName(base);
    for (let n = 2; names.includes(name); n++) name = `${sanitizeName(base)}-${n}`;
    names.push(name);
  }
  let interop: InteropDisagreement[] | undefined;
  let interopCanaries: string[] = [];
  if (profile === "sdk" && runs.filter((r) => r.outcome.ok).length > 1) {
    const r = await runInterop(runs, names, out);
    interop = r.disagreements;
    interopCanaries = r.canaries;
  }

  let exit = 0;
  const reports: Report[] = [];
  for (const [i, r] of runs.entries()) {
    const o = r.outcome;
    if (!o.ok) {
      out.line(`${r.given ?? "reference client"}: ${maskCanaries(o.detail, r.canaries)}`);
      exit = 2;
      continue;
    }
    let expected = exp.file?.ids ?? [];
    if (flags.fixExpectations && flags.expectFail) {
      const text = fixExpectations(exp.file, o.results, knownIds);
      await Deno.writeTextFile(flags.expectFail, text);
      const again = parseExpectations(text);
      expected = again.ok ? again.value.ids : [];
      out.line(`rewrote ${flags.expectFail} (${expected.length} expected failures)`);
    }
    const expectations = applyExpectations(o.results, expected, knownIds);
    const task = profile === "sdk" ? "deno task certify" : "deno task chaos";
    let command = r.given === undefined ? task : `${task} --driver ${shellQuote(r.given)}`;
    if (flags.sdkModule) command += ` --sdk-module ${shellQuote(flags.sdkModule)}`;
    const canaries = [...r.canaries, ...interopCanaries];
    const report = buildReport({
      profile,
      target: targetOf(o.target),
      results: o.results,
      seed: flags.seed,
      startedAt: o.startedAt,
      durationMs: o.durationMs,
      command,
      ...(flags.only.length > 0 ? { only: flags.only } : {}),
      expectations,
      canaries,
      ...(interop ? { interop } : {}),
    });
    const dir = runs.length > 1 ? `${flags.out}/${names[i]}` : flags.out;
    await writeReports(dir, report, canaries);
    reports.push(report);
    for (const l of scorecardText(report)) out.line(l);
    out.line(`  reports: ${dir}/report.html`);
    exit = Math.max(exit, expectations.exitCode);
  }
  if (reports.length > 1) {
    const m = buildMatrix(reports);
    await Deno.writeTextFile(`${flags.out}/matrix.md`, renderMatrixMarkdown(m));
    await Deno.writeTextFile(`${flags.out}/matrix.html`, renderMatrixHtml(m));
    out.line(`matrix: ${flags.out}/matrix.html`);
  }
  if (flags.json) {
    const text = reports.length === 1 ? renderJson(reports[0]) : renderJson(reports);
    await Deno.stdout.write(new TextEncoder().encode(text));
  }
  out.line(`exit code ${exit}`);
  return exit;
}
