import assert from "node:assert/strict";
import { startReferenceServer } from "../conformance/reference_server/server.ts";
import { JwtKit } from "../conformance/svc/_jwt_kit.ts";
import { KIT_HOSTS, KIT_V8_FLAGS } from "./net_scope.ts";

const ROOT = new URL("..", import.meta.url);
const TASKS: Record<string, string> = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT))).tasks;

Deno.test("every task that runs code has --no-prompt, and allows net to the kit's hosts only", () => {
  for (const [name, cmd] of Object.entries(TASKS)) {
    if (!/^deno (run|test|bench)\b/.test(cmd)) continue;
    assert.match(cmd, /(^| )--no-prompt( |$)/, `task ${name} may prompt: ${cmd}`);
    const net = /--allow-net(=(\S+))?/.exec(cmd);
    if (net !== null && !cmd.includes("--allow-all")) {
      assert.deepEqual(net[2]?.split(","), [...KIT_HOSTS], `task ${name}: ${cmd}`);
    }
  }
});

Deno.test("the kit's run tasks carry its V8 flags (the peak-RSS bound depends on them)", () => {
  for (const name of ["certify", "certify:server", "certify:secrets", "certify:rpc", "selftest", "chaos"]) {
    assert.ok(TASKS[name]?.split(" ").includes(KIT_V8_FLAGS), `task ${name}: ${TASKS[name]}`);
  }
});

/** The argv of a task's `deno run …` (the tasks' strings hold no quoting). */
function taskArgv(name: string): string[] {
  const cmd = TASKS[name] ?? "";
  assert.ok(cmd.startsWith("deno run "), name);
  return cmd.split(" ").slice(1);
}

function spawnTask(name: string, args: string[], env: Record<string, string> = {}): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [...taskArgv(name), ...args],
    cwd: ROOT,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function finished(p: Deno.ChildProcess, ms = 120_000): Promise<{ code: number; text: string }> {
  const timer = setTimeout(() => p.kill("SIGKILL"), ms);
  try {
    const out = await p.output();
    return {
      code: out.code,
      text: new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** A TCP forwarder on a loopback alias (not in the tasks' allow-list) to a port on 127.0.0.1. */
function forwarder(hostname: string, to: number): { port: number; open: () => number; close: () => void } {
  const listener = Deno.listen({ hostname, port: 0 });
  const conns = new Set<Deno.Conn>();
  let live = 0;
  (async () => {
    for await (const down of listener) {
      conns.add(down);
      live++;
      Deno.connect({ hostname: "127.0.0.1", port: to }).then(async (up) => {
        conns.add(up);
        await Promise.allSettled([down.readable.pipeTo(up.writable), up.readable.pipeTo(down.writable)]);
      }).catch(() => {}).finally(() => {
        live--;
        try {
          down.close();
        } catch { /* closed */ }
      });
    }
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    open: () => live,
    close() {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch { /* closed */ }
      }
    },
  };
}

const ROUTES = `[[protected]]
path = "/items"
[write]
path = "/items"
body = { name = "widget", quantity = 1 }
[rate_limit]
method = "POST"
path = "/optimize"
limit = 10
window_s = 10
body = { iterations = 1 }
`;

const E2E = { sanitizeOps: false, sanitizeResources: false };

Deno.test({
  name: "certify:server with a target on a host outside the task's allow-list runs with exactly that host",
  ...E2E,
  fn: async () => {
    const s = await startReferenceServer({});
    const fwd = forwarder("127.0.0.3", Number(new URL(s.baseUrl).port));
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(`${dir}/pub.pem`, s.target.credentials.publicKeyPem ?? "");
      await Deno.writeTextFile(
        `${dir}/t.toml`,
        `name = "via alias"\nbase_url = "http://127.0.0.3:${fwd.port}"\nlookup = "/items/{id}"\n${ROUTES}` +
          `[sse]\npath = "/events"\n[credentials]\ntoken_env = "NET_SCOPE_TOKEN"\npublic_key = "pub.pem"\n`,
      );
      const token = await new JwtKit(s.target.credentials).valid();
      const run = await finished(
        spawnTask("certify:server", ["--target", `${dir}/t.toml`, "--seed", "7", "--out", `${dir}/out`], {
          NET_SCOPE_TOKEN: token,
        }),
      );
      assert.match(run.text, new RegExp(`net: this run may contact 127\\.0\\.0\\.3:${fwd.port} \\(named by`));
      assert.doesNotMatch(run.text, /Allow\?|--allow-net|NotCapable|Requires net access/);
      const report = JSON.parse(await Deno.readTextFile(`${dir}/out/report.json`));
      const notPassed = report.results.filter((r: { outcome: string }) => r.outcome !== "pass");
      for (const r of notPassed) assert.equal(r.outcome, "not_applicable", JSON.stringify(r));
      assert.equal(run.code, 0, run.text);
    } finally {
      fwd.close();
      await s.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "certify:server: an unresolvable or invalid target host exits 2 naming base_url, never prompting",
  ...E2E,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const creds = `[credentials]\ntoken_env = "NET_SCOPE_TOKEN"\n`;
      await Deno.writeTextFile(
        `${dir}/dns.toml`,
        `base_url = "http://staging.invalid.test:1/"\n${ROUTES}${creds}`,
      );
      const dns = await finished(
        spawnTask("certify:server", ["--target", `${dir}/dns.toml`, "--out", `${dir}/o1`], {
          NET_SCOPE_TOKEN: "t",
        }),
      );
      assert.equal(dns.code, 2, dns.text);
      assert.match(dns.text, /net: this run may contact staging\.invalid\.test:1 /);
      assert.match(dns.text, /field "base_url": host staging\.invalid\.test does not resolve/);

      await Deno.writeTextFile(`${dir}/bad.toml`, `base_url = "http://a*b.test/"\n${ROUTES}${creds}`);
      const bad = await finished(
        spawnTask("certify:server", ["--target", `${dir}/bad.toml`, "--out", `${dir}/o2`]),
      );
      assert.equal(bad.code, 2, bad.text);
      assert.match(bad.text, /field "base_url": host "a\*b\.test" cannot be allowed/);
      assert.doesNotMatch(bad.text, /net: this run/);

      await Deno.writeTextFile(`${dir}/toml.toml`, `base_url = "http://x.test/"\nname = \n`);
      const toml = await finished(spawnTask("certify:server", ["--target", `${dir}/toml.toml`]));
      assert.equal(toml.code, 2, toml.text);
      assert.match(toml.text, /not valid TOML \(line 2, column \d+\)/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "certify:server: SIGTERM to the kit ends its child (the run's connections close), exit 143",
  ...E2E,
  fn: async () => {
    const release = new AbortController();
    const hang = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      () =>
        new Promise<Response>((r) => release.signal.addEventListener("abort", () => r(new Response("x")))),
    );
    const fwd = forwarder("127.0.0.3", hang.addr.port);
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(
        `${dir}/t.toml`,
        `base_url = "http://127.0.0.3:${fwd.port}"\n${ROUTES}[credentials]\ntoken_env = "NET_SCOPE_TOKEN"\n`,
      );
      const p = spawnTask("certify:server", ["--target", `${dir}/t.toml`, "--out", `${dir}/out`], {
        NET_SCOPE_TOKEN: "a.b.c",
      });
      const done = finished(p, 60_000);
      for (let i = 0; i < 300 && fwd.open() === 0; i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok(fwd.open() > 0, "the child never connected");
      p.kill("SIGTERM");
      const run = await done;
      assert.equal(run.code, 143, run.text);
      for (let i = 0; i < 100 && fwd.open() > 0; i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(fwd.open(), 0, "the child still holds connections to the target");
    } finally {
      release.abort();
      fwd.close();
      await hang.shutdown();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("main(): an empty --seed or --only is a usage error (exit 2) on every task, --target or not", async () => {
  const { main } = await import("./main.ts");
  const { log, error } = console;
  console.log = () => {};
  console.error = () => {};
  try {
    for (const task of ["certify", "certify:server", "chaos", "selftest"]) {
      for (const bad of [["--seed="], ["--seed", ""], ["--only="], ["--only", ""], ["--only", "a,,b"]]) {
        const withTarget = task === "certify:server" ? ["--target", "/nonexistent.toml"] : [];
        assert.equal(await main([task, ...withTarget, ...bad]), 2, `${task} ${bad.join(" ")}`);
      }
    }
  } finally {
    console.log = log;
    console.error = error;
  }
});
