/**
 * `deno task certify:server [--target FILE]`: certify an HTTP API server against the svc profile,
 * and the server half of `deno task selftest` (the reference server and every one-fault mutant).
 *
 * With no `--target`, the kit starts its bundled reference server on 127.0.0.1 (HTTPS with an
 * ephemeral CA, so every check applies; `--http` for plain HTTP) and certifies it.
 *
 * @module
 */
import { svcChecks } from "../../conformance/svc/mod.ts";
import { certifyTarget } from "../../conformance/svc/run.ts";
import { loadTarget, type Target, targetCapabilities, TargetError } from "../../conformance/svc/target.ts";
import { type ReferenceServer, startReferenceServer } from "../../conformance/reference_server/server.ts";
import { serverMutants, unknownServerMutants } from "../../conformance/mutants/server.ts";
import { applyExpectations, fixExpectations, parseExpectations } from "../engine/expect_fail.ts";
import { selected, unmatchedOnly } from "../engine/runner.ts";
import type { CheckResult } from "../engine/types.ts";
import { buildReport, renderJson } from "../report/json.ts";
import { writeReports } from "../report/write.ts";
import { scorecardText } from "./progress.ts";
import { randomSeed, shellQuote } from "./args.ts";
import type { SelftestRow } from "../report/matrix.ts";

const USAGE = `deno task certify:server [options]

  --target FILE         the server's target file (TOML); without it the bundled reference server
  --out DIR             report directory (default reports/)
  --only ID[,ID]        run only these checks (ids or prefixes such as svc.jwt)
  --seed N              the run's seed (default: random, printed)
  --json                print report.json to stdout
  --expect-fail FILE    expected failures, one check id a line, # comments
  --fix-expectations    rewrite the expected-failures file to match this run
  --concurrency N       checks at once (default 6)
  --http                serve the bundled reference over plain HTTP (default HTTPS)
`;

/** Flags of `certify:server`. */
export interface ServerFlags {
  target?: string;
  out: string;
  only: string[];
  seed: number;
  seedGiven: boolean;
  json: boolean;
  expectFail?: string;
  fixExpectations: boolean;
  concurrency: number;
  http: boolean;
  help: boolean;
}

/**
 * Parse the flags of `certify:server`.
 *
 * @param args the arguments
 * @returns the flags, or a usage error
 * @example
 * ```ts
 * import { parseServerFlags } from "./server.ts";
 * const r = parseServerFlags(["--target", "t.toml", "--only=svc.jwt", "--seed", "3"]);
 * if (!r.ok || r.value.target !== "t.toml" || r.value.seed !== 3) throw new Error(JSON.stringify(r));
 * ```
 */
export function parseServerFlags(
  args: readonly string[],
): { ok: true; value: ServerFlags } | { ok: false; error: string } {
  const f: ServerFlags = {
    out: "reports",
    only: [],
    seed: 0,
    seedGiven: false,
    json: false,
    fixExpectations: false,
    concurrency: 6,
    http: false,
    help: false,
  };
  const valued = new Set(["--target", "--out", "--only", "--seed", "--expect-fail", "--concurrency"]);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    let value = "";
    if (valued.has(name)) {
      const v = eq > 0 ? arg.slice(eq + 1) : args[++i];
      if (v === undefined || v === "") return { ok: false, error: `${name} needs a value` };
      value = v;
    }
    switch (name) {
      case "--target":
        f.target = value;
        break;
      case "--out":
        f.out = value;
        break;
      case "--only":
        f.only.push(...value.split(",").map((s) => s.trim()).filter((s) => s !== ""));
        break;
      case "--seed": {
        const n = Number(value);
        if (!Number.isSafeInteger(n) || n < 0) {
          return { ok: false, error: `--seed must be a non-negative integer, got ${value}` };
        }
        f.seed = n;
        f.seedGiven = true;
        break;
      }
      case "--expect-fail":
        f.expectFail = value;
        break;
      case "--concurrency": {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 1 || n > 64) {
          return { ok: false, error: `--concurrency must be 1..64, got ${value}` };
        }
        f.concurrency = n;
        break;
      }
      case "--fix-expectations":
        f.fixExpectations = true;
        break;
      case "--json":
        f.json = true;
        break;
      case "--http":
        f.http = true;
        break;
      case "--help":
      case "-h":
        f.help = true;
        break;
      default:
        return { ok: false, error: `unknown argument: ${arg}` };
    }
  }
  if (f.fixExpectations && f.expectFail === undefined) {
    return { ok: false, error: "--fix-expectations needs --expect-fail FILE" };
  }
  if (!f.seedGiven) f.seed = randomSeed();
  return { ok: true, value: f };
}

function requestTotals(results: readonly CheckResult[]): { requests: number; probeMs: number } {
  let requests = 0;
  let probeMs = 0;
  for (const r of results) {
    const v = r.verdict;
    const t = v.outcome === "pass" || v.outcome === "fail"
      ? v.evidence.timings
      : v.outcome === "error"
      ? v.evidence?.timings
      : undefined;
    requests += t?.["probe_requests"] ?? 0;
    probeMs += t?.["probe_ms"] ?? 0;
  }
  return { requests, probeMs };
}

/**
 * The `certify:server` command.
 *
 * @param args the arguments after the subcommand
 * @returns 0 every applicable MUST passes (after expected failures), 1 a failure, 2 usage/config error
 */
export async function serverMain(args: string[]): Promise<number> {
  const log = (s: string) => console.error(s);
  const parsed = parseServerFlags(args);
  if (!parsed.ok) {
    log(`usage error: ${parsed.error}\n\n${USAGE}`);
    return 2;
  }
  const flags = parsed.value;
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  const ids = svcChecks.map((c) => c.id);
  const unmatched = unmatchedOnly(flags.only, ids);
  if (unmatched.length > 0) {
    log(`usage error: --only ${unmatched.join(", ")} selects no svc check`);
    return 2;
  }
  let expected: string[] = [];
  let expectFile: ReturnType<typeof parseExpectations> | undefined;
  if (flags.expectFail !== undefined) {
    let text = "";
    try {
      text = await Deno.readTextFile(flags.expectFail);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound && flags.fixExpectations)) {
        log(`cannot read ${flags.expectFail}: ${e instanceof Error ? e.message : e}`);
        return 2;
      }
    }
    expectFile = parseExpectations(text);
    if (!expectFile.ok) {
      log(`${flags.expectFail}:${expectFile.error.line}: not a check id: ${expectFile.error.text}`);
      return 2;
    }
    expected = expectFile.value.ids;
  }

  let target: Target;
  let ref: ReferenceServer | undefined;
  try {
    if (flags.target !== undefined) target = await loadTarget(flags.target);
    else {
      ref = await startReferenceServer({ https: !flags.http });
      target = ref.target;
      log(`certifying the bundled reference server at ${ref.baseUrl}`);
    }
  } catch (e) {
    if (e instanceof TargetError) {
      log(`target error (${flags.target}): ${e.message}`);
      return 2;
    }
    log(`could not start: ${e instanceof Error ? e.message : e}`);
    return 2;
  }
  const startedAt = new Date();
  const t0 = performance.now();
  let results: CheckResult[];
  try {
    log(`seed ${flags.seed}; target ${target.baseUrl.origin}`);
    results = await certifyTarget(target, {
      seed: flags.seed,
      only: flags.only,
      concurrency: flags.concurrency,
      onProgress: (r) => {
        const v = r.verdict;
        if (v.outcome === "fail" || v.outcome === "error") {
          log(`${v.outcome.toUpperCase().padEnd(5)} ${r.id}: ${v.reason}`);
        }
      },
    });
  } finally {
    await ref?.close();
  }
  const durationMs = performance.now() - t0;
  const knownIds = new Set(ids);
  if (flags.fixExpectations && flags.expectFail !== undefined) {
    const text = fixExpectations(expectFile?.ok ? expectFile.value : undefined, results, knownIds);
    await Deno.writeTextFile(flags.expectFail, text);
    const again = parseExpectations(text);
    expected = again.ok ? again.value.ids : [];
    log(`rewrote ${flags.expectFail} (${expected.length} expected failures)`);
  }
  const expectations = applyExpectations(results, expected, knownIds);
  const command = `deno task certify:server${
    flags.target === undefined ? "" : ` --target ${shellQuote(flags.target)}`
  }`;
  const report = buildReport({
    profile: "svc",
    target: {
      name: target.name,
      version: target.version,
      language: "http",
      capabilities: [...targetCapabilities(target)],
    },
    results,
    seed: flags.seed,
    startedAt,
    durationMs,
    command,
    ...(flags.only.length > 0 ? { only: flags.only } : {}),
    ...(flags.expectFail !== undefined ? { expectations } : {}),
    canaries: [],
  });
  const paths = await writeReports(flags.out, report);
  const totals = requestTotals(results);
  for (const l of scorecardText(report)) log(l);
  log(
    `probe requests: ${totals.requests} (${Math.round(totals.probeMs)} ms of request time); wall ${
      Math.round(durationMs)
    } ms`,
  );
  for (const r of results) {
    if (r.verdict.outcome === "fail" || r.verdict.outcome === "error") {
      log(`re-run: ${command} --only ${r.id} --seed ${flags.seed}`);
    }
  }
  log(`reports: ${paths.join(", ")}`);
  if (flags.json) console.log(renderJson(report));
  return expectations.exitCode;
}

/** Options of {@linkcode serverSelftest}. */
export interface ServerSelftestOptions {
  seed: number;
  /** checks at once per server @default 6 */
  concurrency?: number;
}

/**
 * The server half of the mutation matrix: the reference (HTTPS, every check must pass) and each
 * mutant (each must fail every check that names it), all concurrently, each mutant with only its
 * checks.
 *
 * @param opts the seed
 * @returns one row for the reference and one per mutant (mutant names prefixed "server:")
 */
export async function serverSelftest(opts: ServerSelftestOptions): Promise<SelftestRow[]> {
  const concurrency = opts.concurrency ?? 6;
  const unknown = unknownServerMutants();
  const reference = (async (): Promise<SelftestRow> => {
    const s = await startReferenceServer({ https: true });
    try {
      const rs = await certifyTarget(s.target, { seed: opts.seed, concurrency });
      const caps = targetCapabilities(s.target);
      const applicable = svcChecks.filter((c) => c.requires.every((r) => caps.has(r))).map((c) => c.id);
      const passed = rs.filter((r) => r.verdict.outcome === "pass").map((r) => r.id);
      const missed = rs.filter((r) => r.verdict.outcome !== "pass").map((r) =>
        `${r.id} (${r.verdict.outcome}${"reason" in r.verdict ? `: ${r.verdict.reason.slice(0, 160)}` : ""})`
      );
      missed.push(
        ...unknown.map((m) => `a check names mutant ${m}, which the reference server does not implement`),
      );
      return {
        mutant: "server:reference",
        expected: applicable,
        caught: passed,
        missed,
        ok: missed.length === 0,
      };
    } finally {
      await s.close();
    }
  })();
  const mutants = serverMutants().map(async (m): Promise<SelftestRow> => {
    if (m.checks.length === 0) {
      return {
        mutant: `server:${m.name}`,
        expected: [],
        caught: [],
        missed: ["no check names this mutant"],
        ok: false,
      };
    }
    const s = await startReferenceServer({ https: m.https, fault: m.name });
    try {
      const checks = svcChecks.filter((c) => selected(c.id, m.checks));
      const rs = await certifyTarget(s.target, { seed: opts.seed, concurrency, checks });
      const caught = rs.filter((r) => r.verdict.outcome === "fail").map((r) => r.id);
      const missed = m.checks.filter((id) => !caught.includes(id)).map((id) => {
        const r = rs.find((x) => x.id === id);
        const v = r?.verdict;
        return `${id} (${v?.outcome ?? "not run"}${v && "reason" in v ? `: ${v.reason.slice(0, 160)}` : ""})`;
      });
      return { mutant: `server:${m.name}`, expected: m.checks, caught, missed, ok: missed.length === 0 };
    } finally {
      await s.close();
    }
  });
  return await Promise.all([reference, ...mutants]);
}

if (import.meta.main) {
  Deno.exit(await serverMain(Deno.args));
}
