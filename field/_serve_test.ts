import assert from "node:assert/strict";
import { serveApp } from "./_serve.ts";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const DENO = JSON.stringify(Deno.execPath());

async function withTarget(text: string, f: (target: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ dir: `${ROOT}/field`, prefix: "_serve_test_" });
  const rel = `${dir.slice(ROOT.length + 1)}/target.toml`;
  await Deno.writeTextFile(`${ROOT}/${rel}`, text);
  try {
    await f(rel);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("serveApp: the app gets PORT, the copy has it, stop ends the app's whole group", async () => {
  await withTarget('base_url = "http://127.0.0.1:${PORT}"\n', async (target) => {
    // a shell that starts the server as its child: stop must end both
    const serve =
      `${DENO} eval 'Deno.serve({hostname:"127.0.0.1",port:Number(Deno.env.get("PORT")),onListen(){}},()=>new Response("ok"))' & wait`;
    const s = await serveApp(ROOT, serve, target, 20_000);
    assert.ok(!("why" in s), "why" in s ? s.why : "");
    const copy = await Deno.readTextFile(`${ROOT}/${s.target}`);
    assert.equal(copy, `base_url = "http://127.0.0.1:${s.port}"\n`);
    assert.match(s.target, /\/\.target\.\d+\.toml$/);
    assert.equal(await (await fetch(`http://127.0.0.1:${s.port}/`)).text(), "ok");
    await s.stop();
    await assert.rejects(Deno.connect({ hostname: "127.0.0.1", port: s.port }));
    await assert.rejects(Deno.stat(`${ROOT}/${s.target}`));
  });
});

Deno.test("serveApp: an app that exits, or never listens, is a reason (bounded), not a hang", async () => {
  await withTarget("x = 1\n", async (target) => {
    const gone = await serveApp(ROOT, "echo 'no such module' >&2; exit 3", target, 5_000);
    assert.ok("why" in gone);
    assert.match(gone.why, /exited \(3\).*no such module/);
    const t0 = performance.now();
    const silent = await serveApp(ROOT, "sleep 30", target, 500);
    assert.ok("why" in silent);
    assert.match(silent.why, /did not accept connections/);
    assert.ok(performance.now() - t0 < 5_000);
  });
});
