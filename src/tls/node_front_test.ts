import assert from "node:assert/strict";
import { generateCa, issueLeaf } from "../mock/ca.ts";
import { liveNodeChildren } from "./_node.ts";
import { type NodeFront, startNodeFront } from "./node_front.ts";
import { probeTls } from "./node_probe.ts";

const HAS_NODE = new Deno.Command("node", { args: ["--version"], stdout: "null", stderr: "null" })
  .output().then((o) => o.success, () => false);

/** A plain TCP listener that answers every connection with one line, then closes it. */
function upstream(): { port: number; received: string[]; close(): void } {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const received: string[] = [];
  (async () => {
    for await (const conn of l) {
      (async () => {
        const buf = new Uint8Array(1024);
        const n = await conn.read(buf).catch(() => null);
        if (n) received.push(new TextDecoder().decode(buf.subarray(0, n)));
        await conn.write(new TextEncoder().encode("hello from upstream\n")).catch(() => {});
        conn.close();
      })();
    }
  })().catch(() => {});
  return { port: l.addr.port, received, close: () => l.close() };
}

function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return !/^\S+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

Deno.test({
  name:
    "a Node front serves TLS 1.0 to 1.3 for a kit listener; the probe sees each version, the suite and the chain",
  ignore: !(await HAS_NODE),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const ca = await generateCa();
    const leaf = await issueLeaf(ca, { dns: ["localhost"], ips: ["127.0.0.1"] });
    const up = upstream();
    const front = await startNodeFront({
      certChainPem: leaf.chainPem,
      keyPem: leaf.keyPem,
      upstreamPort: up.port,
      minVersion: "TLSv1",
      secLevel0: true,
    });
    if ("unavailable" in front) throw new Error(front.unavailable);
    try {
      const at = { host: "127.0.0.1", port: front.port, servername: "localhost", timeoutMs: 5000 };
      for (const [v, want] of [["TLSv1", "TLSv1"], ["TLSv1.2", "TLSv1.2"], ["TLSv1.3", "TLSv1.3"]] as const) {
        const r = await probeTls({ ...at, minVersion: v, maxVersion: v, secLevel0: true });
        assert.equal(r.kind, "handshake", `${v}: ${JSON.stringify(r)}`);
        if (r.kind !== "handshake") continue;
        assert.equal(r.protocol, want);
        assert.equal(r.chainDer.length, 2, "leaf and CA, as presented");
        assert.match(r.authorizationError ?? "", /SELF_SIGNED|UNABLE_TO_GET/, "the test CA is not trusted");
      }
      const trusted = await probeTls({ ...at, caPem: [ca.certPem] });
      assert.equal(trusted.kind === "handshake" && trusted.authorizationError, null);
      // a 3DES suite: served only where this Node's OpenSSL still has one (Debian's and Node 20's
      // OpenSSL 3 builds do not); never a handshake on anything but 3DES
      const des = await probeTls({ ...at, maxVersion: "TLSv1.2", ciphers: "3DES", secLevel0: true });
      if (des.kind === "handshake") assert.match(des.cipher, /3DES|DES-CBC3/);
      else assert.equal(des.kind, "unavailable", JSON.stringify(des));
      // plaintext reaches the kit's listener through the front
      const conn = await Deno.connectTls({ hostname: "127.0.0.1", port: front.port, caCerts: [ca.certPem] });
      await conn.write(new TextEncoder().encode("ping\n"));
      const buf = new Uint8Array(100);
      const n = await conn.read(buf);
      conn.close();
      assert.equal(new TextDecoder().decode(buf.subarray(0, n ?? 0)), "hello from upstream\n");
      assert.deepEqual(up.received, ["ping\n"]);
      const events = front.events();
      assert.ok(events.length >= 5, JSON.stringify(events));
      assert.deepEqual(
        events.filter((e) => e.event === "handshake").slice(0, 3).map((e) =>
          e.event === "handshake" && e.protocol
        ),
        ["TLSv1", "TLSv1.2", "TLSv1.3"],
      );
    } finally {
      await front.close();
      up.close();
    }
  },
});

Deno.test({
  name: "a front with Node's defaults refuses a TLS 1.0-only probe and reports the failed handshake",
  ignore: !(await HAS_NODE),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const ca = await generateCa();
    const leaf = await issueLeaf(ca, { dns: ["localhost"] });
    const up = upstream();
    const front = await startNodeFront({
      certChainPem: leaf.chainPem,
      keyPem: leaf.keyPem,
      upstreamPort: up.port,
    });
    if ("unavailable" in front) throw new Error(front.unavailable);
    try {
      const at = { host: "127.0.0.1", port: front.port, servername: "localhost", timeoutMs: 5000 };
      const old = await probeTls({ ...at, minVersion: "TLSv1", maxVersion: "TLSv1", secLevel0: true });
      assert.equal(old.kind, "refused", JSON.stringify(old));
      assert.equal(old.kind === "refused" && old.stage, "handshake");
      const e = await front.waitForEvent(0, 3000);
      assert.equal(e?.event, "tls_error", JSON.stringify(e));
      const ok = await probeTls({ ...at, minVersion: "TLSv1.2" });
      assert.equal(ok.kind, "handshake");
    } finally {
      await front.close();
      up.close();
    }
  },
});

Deno.test({
  name: "a front's process ends on close(), on SIGINT to the kit, and when the kit dies (its stdin ends)",
  ignore: !(await HAS_NODE),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const ca = await generateCa();
    const leaf = await issueLeaf(ca, { dns: ["localhost"] });
    const fronts: NodeFront[] = [];
    for (let i = 0; i < 2; i++) {
      const f = await startNodeFront({ certChainPem: leaf.chainPem, keyPem: leaf.keyPem, upstreamPort: 9 });
      if ("unavailable" in f) throw new Error(f.unavailable);
      fronts.push(f);
    }
    assert.equal(liveNodeChildren(), 2);
    const pids = fronts.map((f) => f.pid);
    assert.ok(pids.every(alive));
    await Promise.all(fronts.map((f) => f.close()));
    assert.equal(liveNodeChildren(), 0);
    for (const pid of pids) assert.equal(alive(pid), false, `pid ${pid} outlived close()`);
    // a kit that gets SIGINT ends its fronts at once; one killed with SIGKILL leaves them their
    // stdin's end, on which they exit by themselves
    for (const signal of ["SIGINT", "SIGKILL"] as const) {
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-all", new URL("./testdata/hold_front.ts", import.meta.url).pathname],
        stdout: "piped",
        stderr: "inherit",
      }).spawn();
      const reader = child.stdout.getReader();
      const { value } = await reader.read();
      const nodePid = Number(new TextDecoder().decode(value).trim());
      assert.ok(nodePid > 0 && alive(nodePid));
      child.kill(signal);
      for (let i = 0; i < 100 && alive(nodePid); i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(alive(nodePid), false, `the front outlived ${signal} to the kit`);
      try {
        child.kill("SIGKILL"); // after SIGINT the test's kit may still run: it has no handler that exits
      } catch {
        // it ended by itself (nothing left to wait for)
      }
      await child.status;
      reader.releaseLock();
      await child.stdout.cancel().catch(() => {});
    }
  },
});
