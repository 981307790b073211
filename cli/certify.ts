/**
 * The one pipeline every profile's task runs: flags, `--only`, expectations, the run of each
 * target, the comparison of several targets, reports, scorecard and exit code. A profile only
 * says how its targets open (`src/engine/profile.ts`).
 *
 * Exit codes: 0 every applicable MUST passes (after expected failures), 1 a failure, 2 a usage,
 * config or target-start error.
 *
 * @module
 */
import type { Profile, RunnableTarget } from "../src/engine/profile.ts";
import { selected, unmatchedOnly } from "../src/engine/runner.ts";
import type { CheckResult } from "../src/engine/types.ts";
import {
  applyExpectations,
  describeParseError,
  type ExpectationFile,
  fixExpectations,
  parseExpectations,
} from "../src/engine/expect_fail.ts";
import { buildReport, renderJson } from "../src/report/json.ts";
import { writeReports } from "../src/report/write.ts";
import {
  buildMatrix,
  type InteropDisagreement,
  renderMatrixHtml,
  renderMatrixMarkdown,
} from "../src/report/matrix.ts";
import type { Report } from "../src/schema/report.ts";
import { maskCanaries } from "../src/driver/canary.ts";
import { closeAll } from "../src/driver/host.ts";
import { deadline } from "../src/util/deadline.ts";
import { sanitizeName } from "../src/util/args.ts";
import { errorMessage } from "../src/util/error_message.ts";
import { type CommonFlags, parseFlags, usage } from "./flags.ts";
import { openReporter, type Out, type Reporter, scorecardText } from "./progress.ts";
import { ALL_CHECK_IDS } from "./profiles.ts";
import { shardIds } from "./shard.ts";

type Expectations = { ok: true; file: ExpectationFile | undefined } | { ok: false; error: string };

async function readExpectations(flags: CommonFlags): Promise<Expectations> {
  if (!flags.expectFail) return { ok: true, file: undefined };
  let text: string;
  try {
    text = await Deno.readTextFile(flags.expectFail);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound && flags.fixExpectations) return { ok: true, file: undefined };
    return { ok: false, error: `--expect-fail ${flags.expectFail}: cannot read it: ${errorMessage(e)}` };
  }
  const p = parseExpectations(text);
  if (!p.ok) return { ok: false, error: `--expect-fail ${flags.expectFail}: ${describeParseError(p.error)}` };
  return { ok: true, file: p.value };
}

/** `--out` must be a directory the kit can write, checked before the run (not after it). */
async function checkOutDir(dir: string): Promise<{ ok: true } | { ok: false; error: string }> {
  try {
    await Deno.mkdir(dir, { recursive: true });
    const probe = await Deno.makeTempFile({ dir, prefix: ".ron-write-check-" });
    await Deno.remove(probe);
    return { ok: true };
  } catch (e) {
    return { ok: false, error: `--out ${dir}: not a writable directory: ${errorMessage(e)}` };
  }
}

/** What {@link stopOnSignals} returns. */
export interface SignalStop {
  /** also run this (bounded) when a signal stops the kit, e.g. close the profile's session */
  also(cleanup: () => Promise<unknown>): void;
  /** stop listening (the run ended normally) */
  dispose(): void;
}

const STOP_SIGNALS = [["SIGINT", 130], ["SIGTERM", 143]] as const;

/**
 * Until `dispose()`, SIGINT and SIGTERM stop the kit cleanly: every driver session is ended (its
 * whole process group) and its temporary folder removed, the registered cleanups run (at most
 * 3 s), then the process exits 130 (SIGINT) or 143 (SIGTERM). A second signal exits at once.
 *
 * @param log where to say what is happening
 * @returns the handle to add cleanups and to stop listening
 * @example
 * ```ts
 * import { stopOnSignals } from "./certify.ts";
 * const stop = stopOnSignals(() => {});
 * stop.also(() => Promise.resolve());
 * stop.dispose();
 * ```
 */
export function stopOnSignals(log: (line: string) => void): SignalStop {
  const cleanups: (() => Promise<unknown>)[] = [];
  const listeners: [Deno.Signal, () => void][] = [];
  let stopping = false;
  for (const [sig, code] of STOP_SIGNALS) {
    const onSignal = () => {
      if (stopping) Deno.exit(code);
      stopping = true;
      log(`${sig}: stopping: ending every driver and removing its folder`);
      const work = Promise.all([closeAll(), ...cleanups.map((c) => c().catch(() => {}))]);
      deadline(work, 3000).finally(() => Deno.exit(code));
    };
    try {
      Deno.addSignalListener(sig, onSignal);
      listeners.push([sig, onSignal]);
    } catch {
      // not supported on this platform (SIGTERM on Windows)
    }
  }
  return {
    also: (cleanup) => void cleanups.push(cleanup),
    dispose: () => {
      for (const [sig, h] of listeners.splice(0)) Deno.removeSignalListener(sig, h);
    },
  };
}

/** One target's run. */
interface TargetRun {
  spec: RunnableTarget;
  outcome:
    | {
      ok: true;
      results: CheckResult[];
      info: Report["target"];
      canaries: string[];
      startedAt: Date;
      durationMs: number;
    }
    | { ok: false; error: string; canaries: string[] };
}

async function runTarget(
  spec: RunnableTarget,
  profile: Profile,
  flags: CommonFlags,
  reporter: Reporter,
  runOnly: readonly string[],
): Promise<TargetRun> {
  const out = reporter.out;
  const startedAt = new Date();
  const t0 = performance.now();
  out.line(`certifying ${spec.label} (${profile.name})`);
  const open = await spec.open();
  if (!open.ok) return { spec, outcome: { ok: false, error: open.error, canaries: [] } };
  const t = open.value;
  const hooks = reporter.run(spec.label, (s) => maskCanaries(s, t.canaries()));
  try {
    const results = await t.run({
      seed: flags.seed,
      concurrency: flags.concurrency ?? profile.defaultConcurrency,
      ...(runOnly.length > 0 ? { only: [...runOnly] } : {}),
      onStart: hooks.onStart,
      onProgress: hooks.onProgress,
    });
    hooks.end();
    return {
      spec,
      outcome: {
        ok: true,
        results,
        info: t.info,
        canaries: t.canaries(),
        startedAt,
        durationMs: Math.round(performance.now() - t0),
      },
    };
  } catch (e) {
    hooks.end();
    return {
      spec,
      outcome: { ok: false, error: `the run failed: ${errorMessage(e)}`, canaries: t.canaries() },
    };
  } finally {
    await t.close().catch(() => {});
  }
}

function uniqueNames(runs: readonly TargetRun[]): string[] {
  const names: string[] = [];
  for (const r of runs) {
    const base = r.outcome.ok ? r.outcome.info.name : r.spec.label.split("/").at(-1) ?? "target";
    let name = sanitizeName(base);
    for (let n = 2; names.includes(name); n++) name = `${sanitizeName(base)}-${n}`;
    names.push(name);
  }
  return names;
}

/**
 * Run a profile's task (`deno task certify`, `chaos`, `certify:server`, …).
 *
 * @param profile the profile
 * @param args the arguments after the task
 * @returns the exit code: 0 all applicable MUST pass (after expected failures), 1 a failure, 2 usage/setup
 */
export async function certifyMain(profile: Profile, args: readonly string[]): Promise<number> {
  const stop = stopOnSignals((l) => console.error(l));
  try {
    return await certifyRun(profile, args, stop);
  } finally {
    stop.dispose();
  }
}

async function certifyRun(profile: Profile, args: readonly string[], stop: SignalStop): Promise<number> {
  const help = usage(profile.task, profile.flags);
  const parsed = parseFlags(args, profile.flags);
  if (!parsed.ok) {
    console.error(`usage error: ${parsed.error}\n${help}`);
    return 2;
  }
  const flags = parsed.value.common;
  if (flags.help) {
    console.log(help);
    return 0;
  }
  const reporter = openReporter(flags.reporter, flags.json);
  const out = reporter.out;
  const usageError = (msg: string) => {
    out.line(`usage error: ${msg}`);
    return 2;
  };
  const checked = profile.checkFlags(parsed.value.profile);
  if (!checked.ok) return usageError(checked.error);
  const unmatched = unmatchedOnly(flags.only, profile.checks.map((c) => c.id));
  if (unmatched.length > 0) {
    return usageError(`--only: no ${profile.name} check matches ${unmatched.join(", ")}`);
  }
  // --shard: the shard's exact ids become the run's selection (the report keeps the user's --only)
  let runOnly: readonly string[] = flags.only;
  if (flags.shard) {
    const ids = profile.checks.map((c) => c.id).filter((id) => selected(id, flags.only));
    runOnly = shardIds(ids, flags.shard);
    if (runOnly.length === 0) {
      return usageError(
        `--shard ${flags.shard.index}/${flags.shard.count}: the run selects only ${ids.length} checks, so this shard is empty (use at most ${ids.length} shards)`,
      );
    }
  }
  const exp = await readExpectations(flags);
  if (!exp.ok) return usageError(exp.error);
  const writable = await checkOutDir(flags.out);
  if (!writable.ok) return usageError(writable.error);

  const started = await profile.start({
    seed: flags.seed,
    concurrency: flags.concurrency ?? profile.defaultConcurrency,
    log: (l) => out.line(l),
  });
  if (!started.ok) {
    out.line(started.error);
    return 2;
  }
  const session = started.value;
  stop.also(() => session.close());
  const runs: TargetRun[] = [];
  let comparison: { disagreements: InteropDisagreement[]; canaries: string[] } | undefined;
  try {
    for (const l of session.banner) out.line(l);
    const targets = session.targets(parsed.value.profile);
    if (!targets.ok) return usageError(targets.error);
    if (flags.fixExpectations && targets.value.length > 1) {
      return usageError("--fix-expectations takes one target (the file describes one)");
    }
    out.line(`seed: ${flags.seed}`);
    for (const spec of targets.value) runs.push(await runTarget(spec, profile, flags, reporter, runOnly));
    const names = uniqueNames(runs);
    const ok = runs.map((r, i) => ({ name: names[i] ?? `target-${i}`, spec: r.spec, ok: r.outcome.ok }))
      .filter((r) => r.ok);
    if (ok.length > 1 && session.compare) {
      const c = await session.compare(ok);
      for (const l of c.lines) out.line(l);
      comparison = c;
    }
    return await finish(profile, flags, runs, names, exp, comparison, reporter);
  } finally {
    await session.close().catch(() => {});
  }
}

async function finish(
  profile: Profile,
  flags: CommonFlags,
  runs: readonly TargetRun[],
  names: readonly string[],
  exp: Extract<Expectations, { ok: true }>,
  comparison: { disagreements: InteropDisagreement[]; canaries: string[] } | undefined,
  reporter: Reporter,
): Promise<number> {
  const out: Out = reporter.out;
  let exit = 0;
  const reports: Report[] = [];
  for (const [i, r] of runs.entries()) {
    const o = r.outcome;
    if (!o.ok) {
      out.line(`${r.spec.label}: ${maskCanaries(o.error, o.canaries)}`);
      exit = 2;
      continue;
    }
    let expected = exp.file?.ids ?? [];
    if (flags.fixExpectations && flags.expectFail) {
      const text = fixExpectations(exp.file, o.results, ALL_CHECK_IDS);
      await Deno.writeTextFile(flags.expectFail, text);
      const again = parseExpectations(text);
      expected = again.ok ? again.value.ids : [];
      out.line(`rewrote ${flags.expectFail} (${expected.length} expected failures)`);
    }
    const expectations = applyExpectations(o.results, expected, ALL_CHECK_IDS);
    const canaries = [...o.canaries, ...(comparison?.canaries ?? [])];
    const report = buildReport({
      profile: profile.name,
      target: o.info,
      results: o.results,
      seed: flags.seed,
      startedAt: o.startedAt,
      durationMs: o.durationMs,
      command: r.spec.command,
      ...(flags.only.length > 0 ? { only: flags.only } : {}),
      expectations,
      canaries,
      ...(comparison ? { interop: comparison.disagreements } : {}),
      levels: profile.levels,
    });
    if (flags.shard) {
      // a shard is not a certification: only the merged report awards a level
      report.run.shard = { ...flags.shard };
      report.summary.certification = "none";
    }
    const dir = runs.length > 1 ? `${flags.out}/${names[i]}` : flags.out;
    await writeReports(dir, report, canaries);
    reports.push(report);
    const { pass, fail, error, not_applicable, certification } = report.summary;
    const ms = report.run.duration_ms;
    reporter.summary({ target: r.spec.label, pass, fail, error, not_applicable, certification, ms });
    for (const l of scorecardText(report)) out.line(l);
    for (const l of profile.footer(o.results)) out.line(`  ${l}`);
    if (flags.shard) {
      out.line(
        `  shard ${flags.shard.index}/${flags.shard.count} (${o.results.length} checks): no level; a shard is not a certification, merge all ${flags.shard.count} (deno task matrix --merge-shards OUT …)`,
      );
    }
    for (const res of report.results) {
      if ((res.outcome === "fail" || res.outcome === "error") && !res.expected_failure) {
        out.line(`  re-run: ${r.spec.command} --only ${res.id} --seed ${flags.seed}`);
      }
    }
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
