/**
 * SIGTERM in the middle of `chaos` and `certify:server` (the driver-level case of `certify` is in
 * conformance/drivers/cleanup_test.ts): the kit exits 143 and leaves no process of its own (every
 * descendant carries a marker in its environment, or runs in the run's TMPDIR) and no
 * `ron-driver-*` folder behind.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { deadline } from "../src/util/deadline.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Processes whose environment carries `marker`, or whose working directory is under `dir`. */
function leftovers(marker: string, dir: string, self: number): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name) || Number(e.name) === self) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      if (/^\d+ \(.*\) Z /.test(stat)) continue; // a zombie is already dead
      const env = Deno.readTextFileSync(`/proc/${e.name}/environ`);
      const cwd = Deno.readLinkSync(`/proc/${e.name}/cwd`);
      if (env.includes(marker) || cwd.startsWith(dir)) {
        out.push(`${e.name} ${Deno.readTextFileSync(`/proc/${e.name}/cmdline`).replaceAll("\0", " ")}`);
      }
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

for (const task of ["chaos", "certify:server"]) {
  Deno.test({
    name: `SIGTERM mid-run: ${task} exits 143 and leaves no process and no temp folder`,
    ignore: Deno.build.os !== "linux",
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const tmp = await Deno.realPath(await Deno.makeTempDir({ prefix: "ron-signal-test-" }));
      const marker = `RON_SIGNAL_TEST_${crypto.randomUUID().replaceAll("-", "")}`;
      const child = new Deno.Command("deno", {
        args: ["task", "--quiet", task, "--seed", "1", "--out", `${tmp}/reports`],
        cwd: ROOT,
        env: { TMPDIR: tmp, NO_COLOR: "1", [marker]: "1" },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const output = Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text()]);
      try {
        const t0 = performance.now();
        // wait until the run is under way: its processes exist (deno task → the kit → its children)
        while (leftovers(marker, tmp, Deno.pid).length < 2 && performance.now() - t0 < 30_000) {
          await sleep(50);
        }
        await sleep(task === "chaos" ? 1500 : 100);
        child.kill("SIGTERM");
        const exit = await deadline(child.status, 15_000);
        assert.ok(exit.ok, `${task} exited within 15 s of SIGTERM`);
        const [out, err] = await output;
        await sleep(300);
        assert.deepEqual(leftovers(marker, tmp, Deno.pid), [], "no process of the run is left");
        const dirs = [...Deno.readDirSync(tmp)].filter((e) => e.name.startsWith("ron-driver-")).map((e) =>
          e.name
        );
        assert.deepEqual(dirs, [], "no ron-driver-* folder is left");
        assert.equal(exit.value.code, 143, `exit\n${out.slice(-1500)}\n${err.slice(-1500)}`);
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
}
