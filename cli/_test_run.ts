/**
 * `deno task test`: the type check (`deno task check`) and the suite (`deno test --parallel`)
 * side by side, since the suite runs with `--no-check` and its slowest file (the mutation matrix)
 * mostly waits on timers; then the wall time and the five slowest files and tests, read from the
 * run's JUnit report. The exit code is the suite's, or the check's when only the check failed.
 * Arguments go to `deno test` (e.g. a file to run alone).
 *
 * @module
 */
import { errorMessage } from "../src/util/error_message.ts";

/** One timed entry: a test file or a test. */
export interface Timed {
  /** the file (`./cli/selftest_test.ts`) or `file > test name` */
  name: string;
  /** seconds */
  s: number;
}

const attr = (tag: string, name: string) => tag.match(new RegExp(`\\s${name}="([^"]*)"`))?.[1];
const unescape = (s: string) =>
  s.replaceAll("&quot;", '"').replaceAll("&apos;", "'").replaceAll("&lt;", "<").replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");

/**
 * The time of every test and of every file (the sum of its tests), from `deno test`'s JUnit report.
 *
 * @param xml the report
 * @returns files and tests, each slowest first
 * @example
 * ```ts
 * import { junitTimes } from "./_test_run.ts";
 * const t = junitTimes(`<testcase name="a &amp; b" classname="./x_test.ts" time="1.5">
 *   <testcase name="c" classname="./x_test.ts" time="0.5"><testcase name="d" classname="./y_test.ts" time="1">`);
 * if (t.files[0]?.name !== "./x_test.ts" || t.files[0].s !== 2 || t.tests[0]?.name !== "./x_test.ts > a & b") {
 *   throw new Error(JSON.stringify(t));
 * }
 * ```
 */
export function junitTimes(xml: string): { files: Timed[]; tests: Timed[] } {
  const files = new Map<string, number>();
  const tests: Timed[] = [];
  for (const m of xml.matchAll(/<testcase\b[^>]*>/g)) {
    const file = unescape(attr(m[0], "classname") ?? "?");
    const s = Number(attr(m[0], "time") ?? "0") || 0;
    files.set(file, (files.get(file) ?? 0) + s);
    tests.push({ name: `${file} > ${unescape(attr(m[0], "name") ?? "?")}`, s });
  }
  const bySlowest = (a: Timed, b: Timed) => b.s - a.s || a.name.localeCompare(b.name);
  return {
    files: [...files].map(([name, s]) => ({ name, s })).sort(bySlowest),
    tests: tests.sort(bySlowest),
  };
}

const five = (list: readonly Timed[]) =>
  list.slice(0, 5).map((t) => `${t.name} ${t.s.toFixed(1)} s`).join(", ");

/**
 * How many test files run at once: `DENO_JOBS` when set, else two per core (2 to 16). Many files
 * wait on timers and child processes, so more than one per core shortens the run (2 cores, the
 * selftest rows left out: 230 s at one per core, 176 s at two, 151 s at four, all passing; the
 * suite's CPU, ≈ 290 s, is the floor), while the timing tests keep their margins.
 *
 * @param set the caller's `DENO_JOBS`, if any
 * @returns the value to pass on
 * @example
 * ```ts
 * import { testJobs } from "./_test_run.ts";
 * if (testJobs("3") !== "3" || Number(testJobs(undefined)) < 2) throw new Error();
 * ```
 */
export function testJobs(set: string | undefined): string {
  if (set !== undefined && /^\d+$/.test(set)) return set;
  return String(Math.min(16, Math.max(2, 2 * (navigator.hardwareConcurrency || 1))));
}

async function main(args: readonly string[]): Promise<number> {
  const t0 = performance.now();
  const junit = await Deno.makeTempFile({ prefix: "ron-test-", suffix: ".xml" });
  try {
    const check = new Deno.Command(Deno.execPath(), {
      args: ["task", "check"],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output().then((o) => ({ ...o, s: (performance.now() - t0) / 1000 }));
    const test = await new Deno.Command(Deno.execPath(), {
      env: { DENO_JOBS: testJobs(Deno.env.get("DENO_JOBS")) },
      args: [
        "test",
        "--no-check",
        "--doc",
        "--allow-all",
        "--no-prompt",
        "--unstable-worker-options",
        "--parallel",
        `--junit-path=${junit}`,
        ...args,
      ],
      stdin: "inherit",
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    const checked = await check;
    const dec = new TextDecoder();
    console.log(
      `\ndeno task check: ${checked.success ? "ok" : "FAILED"} (${checked.s.toFixed(1)} s, beside the suite)`,
    );
    if (!checked.success) console.log(dec.decode(checked.stdout) + dec.decode(checked.stderr));
    const times = await Deno.readTextFile(junit).then(junitTimes, () => ({ files: [], tests: [] }));
    console.log(`test wall time: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    console.log(`slowest files: ${five(times.files)}`);
    console.log(`slowest tests: ${five(times.tests)}`);
    return test.code !== 0 ? test.code : checked.success ? 0 : 1;
  } catch (e) {
    console.error(`deno task test: ${errorMessage(e)}`);
    return 2;
  } finally {
    await Deno.remove(junit).catch(() => {});
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
