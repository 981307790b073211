import assert from "node:assert/strict";
import { INSTALL_HINT, PORT_RANGE, startChaos } from "./toxiproxy.ts";
import { ToxiproxyClient } from "./_client.ts";

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
