/**
 * Scaling figures (issue 18, part 5): `deno task scale` (Linux: it reads `/proc`).
 *
 * - **Drivers in one run**: `certify` of the reference client with 1 driver (plain `deno task certify`:
 *   every check of the sdk profile, the 64 MiB-body checks and `sdk.iso.workers` included), then 4
 *   and 8 copies of the reference driver in one interop run (`--driver` repeated; `sdk.iso.workers`
 *   is not applicable there, as `--sdk-module` takes one driver). The kit certifies the targets one
 *   after the other and then compares them, so the wall grows with the drivers. The kit's peak RSS
 *   (`VmHWM` of the kit process) in the full certify must stay under {@link RSS_BOUND_MB} MB (MB =
 *   10^6 bytes throughout); the multi-driver runs' peaks are reported beside it. Driver processes
 *   are measured apart (the largest peak RSS of one, and the largest sum over the kit and everything
 *   it runs at one moment).
 * - **The kit's own cost per check**: `certify` of `bench/null_driver.ts` (answers every op at once,
 *   so no SDK time), at `--concurrency 1` through `bench/_timed_main.ts`, which records the
 *   scenarios' deliberate waits (timers that ran their whole delay: sleeps, calm windows, polls);
 *   cost per check = (wall − waits) / checks. The kit's CPU time per check is shown beside it.
 * - **Server probes**: `certify:server` against the bundled reference server; requests/s = the probe
 *   requests it prints / the run's wall, and the mean request time it prints.
 *
 * Each run is a separate kit process. Runs: `deno task scale` (all), `--only drivers|null|server`,
 * `--drivers 1,4,8`, `--json FILE` (the figures as JSON). Exit 1 when the full certify's peak RSS is
 * over the bound, or a run failed to run (exit code 2). Measure on a quiet machine if you can: the
 * walls count the time other jobs hold the CPU; CPU times and peak RSS move less.
 *
 * @module
 */
import { watch, type Watched } from "./_proc_watch.ts";
import { kitTaskFlags } from "../src/util/kit_task.ts";

/** The bound of issue 18 on the kit's peak RSS during a full certify, in MB (10^6 bytes). */
export const RSS_BOUND_MB = 300;

const ROOT = new URL("..", import.meta.url).pathname;
/** `run` and the flags of the kit's `certify` task (permissions, V8 flags), from deno.json. */
const KIT = kitTaskFlags("certify");
const REFERENCE_DRIVER =
  "deno run --allow-net=127.0.0.1,127.0.0.2,localhost --allow-env --allow-read --allow-write conformance/drivers/reference/driver.ts";

interface Row {
  run: string;
  checks: number;
  wall_s: number;
  kit_peak_mb: number;
  driver_peak_mb: number;
  tree_peak_mb: number;
  kit_cpu_s: number;
  children_cpu_s: number;
  exit: number;
  note: string;
}

const mb = (kib: number) => Math.round((kib * 1024) / 1e6);
const s1 = (ms: number) => Math.round(ms / 100) / 10;

function row(run: string, w: Watched, checks: number, note: string): Row {
  return {
    run,
    checks,
    wall_s: s1(w.wallMs),
    kit_peak_mb: mb(w.peakKiB),
    driver_peak_mb: mb(w.childPeakKiB),
    tree_peak_mb: mb(w.treePeakKiB),
    kit_cpu_s: s1(w.cpuMs),
    children_cpu_s: s1(w.childCpuMs),
    exit: w.code,
    note,
  };
}

/** The checks judged (pass, fail, error; not n/a) from the scorecard totals lines. */
function judged(stdout: string): number {
  let n = 0;
  for (const m of stdout.matchAll(/total: (\d+) pass, (\d+) fail, (\d+) error/g)) {
    n += Number(m[1]) + Number(m[2]) + Number(m[3]);
  }
  return n;
}

async function drivers(n: number, out: string): Promise<Row> {
  const args = [
    ...KIT,
    "cli/main.ts",
    "certify",
    "--seed",
    "1",
    "--out",
    `${out}/drivers-${n}`,
    "--reporter",
    "dot",
  ];
  if (n > 1) { for (let i = 0; i < n; i++) args.push("--driver", REFERENCE_DRIVER); }
  const w = await watch(Deno.execPath(), args, ROOT);
  const disagreements = /(\d+) disagreement/.exec(w.stdout)?.[1];
  return row(
    `certify, ${n} driver${n > 1 ? "s" : ""}`,
    w,
    judged(w.stdout),
    n > 1 ? `interop: ${disagreements ?? "no"} disagreements` : "",
  );
}

async function nullDriver(out: string): Promise<{ row: Row; perCheckMs: number; waitsMs: number }> {
  const waitsFile = `${out}/null-waits.json`;
  const args = [
    ...KIT,
    "bench/_timed_main.ts",
    waitsFile,
    "certify",
    "--seed",
    "1",
    "--out",
    `${out}/null`,
    "--reporter",
    "dot",
    "--concurrency",
    "1",
    "--driver",
    "deno run --no-config bench/null_driver.ts",
  ];
  const w = await watch(Deno.execPath(), args, ROOT);
  const waits = JSON.parse(await Deno.readTextFile(waitsFile)) as { waits_ms: number; wall_ms: number };
  const checks = judged(w.stdout);
  const perCheckMs = Math.round((waits.wall_ms - waits.waits_ms) / Math.max(1, checks));
  const r = row(
    "certify, null driver, --concurrency 1",
    w,
    checks,
    `deliberate waits ${s1(waits.waits_ms)} s`,
  );
  return { row: r, perCheckMs, waitsMs: waits.waits_ms };
}

async function server(out: string): Promise<{ row: Row; requests: number; perS: number; meanMs: number }> {
  const args = [
    ...KIT,
    "cli/main.ts",
    "certify:server",
    "--seed",
    "1",
    "--out",
    `${out}/server`,
    "--reporter",
    "dot",
  ];
  const w = await watch(Deno.execPath(), args, ROOT);
  const m = /probe requests: (\d+) \((\d+) ms of request time\)/.exec(w.stdout);
  const requests = Number(m?.[1] ?? 0);
  const perS = Math.round(requests / (w.wallMs / 1000));
  const meanMs = Math.round(Number(m?.[2] ?? 0) / Math.max(1, requests));
  return {
    row: row("certify:server (reference server)", w, judged(w.stdout), `${requests} probe requests`),
    requests,
    perS,
    meanMs,
  };
}

function table(rows: readonly Row[]): string[] {
  const head =
    "| run | checks | wall | kit peak RSS | one driver's peak RSS | all processes' peak RSS | kit CPU | children CPU |";
  return [
    head,
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows.map((r) =>
      `| ${r.run}${
        r.note ? ` (${r.note})` : ""
      } | ${r.checks} | ${r.wall_s} s | ${r.kit_peak_mb} MB | ${r.driver_peak_mb} MB | ${r.tree_peak_mb} MB | ${r.kit_cpu_s} s | ${r.children_cpu_s} s |`
    ),
  ];
}

async function machine(): Promise<string> {
  const cpu = /model name\s*:\s*(.*)/.exec(await Deno.readTextFile("/proc/cpuinfo"))?.[1] ?? "?";
  const load = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
  return `${
    new Date().toISOString().slice(0, 16)
  } UTC, ${navigator.hardwareConcurrency} cores (${cpu}), Deno ${Deno.version.deno}, load average ${load}`;
}

function flag(name: string): string | undefined {
  const i = Deno.args.indexOf(name);
  return i === -1 ? undefined : Deno.args[i + 1];
}

if (import.meta.main) {
  const only = flag("--only");
  const counts = (flag("--drivers") ?? "1,4,8").split(",").map(Number);
  const out = await Deno.makeTempDir({ prefix: "ron-scale-" });
  const rows: Row[] = [];
  const lines: string[] = [`machine: ${await machine()}`];
  const figures: Record<string, unknown> = {};
  try {
    if (!only || only === "drivers") {
      for (const n of counts) {
        const r = await drivers(n, out);
        rows.push(r);
        console.error(`${r.run}: ${r.wall_s} s, kit peak ${r.kit_peak_mb} MB`);
      }
    }
    if (!only || only === "null") {
      const n = await nullDriver(out);
      rows.push(n.row);
      figures.null_per_check_ms = n.perCheckMs;
      lines.push(
        `kit's own cost per check (null driver, --concurrency 1): (${n.row.wall_s} s wall − ${
          s1(n.waitsMs)
        } s deliberate waits) / ${n.row.checks} checks = ${n.perCheckMs} ms; kit CPU ${
          Math.round((n.row.kit_cpu_s * 1000) / Math.max(1, n.row.checks))
        } ms per check`,
      );
    }
    if (!only || only === "server") {
      const sv = await server(out);
      rows.push(sv.row);
      figures.server_requests_per_s = sv.perS;
      lines.push(
        `certify:server: ${sv.requests} probe requests in ${sv.row.wall_s} s = ${sv.perS} requests/s (mean request time ${sv.meanMs} ms, several in flight)`,
      );
    }
  } finally {
    await Deno.remove(out, { recursive: true }).catch(() => {});
  }
  // the bound is on a full certify (one driver); the other runs are reported beside it
  const full = rows.find((r) => r.run === "certify, 1 driver");
  const over = full !== undefined && full.kit_peak_mb >= RSS_BOUND_MB;
  const failed = rows.filter((r) => r.exit === 2 || r.exit < 0);
  if (full) {
    lines.push(
      `kit peak RSS of a full certify: ${full.kit_peak_mb} MB (bound ${RSS_BOUND_MB} MB): ${
        over ? "OVER" : "ok"
      }`,
    );
  }
  lines.push(`kit peak RSS, largest of the runs: ${Math.max(0, ...rows.map((r) => r.kit_peak_mb))} MB`);
  console.log([...table(rows), "", ...lines].join("\n"));
  const json = flag("--json");
  if (json) await Deno.writeTextFile(json, JSON.stringify({ rows, ...figures, lines }, null, 2));
  for (const r of failed) console.error(`${r.run}: exit ${r.exit}`);
  Deno.exit(over || failed.length > 0 ? 1 : 0);
}
