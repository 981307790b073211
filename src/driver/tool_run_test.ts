import assert from "node:assert/strict";
import { run } from "./tool_run.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Live processes (zombies excluded) whose environment carries `marker`. */
function withMarker(marker: string): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name) || Number(e.name) === Deno.pid) continue;
    try {
      if (/^\d+ \(.*\) Z /.test(Deno.readTextFileSync(`/proc/${e.name}/stat`))) continue;
      if (Deno.readTextFileSync(`/proc/${e.name}/environ`).includes(marker)) {
        out.push(`${e.name} ${Deno.readTextFileSync(`/proc/${e.name}/cmdline`).replaceAll("\0", " ")}`);
      }
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

async function noneLeft(marker: string, ms: number): Promise<string[]> {
  const until = performance.now() + ms;
  let left = withMarker(marker);
  while (left.length > 0 && performance.now() < until) {
    await sleep(50);
    left = withMarker(marker);
  }
  return left;
}

const linux = Deno.build.os === "linux";

Deno.test({
  name: "run(): past its bound, the program and everything it started are killed",
  ignore: !linux,
  async fn() {
    const marker = `RON_TOOL_RUN_${crypto.randomUUID().replaceAll("-", "")}`;
    const t0 = performance.now();
    // a "compiler" the program started in the background, as `go install` starts compile and link
    const r = await run("sh", ["-c", "sleep 30 & sleep 30"], 300, { env: { [marker]: "1" } });
    assert.equal(r.code, -1);
    assert.match(r.stderr, /did not finish within 300 ms/);
    assert.ok(performance.now() - t0 < 5_000, "bounded");
    assert.deepEqual(await noneLeft(marker, 3_000), [], "no process of the tool is left");
  },
});

Deno.test({
  name: "run(): a SIGTERM to the kit kills a running tool's whole group (as it would a go install mid-build)",
  ignore: !linux,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const marker = `RON_TOOL_RUN_${crypto.randomUUID().replaceAll("-", "")}`;
    // the kit's CLI exits on its own signal handler a moment later (cli/certify.ts stopOnSignals)
    const script = `
      import { run } from ${JSON.stringify(new URL("./tool_run.ts", import.meta.url).href)};
      Deno.addSignalListener("SIGTERM", () => setTimeout(() => Deno.exit(143), 100));
      console.log("started");
      await run("sh", ["-c", "sleep 30 & sleep 30"], 60_000, { env: { ${JSON.stringify(marker)}: "1" } });
      console.log("run returned");
    `;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["eval", "--no-check", script],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const output = child.output();
    try {
      const t0 = performance.now();
      while (withMarker(marker).length < 2 && performance.now() - t0 < 20_000) await sleep(50);
      assert.ok(withMarker(marker).length >= 2, "the tool and its background child are running");
      child.kill("SIGTERM");
      const out = await output;
      assert.equal(out.code, 143, new TextDecoder().decode(out.stderr));
      assert.deepEqual(await noneLeft(marker, 3_000), [], "no process of the tool is left");
    } finally {
      try {
        child.kill("SIGKILL");
      } catch {
        // exited
      }
      await output.catch(() => {});
    }
  },
});
