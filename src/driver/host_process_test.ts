import assert from "node:assert/strict";
import { startDriver } from "./host.ts";
import { start } from "./testdata/start.ts";
import { findSetsid } from "./_process_group.ts";
import { generateCa, issueLeaf } from "../mock/ca.ts";

const URLLIB = new URL("./testdata/urllib_driver.py", import.meta.url).pathname;
const CA_VARS = ["SSL_CERT_FILE", "NODE_EXTRA_CA_CERTS", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "DENO_CERT"];

/** The process group of `pid` and whether it is a zombie, per /proc (undefined once it is gone). */
function procStat(pid: number): { pgrp: number; zombie: boolean } | undefined {
  try {
    const s = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
    return { pgrp: Number(f[2]), zombie: f[0] === "Z" || f[0] === "X" };
  } catch {
    return undefined;
  }
}

/** Live (not zombie) processes of a group. */
function groupMembers(pgrp: number): number[] {
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    const st = procStat(Number(e.name));
    if (st && st.pgrp === pgrp && !st.zombie) out.push(Number(e.name));
  }
  return out;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test({
  name: "a driver runs in its own process group; close() ends the grandchildren too",
  ignore: Deno.build.os !== "linux" || findSetsid() === undefined,
  async fn() {
    const t0 = performance.now();
    const s = await start("grandchild");
    let sleeper = 0;
    try {
      const r = await s.call("decode_dto", { type: "x", json: {} }, 5000);
      assert.equal(r.kind, "ok");
      if (r.kind !== "ok") return;
      sleeper = (r.result.json as { sleeper: number }).sleeper;
      assert.ok(sleeper > 0);
    } finally {
      await s.close();
    }
    const st = procStat(sleeper);
    // gone, or a zombie nobody reaps (a container's init may not): either way not running
    if (st) {
      assert.ok(st.zombie, `the grandchild ${sleeper} still runs`);
      assert.notEqual(st.pgrp, procStat(Deno.pid)?.pgrp, "the driver had its own group");
      assert.deepEqual(groupMembers(st.pgrp), [], "nothing of the driver's group survives");
    }
    assert.ok(performance.now() - t0 < 20_000);
  },
});

Deno.test({
  name: "a process that exits with a session open still ends the driver's group and removes its folder",
  ignore: Deno.build.os !== "linux" || findSetsid() === undefined,
  async fn() {
    const tmp = await Deno.realPath(await Deno.makeTempDir({ prefix: "ron-exit-test-" }));
    try {
      const script = new URL("./testdata/exit_without_close.ts", import.meta.url).pathname;
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--quiet", script],
        env: { TMPDIR: tmp },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(out.stdout);
      assert.equal(out.code, 3, text + new TextDecoder().decode(out.stderr));
      const sleeper = (JSON.parse(text.trim().split("\n").at(-1) ?? "{}") as { sleeper?: number }).sleeper;
      assert.ok(sleeper, text);
      await new Promise((r) => setTimeout(r, 200));
      const st = procStat(sleeper);
      assert.ok(!st || st.zombie, `the grandchild ${sleeper} still runs`);
      assert.deepEqual([...Deno.readDirSync(tmp)].map((e) => e.name), [], "no ron-driver-* folder is left");
    } finally {
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test("the run's CA is a file in the driver's temporary directory, exported the standard ways", async () => {
  const { certPem } = await generateCa();
  const s = await start("echo", { caCertPem: certPem });
  const caFile = s.caFile;
  try {
    assert.ok(caFile);
    assert.equal(await Deno.readTextFile(caFile), certPem);
    const r = await s.call("decode_dto", { type: "x", json: {} }, 5000);
    assert.equal(r.kind, "ok");
    if (r.kind !== "ok") return;
    const env = (r.result.json as { env: Record<string, string> }).env;
    for (const k of CA_VARS) assert.equal(env[k], caFile, k);
  } finally {
    await s.close();
  }
  assert.equal(await exists(caFile), false, "removed at close");
  const quiet = await start("echo", { caCertPem: certPem, exportCaEnv: false });
  try {
    assert.ok(quiet.caFile);
    const r = await quiet.call("decode_dto", { type: "x", json: {} }, 5000);
    if (r.kind !== "ok") return assert.fail(r.kind);
    const env = (r.result.json as { env: Record<string, string> }).env;
    for (const k of CA_VARS) assert.equal(env[k], undefined, k);
  } finally {
    await quiet.close();
  }
  const none = await start("echo");
  assert.equal(none.caFile, undefined);
  await none.close();
});

async function hasPython(): Promise<boolean> {
  try {
    return (await new Deno.Command("python3", { args: ["-c", "import ssl"], stdout: "null", stderr: "null" })
      .output()).success;
  } catch {
    return false;
  }
}

Deno.test({
  name: "an SDK that takes no CA parameter reaches the HTTPS server through SSL_CERT_FILE alone",
  ignore: !(await hasPython()),
  async fn() {
    const trusted = await generateCa();
    const untrusted = await generateCa({ commonName: "not exported" });
    const serve = async (ca: typeof trusted) => {
      const leaf = await issueLeaf(ca, { ips: ["127.0.0.1"] });
      return Deno.serve(
        { hostname: "127.0.0.1", port: 0, cert: leaf.chainPem, key: leaf.keyPem, onListen: () => {} },
        () => new Response("ok"),
      );
    };
    const good = await serve(trusted);
    const bad = await serve(untrusted);
    const call = async (port: number, exportCaEnv: boolean) => {
      const r = await startDriver({
        command: ["python3", URLLIB],
        canaries: () => [],
        caCertPem: trusted.certPem,
        exportCaEnv,
        closeGraceMs: 300,
      });
      if (!r.ok) throw new Error(r.detail);
      try {
        const c = await r.session.call("configure", { base_url: `https://127.0.0.1:${port}` }, 5000);
        assert.equal(c.kind, "ok");
        return await r.session.call("request", { client: "c1", method: "GET", path: "/" }, 10_000);
      } finally {
        await r.session.close();
      }
    };
    try {
      const ok = await call(good.addr.port, true);
      assert.equal(ok.kind, "ok", JSON.stringify(ok));
      if (ok.kind === "ok") assert.equal(ok.result.status, 200);
      const refused = await call(bad.addr.port, true);
      assert.equal(refused.kind, "sdk_error", "the untrusted CA is in no bundle");
      if (refused.kind === "sdk_error") assert.equal(refused.error.type, "insecure");
      const noEnv = await call(good.addr.port, false);
      assert.equal(noEnv.kind, "sdk_error", "without the variables the SDK has no way to trust the CA");
    } finally {
      await good.shutdown();
      await bad.shutdown();
    }
  },
});
