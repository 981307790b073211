import assert from "node:assert/strict";
import { INSTALL_HINT, PORT_RANGE, startChaos } from "./toxiproxy.ts";
import { ToxiproxyClient } from "./_client.ts";
import { locateToxiproxy, run } from "./_locate.ts";

/** A TCP echo server on 127.0.0.1 (the proxies' upstream). */
function echoServer(): { port: number; close(): Promise<void> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const loop = (async () => {
    for await (const conn of listener) {
      conns.add(conn);
      (async () => {
        try {
          await conn.readable.pipeTo(conn.writable);
        } catch {
          // reset by the proxy
        } finally {
          conns.delete(conn);
        }
      })();
    }
  })();
  return {
    port: listener.addr.port,
    async close() {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch {
          // already closed
        }
      }
      await loop.catch(() => {});
      // let the per-connection tasks settle
      await new Promise((r) => setTimeout(r, 20));
    },
  };
}

/** Send `text` through `port` and read it back (or the error). */
async function roundTrip(port: number, text: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(text));
    const buf = new Uint8Array(64);
    const n = await conn.read(buf);
    return new TextDecoder().decode(buf.subarray(0, n ?? 0));
  } finally {
    conn.close();
  }
}

Deno.test("startChaos() starts toxiproxy-server, proxies traffic, and close() leaves nothing", async (t) => {
  const r = await startChaos({ seed: 7, url: "" });
  assert.ok(r.ok, r.ok ? "" : r.reason);
  const echo = echoServer();
  let apiUrl = "";
  try {
    await t.step("version comes from the API", () => {
      assert.match(r.version, /^toxiproxy-server \S+/);
      assert.equal(r.env.serverVersion, r.version);
    });

    await t.step("createProxy() listens in the kit's port range and forwards", async () => {
      const p = await r.env.createProxy(echo.port);
      assert.ok(p.listenPort >= PORT_RANGE.min && p.listenPort <= PORT_RANGE.max);
      assert.equal(await roundTrip(p.listenPort, "hello"), "hello");
      await new Promise((res) => setTimeout(res, 100));
      assert.equal(p.connections(), 1);
      await p.addToxic({ type: "latency", attributes: { latency: 10, jitter: 0 } });
      assert.match(p.describe(), /latency downstream toxicity=1 \{latency=10, jitter=0\}/);
      assert.equal(await roundTrip(p.listenPort, "again"), "again");
      await p.setEnabled(false);
      await assert.rejects(() => roundTrip(p.listenPort, "x"));
      await p.setEnabled(true);
      assert.equal(await roundTrip(p.listenPort, "back"), "back");
      await p.remove();
      await p.remove(); // idempotent
      await assert.rejects(() => roundTrip(p.listenPort, "x"));
    });

    await t.step("a scope's dispose() removes only its proxies", async () => {
      const s = r.env.scope();
      const a = await s.createProxy(echo.port);
      const b = await r.env.createProxy(echo.port);
      await s.dispose();
      await assert.rejects(() => roundTrip(a.listenPort, "x"));
      assert.equal(await roundTrip(b.listenPort, "still"), "still");
    });

    await t.step("the wrapper returns typed API errors with their status", async () => {
      const p = await r.env.createProxy(echo.port);
      apiUrl = r.env.apiUrl;
      const api = new ToxiproxyClient(apiUrl);
      const dup = await api.createProxy({ name: p.name, listen: "127.0.0.1:0", upstream: "127.0.0.1:1" });
      assert.equal(dup.ok, false);
      assert.equal(dup.ok ? 0 : dup.status, 409);
      const gone = await api.removeProxy({ name: "nope", listen: "", upstream: "", enabled: true });
      assert.equal(gone.ok, false);
      assert.equal(gone.ok ? 0 : gone.status, 404);
    });
  } finally {
    await r.close();
    await r.close(); // idempotent
    await echo.close();
  }
  await t.step("after close() the server is gone", async () => {
    const v = await new ToxiproxyClient(apiUrl).version(500);
    assert.equal(v.ok, false);
  });
});

Deno.test("startChaos() without toxiproxy-server or Go returns the install hint", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = await startChaos({ seed: 1, url: "", searchPath: dir, go: null, binDir: dir });
    assert.equal(r.ok, false);
    assert.equal(r.ok ? "" : r.reason, INSTALL_HINT);
    assert.match(INSTALL_HINT, /go install github\.com\/Shopify\/toxiproxy\/v2\/cmd\/server@v2\.12\.0/);
    const r2 = await startChaos({ seed: 1, url: "", searchPath: dir, go: `${dir}/no-go`, binDir: dir });
    assert.equal(r2.ok, false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("startChaos() with an unreachable TOXIPROXY_URL says so", async () => {
  const r = await startChaos({ seed: 1, url: "http://127.0.0.1:1" });
  assert.equal(r.ok, false);
  assert.match(r.ok ? "" : r.reason, /TOXIPROXY_URL=http:\/\/127\.0\.0\.1:1/);
});

/**
 * A fake `go` in `root`: `go env GOPATH` names an empty dir; `go install …` sleeps `installSec`
 * (then fails when `fail` is set) and writes a fake `server` into $GOBIN that answers `-version`
 * like Toxiproxy. Each install appends a line to `root/installs`. No network, no real Go.
 */
async function fakeGo(root: string, installSec: number, fail = false): Promise<string> {
  const go = `${root}/fake-go`;
  const server = `#!/bin/sh\necho "toxiproxy-server version fake"\n`;
  await Deno.writeTextFile(
    go,
    `#!/bin/sh
case "$1" in
  env) echo "${root}/gopath" ;;
  install)
    echo "$GOBIN" >> "${root}/installs"
    [ -n "$GOBIN" ] || exit 3
    mkdir -p "$GOBIN"
    ${fail ? `exec sleep ${installSec}` : `sleep ${installSec}`}
    printf '${server}' > "$GOBIN/server"
    chmod 755 "$GOBIN/server" ;;
  *) exit 2 ;;
esac
`,
  );
  await Deno.chmod(go, 0o755);
  return go;
}

Deno.test("locateToxiproxy(): concurrent go installs into one fresh bin dir all succeed, one binary, no temp dir", async () => {
  const root = await Deno.makeTempDir();
  try {
    const go = await fakeGo(root, 0.3);
    const binDir = `${root}/cache/ron-kit/bin`;
    const opts = { searchPath: `${root}/nowhere`, go, binDir, installTimeoutMs: 30_000 };
    // Parallel test modules share one pid: concurrent calls in one process are the real race.
    const results = await Promise.all(Array.from({ length: 4 }, () => locateToxiproxy(opts)));
    for (const r of results) {
      assert.ok(r.ok, r.ok ? "" : r.reason);
      assert.equal(r.path, `${binDir}/toxiproxy-server`);
    }
    const winners = results.filter((r) => r.ok && r.how.startsWith("go install"));
    assert.equal(winners.length, 1, "exactly one install moves its binary in");
    const installs = (await Deno.readTextFile(`${root}/installs`)).trim().split("\n");
    assert.ok(installs.length >= 2, `the race needs at least two installs, got ${installs.length}`);
    const left = [];
    for await (const e of Deno.readDir(binDir)) left.push(e.name);
    assert.deepEqual(left, ["toxiproxy-server"]);
    const v = await run(`${binDir}/toxiproxy-server`, ["-version"], 5_000);
    assert.match(v.stdout, /toxiproxy-server version fake/);
    // and the next call finds it without installing
    const again = await locateToxiproxy(opts);
    assert.deepEqual(again, { ok: true, path: `${binDir}/toxiproxy-server`, how: "kit bin dir" });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("locateToxiproxy(): a file in the way that is not Toxiproxy is replaced by the install", async () => {
  const root = await Deno.makeTempDir();
  try {
    const go = await fakeGo(root, 0);
    const binDir = `${root}/bin`;
    await Deno.mkdir(binDir);
    await Deno.writeTextFile(`${binDir}/toxiproxy-server`, "not a server");
    const r = await locateToxiproxy({ searchPath: `${root}/nowhere`, go, binDir, installTimeoutMs: 30_000 });
    assert.ok(r.ok, r.ok ? "" : r.reason);
    const v = await run(`${binDir}/toxiproxy-server`, ["-version"], 5_000);
    assert.match(v.stdout, /toxiproxy-server version fake/);
    const left = [];
    for await (const e of Deno.readDir(binDir)) left.push(e.name);
    assert.deepEqual(left, ["toxiproxy-server"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("locateToxiproxy(): go install is bounded in time and leaves no temp dir", async () => {
  const root = await Deno.makeTempDir();
  try {
    const go = await fakeGo(root, 30, true);
    const binDir = `${root}/bin`;
    const t0 = performance.now();
    const r = await locateToxiproxy({ searchPath: `${root}/nowhere`, go, binDir, installTimeoutMs: 500 });
    assert.ok(performance.now() - t0 < 10_000, "the bound was not applied");
    assert.equal(r.ok, false);
    assert.match(r.ok ? "" : r.reason, /go install failed .*go install github\.com\/Shopify/);
    const left = [];
    for await (const e of Deno.readDir(binDir)) left.push(e.name);
    assert.deepEqual(left, []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
