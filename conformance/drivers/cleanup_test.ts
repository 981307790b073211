/**
 * Stopping the kit mid-run leaves nothing behind: `deno task certify` gets SIGTERM while its
 * drivers run; it must end every driver (with its process group), remove every `ron-driver-*`
 * folder and exit 143.
 *
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { deadline } from "../../src/util/deadline.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Processes (other than zombies) whose working directory is under `dir`. */
function processesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const cwd = Deno.readLinkSync(`/proc/${e.name}/cwd`);
      if (cwd.startsWith(dir)) {
        out.push(`${e.name} ${Deno.readTextFileSync(`/proc/${e.name}/cmdline`).replaceAll("\0", " ")}`);
      }
    } catch {
      // gone, a zombie, or not ours to read
    }
  }
  return out;
}

function driverDirs(dir: string): string[] {
  return [...Deno.readDirSync(dir)].filter((e) => e.name.startsWith("ron-driver-")).map((e) => e.name);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test({
  name: "SIGTERM mid-run: certify ends every driver, removes its folders and exits 143",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const tmp = await Deno.realPath(await Deno.makeTempDir({ prefix: "ron-signal-test-" }));
    const child = new Deno.Command("deno", {
      args: ["task", "--quiet", "certify", "--seed", "1", "--out", `${tmp}/reports`],
      cwd: ROOT,
      env: { TMPDIR: tmp, NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const output = Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text()]);
    try {
      const t0 = performance.now();
      // seconds when idle; a loaded machine (the full suite in parallel) may need far longer to start
      while (driverDirs(tmp).length < 2 && performance.now() - t0 < 25_000) await sleep(50);
      assert.ok(driverDirs(tmp).length > 0, "drivers started");
      await sleep(300);
      assert.ok(processesUnder(tmp).length > 0, "driver processes run");
      child.kill("SIGTERM");
      const exit = await deadline(child.status, 10_000);
      assert.ok(exit.ok, "certify exited within 10 s of SIGTERM");
      const status = exit.value;
      const [out, err] = await output;
      await sleep(200);
      assert.deepEqual(processesUnder(tmp), [], "no driver process is left");
      assert.deepEqual(driverDirs(tmp), [], "no ron-driver-* folder is left");
      assert.equal(status.code, 143, `exit code\n${out.slice(-2000)}\n${err.slice(-2000)}`);
      assert.match(err, /SIGTERM: stopping/);
    } finally {
      try {
        child.kill("SIGKILL");
      } catch {
        // exited
      }
      await child.status;
      await output.catch(() => {});
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
    }
  },
});
