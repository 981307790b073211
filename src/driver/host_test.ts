import assert from "node:assert/strict";
import { startDriver } from "./host.ts";
import { newCanary } from "./canary.ts";
import { command, FAKE, start, withSession } from "./testdata/start.ts";
import { relative } from "node:path";

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("startDriver() runs a good driver: hello, ok, sdk_error, fresh dirs, minimal env", async () => {
  const s = await start("echo", { env: { EXTRA: "1" } });
  const dirs = s.dirs;
  try {
    assert.equal(s.hello.name, "fake");
    assert.deepEqual(s.hello.capabilities, ["http"]);
    const r = await s.call("request", { client: "c1", method: "GET", path: "/items" }, 2000);
    assert.equal(r.kind, "ok");
    if (r.kind === "ok") assert.deepEqual(r.result, { status: 200, json: { path: "/items" } });
    const u = await s.call("subscribe", { client: "c1", path: "/events" }, 2000);
    assert.equal(u.kind, "sdk_error");
    if (u.kind === "sdk_error") assert.equal(u.error.type, "unsupported");
    const e = await s.call("decode_dto", { type: "x", json: {} }, 2000);
    assert.equal(e.kind, "ok");
    if (e.kind !== "ok") return;
    const info = e.result.json as { env: Record<string, string>; cwd: string };
    assert.equal(info.env.HOME, dirs.home);
    assert.equal(info.env.TMPDIR, dirs.tmp);
    assert.equal(info.env.EXTRA, "1");
    assert.equal(info.cwd, await Deno.realPath(dirs.cwd));
    const allowed = new Set([
      "PATH",
      "LANG",
      "LC_ALL",
      "PYTHONPATH",
      "PYTHONUSERBASE",
      "VIRTUAL_ENV",
      "PYENV_ROOT",
      "PYENV_VERSION",
      "GOPATH",
      "GOCACHE",
      "GOMODCACHE",
      "NO_COLOR",
      "SYSTEMROOT",
      "DENO_DIR",
      "DENO_NO_UPDATE_CHECK",
      "HOME",
      "USERPROFILE",
      "TMPDIR",
      "TEMP",
      "TMP",
      "EXTRA",
    ]);
    for (const k of Object.keys(info.env)) assert.ok(allowed.has(k), `unexpected env ${k}`);
    assert.deepEqual(s.output(), []);
    assert.ok(await exists(dirs.home));
  } finally {
    await s.close();
    await s.close(); // idempotent
  }
  assert.equal(await exists(dirs.home), false, "temp dirs removed");
  const after = await s.call("request", { client: "c1", method: "GET", path: "/" }, 1000);
  assert.equal(after.kind, "driver_fault");
});

Deno.test("call() pipelines: replies out of order match by id", async () => {
  await withSession("echo", async (s) => {
    const t0 = performance.now();
    const [a, b, c] = await Promise.all([
      s.call("request", { client: "c1", method: "GET", path: "/delay/400" }, 3000),
      s.call("request", { client: "c1", method: "GET", path: "/delay/50" }, 3000),
      s.call("request", { client: "c1", method: "GET", path: "/delay/200" }, 3000),
    ]);
    const took = performance.now() - t0;
    for (const [r, path] of [[a, "/delay/400"], [b, "/delay/50"], [c, "/delay/200"]] as const) {
      assert.equal(r.kind, "ok");
      if (r.kind === "ok") assert.deepEqual(r.result.json, { path });
    }
    if (a.kind === "ok" && b.kind === "ok") assert.ok(b.ms < a.ms, "the short one came back first");
    assert.ok(took < 650 + 1000, `in flight together: ${took.toFixed(0)} ms`);
  });
});

Deno.test("garbage on stdout and stderr is SDK output, not a protocol fault", async () => {
  await withSession("garbage", async (s) => {
    const r = await s.call("request", { client: "c1", method: "GET", path: "/x" }, 2000);
    assert.equal(r.kind, "ok");
    const out = s.output();
    for (const line of ["starting fake SDK…", "{not json", '{"id":"1","ok":true,"result":{}}', "[1,2,3]"]) {
      assert.ok(out.includes(line), `kept ${line}`);
    }
    assert.ok(out.includes("WARN something on stderr"));
  });
});

Deno.test("a flood of output is bounded, counted, and still scanned", async () => {
  const canary = newCanary();
  await withSession(
    "flood",
    async (s) => {
      const r = await s.call("request", { client: "c1", method: "GET", path: "/x" }, 5000);
      assert.equal(r.kind, "ok");
      // stderr "flood done" may trail the reply a little
      for (let i = 0; i < 50 && !s.output().includes("flood done"); i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const out = s.output();
      const kept = out.slice(1).reduce((n, l) => n + l.length, 0);
      assert.ok(kept <= 64 * 1024, `kept ${kept}`);
      const m = /^\[… (\d+) bytes dropped …\]$/.exec(out[0] ?? "");
      assert.ok(m, out[0]);
      assert.ok(Number(m[1]) > 10_000_000, m[1]);
      const leaks = await s.scan([canary]);
      assert.deepEqual(leaks.map((l) => [l.where, l.form]), [["driver stdout", "raw"]]);
      assert.equal(leaks[0]?.excerpt, "debug token=<canary>");
    },
    { maxOutputBytes: 64 * 1024, env: { CANARY: canary } },
    [canary],
  );
});

Deno.test("a reply with the wrong id is a driver fault and breaks the session", async () => {
  await withSession("wrong_id", async (s) => {
    const r = await s.call("request", { client: "c1", method: "GET", path: "/x" }, 2000);
    assert.equal(r.kind, "driver_fault");
    if (r.kind === "driver_fault") assert.match(r.detail, /unknown id 1002/);
    const again = await s.call("request", { client: "c1", method: "GET", path: "/x" }, 2000);
    assert.equal(again.kind, "driver_fault");
    if (again.kind === "driver_fault") assert.match(again.detail, /broken/);
    assert.ok(again.ms < 50);
  });
});

Deno.test("a malformed reply is a driver fault that quotes the line, masked", async (t) => {
  const canary = newCanary();
  for (
    const [mode, pattern] of [
      ["malformed", /malformed reply to request \(id 2\): result: missing \(expected an object\)/],
      ["bad_result", /result schema: status: expected a number, got the string "200"/],
    ] as const
  ) {
    await t.step(mode, async () => {
      await withSession(
        mode,
        async (s) => {
          const r = await s.call("request", { client: "c1", method: "GET", path: "/x", token: canary }, 2000);
          assert.equal(r.kind, "driver_fault");
          if (r.kind !== "driver_fault") return;
          assert.match(r.detail, pattern);
          assert.ok(r.detail.includes("<canary>"), r.detail);
          assert.ok(!r.detail.includes(canary.slice(5, 17)));
        },
        {},
        [canary],
      );
    });
  }
});

Deno.test("a driver that exits at once fails start with its exit code and stderr", async () => {
  const r = await startDriver({ command: command("exit"), canaries: () => [] });
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.match(r.detail, /exited with code 3/);
    assert.match(r.detail, /fatal: boom/);
  }
  const missing = await startDriver({ command: ["/nonexistent/ron-driver"], canaries: () => [] });
  assert.equal(missing.ok, false);
  const empty = await startDriver({ command: [], canaries: () => [] });
  assert.equal(empty.ok, false);
});

Deno.test("a driver that crashes mid-call is a driver fault with code and stderr tail", async () => {
  await withSession("crash", async (s) => {
    const r = await s.call("request", { client: "c1", method: "GET", path: "/x" }, 3000);
    assert.equal(r.kind, "driver_fault");
    if (r.kind !== "driver_fault") return;
    assert.match(r.detail, /exited with code 7/);
    assert.match(r.detail, /panic: nil pointer/);
  });
});

Deno.test("a driver that hangs gives no_reply within the bound, then the session is broken", async () => {
  await withSession("hang", async (s) => {
    const r = await s.call("request", { client: "c1", method: "GET", path: "/x" }, 300);
    assert.equal(r.kind, "no_reply");
    assert.ok(r.ms >= 290 && r.ms < 1500, `${r.ms} ms`);
    const again = await s.call("request", { client: "c1", method: "GET", path: "/x" }, 300);
    assert.equal(again.kind, "driver_fault");
  });
});

Deno.test("close() kills a driver that ignores shutdown and end of stdin", async () => {
  const s = await start("stubborn", { closeGraceMs: 200 });
  const t0 = performance.now();
  await s.close();
  const ms = performance.now() - t0;
  assert.ok(ms < 2 * 200 + 2500, `closed in ${ms.toFixed(0)} ms`);
});

Deno.test("scan() finds a canary in stderr, a reply and a file under HOME, masked", async () => {
  const canary = newCanary();
  const other = newCanary();
  await withSession(
    "leak",
    async (s) => {
      const c = await s.call("configure", { base_url: "https://127.0.0.1:1", token: canary }, 2000);
      assert.equal(c.kind, "ok");
      const r = await s.call("request", { client: "c1", method: "GET", path: "/x" }, 2000);
      assert.equal(r.kind, "sdk_error");
      const leaks = await s.scan([canary]);
      const wheres = leaks.map((l) => l.where).sort();
      assert.deepEqual(wheres, ["driver stderr", "file HOME/.sdk/token.json", "reply to request"]);
      for (const l of leaks) {
        assert.equal(l.form, "raw");
        assert.ok(l.excerpt.includes("<canary>"));
        assert.ok(!l.excerpt.includes(canary.slice(5, 17)));
      }
      assert.deepEqual(await s.scan([other]), []);
    },
    {},
    [canary, other],
  );
});

Deno.test("a driver that never answers hello fails start within helloTimeoutMs", async () => {
  const t0 = performance.now();
  const r = await startDriver({
    command: command("mute"),
    canaries: () => [],
    helloTimeoutMs: 300,
    closeGraceMs: 200,
  });
  const ms = performance.now() - t0;
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(r.detail, /no reply to hello within 300 ms/);
  assert.ok(ms < 300 + 4000, `${ms.toFixed(0)} ms`);
});

Deno.test({
  name: "a write to a closed stdin is a driver fault",
  ignore: Deno.build.os === "windows",
  async fn() {
    // answers hello (id 1), then closes its stdin and lingers
    const hello = JSON.stringify({
      id: 1,
      ok: true,
      result: { protocol: 1, name: "sh", version: "0", language: "sh", capabilities: [] },
    });
    const r = await startDriver({
      command: ["sh", "-c", `read line; echo '${hello}'; exec sleep 5 0<&-`],
      canaries: () => [],
      closeGraceMs: 200,
    });
    assert.equal(r.ok, true, r.ok ? "" : r.detail);
    if (!r.ok) return;
    try {
      await new Promise((done) => setTimeout(done, 300)); // let it close stdin
      const c = await r.session.call("request", { client: "c1", method: "GET", path: "/x" }, 1500);
      assert.equal(c.kind, "driver_fault");
      if (c.kind === "driver_fault") assert.match(c.detail, /stdin/);
    } finally {
      await r.session.close();
    }
  },
});

Deno.test("a relative driver path is resolved against the kit's working directory", async () => {
  const rel = relative(Deno.cwd(), FAKE);
  if (rel.startsWith("..")) return; // tests run from outside the repo: nothing to prove
  const r = await startDriver({
    command: [Deno.execPath(), "run", "-A", "--no-config", "--no-lock", "--quiet", rel, "echo"],
    canaries: () => [],
    closeGraceMs: 300,
  });
  assert.equal(r.ok, true, r.ok ? "" : r.detail);
  if (r.ok) await r.session.close();
});
