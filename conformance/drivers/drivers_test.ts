/**
 * Each bundled driver (reference, Python, Go) is started as a subprocess and driven through the
 * protocol against a tiny local server (plain HTTP and HTTPS with an ephemeral CA): hello,
 * configure, request, retries, idempotency, Problems, rotation, pipelining, unknown ops, shutdown.
 * The Python test is skipped when `python3`/httpx is missing, the Go test when `go` is.
 *
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { type Reply, ReplySchema } from "../../src/schema/protocol.ts";
import { generateCa, issueLeaf } from "../../src/mock/ca.ts";
import { referenceDriverCommand } from "../mutants/sdk.ts";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const TOKEN_A = "ronc_test_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const TOKEN_B = "ronc_test_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

/** A running driver process with id-matched calls. */
class DriverProc {
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #waiters = new Map<number, (r: Reply) => void>();
  readonly #pump: Promise<void>;
  readonly #stderr: Promise<string>;
  /** reply ids in arrival order */
  readonly order: number[] = [];
  /** every stdout line */
  readonly lines: string[] = [];
  #next = 1;

  constructor(cmd: string[], cwd?: string) {
    const [bin, ...args] = cmd;
    assert.ok(bin);
    this.#child = new Deno.Command(bin, {
      args,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      ...(cwd ? { cwd } : {}),
    }).spawn();
    this.#writer = this.#child.stdin.getWriter();
    this.#stderr = new Response(this.#child.stderr).text();
    this.#pump = this.#readStdout();
  }

  async #readStdout(): Promise<void> {
    let buf = "";
    for await (const chunk of this.#child.stdout.pipeThrough(new TextDecoderStream())) {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        this.lines.push(line);
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch {
          continue;
        }
        const r = ReplySchema.safeParse(parsed);
        if (!r.success) continue;
        this.order.push(r.data.id);
        this.#waiters.get(r.data.id)?.(r.data);
        this.#waiters.delete(r.data.id);
      }
    }
  }

  /** Send an op; the promise resolves with its reply (or rejects after `timeoutMs`). */
  send(
    op: string,
    params: Record<string, unknown> = {},
    timeoutMs = 15_000,
  ): { id: number; reply: Promise<Reply> } {
    const id = this.#next++;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const reply = new Promise<Reply>((resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no reply to ${op} (id ${id}) in ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.#waiters.set(id, resolve);
    }).finally(() => clearTimeout(timer));
    const line = new TextEncoder().encode(JSON.stringify({ id, op, ...params }) + "\n");
    this.#writer.write(line).catch(() => {});
    return { id, reply };
  }

  /** Call an op and return its reply. */
  call(op: string, params: Record<string, unknown> = {}, timeoutMs = 15_000): Promise<Reply> {
    return this.send(op, params, timeoutMs).reply;
  }

  #done: Promise<{ code: number; stderr: string; reply: Reply | undefined }> | undefined;

  /** Shut down (once; later calls return the same outcome): exit code, stderr, and the reply. */
  shutdown(): Promise<{ code: number; stderr: string; reply: Reply | undefined }> {
    this.#done ??= this.#shutdown();
    return this.#done;
  }

  async #shutdown(): Promise<{ code: number; stderr: string; reply: Reply | undefined }> {
    let reply: Reply | undefined;
    try {
      reply = await this.call("shutdown", {}, 5_000);
    } catch { /* killed below */ }
    await this.#writer.close().catch(() => {});
    const kill = setTimeout(() => {
      try {
        this.#child.kill("SIGKILL");
      } catch { /* already gone */ }
    }, 5_000);
    const status = await this.#child.status;
    clearTimeout(kill);
    await this.#pump;
    return { code: status.code, stderr: await this.#stderr, reply };
  }
}

function ok(r: Reply): Record<string, unknown> {
  if (!r.ok) assert.fail(`expected ok, got error ${JSON.stringify(r.error)}`);
  return r.result;
}

function err(r: Reply): Extract<Reply, { ok: false }>["error"] {
  if (r.ok) assert.fail(`expected an error, got ${JSON.stringify(r.result)}`);
  return r.error;
}

interface Seen {
  path: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** A tiny test server on 127.0.0.1: plain HTTP and HTTPS (ephemeral CA), recording requests. */
async function startServer() {
  const seen: Seen[] = [];
  const counts = new Map<string, number>();
  const handler = async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    const body = await req.text();
    const headers: Record<string, string> = {};
    req.headers.forEach((v, k) => (headers[k] = v));
    seen.push({ path: url.pathname, url: req.url, headers, body });
    const n = (counts.get(url.pathname) ?? 0) + 1;
    counts.set(url.pathname, n);
    const last = url.pathname.split("/").pop();
    switch (last) {
      case "ok":
        return Response.json({ hello: "world", big: "18446744073709551615" });
      case "echo":
        return Response.json({ got: body === "" ? null : JSON.parse(body) }, { status: 201 });
      case "slow":
        await new Promise((r) => setTimeout(r, 400));
        return Response.json({ slow: true });
      case "flaky":
        return n === 1
          ? Response.json({
            code: "busy",
            kind: "unavailable",
            message: "busy",
            correlation_id: "",
            details: {},
          }, {
            status: 503,
            headers: { "retry-after": "0" },
          })
          : Response.json({ recovered: true });
      case "problem":
        return Response.json(
          {
            code: "forbidden",
            kind: "auth",
            message: "nope",
            correlation_id: "corr-1",
            details: {},
            extra: 1,
          },
          { status: 403 },
        );
      default:
        return new Response("not found", { status: 404 });
    }
  };
  const ca = await generateCa();
  const leaf = await issueLeaf(ca, { dns: ["localhost"], ips: ["127.0.0.1"] });
  const http = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
  const https = Deno.serve(
    {
      hostname: "127.0.0.1",
      port: 0,
      cert: leaf.chainPem,
      key: leaf.keyPem,
      onListen() {},
      onError: () => new Response(null, { status: 500 }),
    },
    handler,
  );
  return {
    seen,
    caPem: ca.certPem,
    httpBase: `http://127.0.0.1:${http.addr.port}`,
    httpsBase: `https://127.0.0.1:${https.addr.port}`,
    async close() {
      await Promise.all([http.shutdown(), https.shutdown()]);
    },
  };
}

type Server = Awaited<ReturnType<typeof startServer>>;

/** The protocol walk every driver must pass. */
async function exercise(t: Deno.TestContext, d: DriverProc, srv: Server, prefix: string): Promise<void> {
  const quick = { connect_ms: 2_000, read_ms: 3_000, total_ms: 6_000 };
  let client = "";
  let caps: unknown[] = [];
  const stepIf = (cap: string, name: string, fn: () => Promise<void>) =>
    t.step({ name, ignore: !caps.includes(cap), fn });

  await t.step("hello declares protocol 1 and http", async () => {
    const r = ok(await d.call("hello", { protocol: 1 }));
    assert.equal(r.protocol, 1);
    assert.ok(Array.isArray(r.capabilities) && r.capabilities.includes("http"));
    caps = r.capabilities;
  });

  await t.step("configure refuses http:// without allow_insecure_http", async () => {
    const e = err(await d.call("configure", { base_url: srv.httpBase + prefix, token: TOKEN_A }));
    assert.ok(e.type === "insecure" || e.type === "config", e.type);
  });

  await t.step(
    "request over http with allow_insecure_http sends the token only in Authorization",
    async () => {
      client = String(
        ok(
          await d.call("configure", {
            base_url: srv.httpBase + prefix,
            token: TOKEN_A,
            allow_insecure_http: true,
            timeouts: quick,
            debug: true,
          }),
        ).client,
      );
      const r = ok(await d.call("request", { client, method: "GET", path: "/ok", query: { q: "1" } }));
      assert.equal(r.status, 200);
      assert.deepEqual(r.json, { hello: "world", big: "18446744073709551615" });
      const req = srv.seen.findLast((s) => s.path === `${prefix}/ok`);
      assert.ok(req);
      assert.equal(req.headers["authorization"], `Bearer ${TOKEN_A}`);
      assert.ok(!req.url.includes(TOKEN_A));
      assert.ok((req.headers["x-request-id"] ?? "") !== "");
    },
  );

  await t.step("https with the given CA works; without it the certificate is refused", async () => {
    const tls = String(
      ok(
        await d.call("configure", {
          base_url: srv.httpsBase + prefix,
          token: TOKEN_A,
          ca_cert_pem: srv.caPem,
          timeouts: quick,
        }),
      ).client,
    );
    assert.equal(ok(await d.call("request", { client: tls, method: "GET", path: "/ok" })).status, 200);
    const strict = String(
      ok(
        await d.call("configure", { base_url: srv.httpsBase + prefix, token: TOKEN_A, timeouts: quick }),
      ).client,
    );
    const e = err(await d.call("request", { client: strict, method: "GET", path: "/ok" }));
    assert.ok(e.type === "insecure" || e.type === "network", `type ${e.type}`);
  });

  // the README's minimal driver (prefix /mini) reads ca_cert_pem only
  await t.step({
    name: "https with the CA given as ca_cert_file works",
    ignore: prefix === "/mini",
    fn: async () => {
      const file = await Deno.makeTempFile({ prefix: "ron-ca-", suffix: ".pem" });
      try {
        await Deno.writeTextFile(file, srv.caPem);
        const byFile = String(
          ok(
            await d.call("configure", {
              base_url: srv.httpsBase + prefix,
              token: TOKEN_A,
              ca_cert_file: file,
              timeouts: quick,
            }),
          ).client,
        );
        assert.equal(ok(await d.call("request", { client: byFile, method: "GET", path: "/ok" })).status, 200);
      } finally {
        await Deno.remove(file).catch(() => {});
      }
    },
  });

  await stepIf("retry", "a GET is retried after a 503", async () => {
    const r = ok(await d.call("request", { client, method: "GET", path: "/flaky" }));
    assert.equal(r.status, 200);
    assert.equal(srv.seen.filter((s) => s.path === `${prefix}/flaky`).length, 2);
  });

  await stepIf("idempotency", "an idempotent POST carries a UUID Idempotency-Key", async () => {
    const r = ok(
      await d.call("request", { client, method: "POST", path: "/echo", json: { a: 1 }, idempotent: true }),
    );
    assert.equal(r.status, 201);
    assert.deepEqual(r.json, { got: { a: 1 } });
    const req = srv.seen.findLast((s) => s.path === `${prefix}/echo`);
    assert.match(
      req?.headers["idempotency-key"] ?? "",
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  await t.step("a Problem becomes a typed problem error without the token", async () => {
    const r = await d.call("request", { client, method: "GET", path: "/problem" });
    const e = err(r);
    assert.equal(e.type, "problem");
    assert.equal(e.status, 403);
    assert.equal(e.code, "forbidden");
    assert.equal(e.correlation_id, "corr-1");
    assert.ok(!JSON.stringify(r).includes(TOKEN_A));
  });

  await stepIf("token_provider", "rotate_token changes the token of a token_provider client", async () => {
    const rot = String(
      ok(
        await d.call("configure", {
          base_url: srv.httpBase + prefix,
          token: TOKEN_A,
          token_provider: true,
          allow_insecure_http: true,
          timeouts: quick,
        }),
      ).client,
    );
    ok(await d.call("request", { client: rot, method: "GET", path: "/ok" }));
    ok(await d.call("rotate_token", { client: rot, token: TOKEN_B }));
    ok(await d.call("request", { client: rot, method: "GET", path: "/ok" }));
    const last = srv.seen.findLast((s) => s.path === `${prefix}/ok`);
    assert.equal(last?.headers["authorization"], `Bearer ${TOKEN_B}`);
  });

  await t.step("pipelined ops are answered by id, a fast one before a slow one", async () => {
    const slow = d.send("request", { client, method: "GET", path: "/slow" });
    const fast = d.send("hello", { protocol: 1 });
    ok(await fast.reply);
    ok(await slow.reply);
    assert.ok(d.order.indexOf(fast.id) < d.order.indexOf(slow.id), `order ${d.order.join(",")}`);
  });

  await t.step("an unknown op is unsupported; close refuses later requests", async () => {
    assert.equal(err(await d.call("no_such_op", {})).type, "unsupported");
    ok(await d.call("close", { client }));
    const before = srv.seen.length;
    err(await d.call("request", { client, method: "GET", path: "/ok" }));
    assert.equal(srv.seen.length, before, "a closed client must send nothing");
  });

  await t.step("shutdown replies and exits 0; the token never reached the output", async () => {
    const { code, stderr, reply } = await d.shutdown();
    assert.ok(reply?.ok);
    assert.equal(code, 0);
    assert.ok(!stderr.includes(TOKEN_A) && !stderr.includes(TOKEN_B), "token in stderr");
    assert.ok(!d.lines.some((l) => l.includes(TOKEN_A) || l.includes(TOKEN_B)), "token on stdout");
  });
}

async function runDriver(t: Deno.TestContext, cmd: string[], prefix: string, cwd?: string): Promise<void> {
  const srv = await startServer();
  const d = new DriverProc(cmd, cwd);
  try {
    await exercise(t, d, srv, prefix);
  } finally {
    await d.shutdown();
    await srv.close();
  }
}

async function commandOk(cmd: string, args: string[], cwd?: string): Promise<boolean> {
  try {
    const out = await new Deno.Command(cmd, {
      args,
      stdout: "null",
      stderr: "piped",
      ...(cwd ? { cwd } : {}),
    })
      .output();
    if (!out.success) console.error(new TextDecoder().decode(out.stderr));
    return out.success;
  } catch {
    return false;
  }
}

Deno.test("reference driver speaks the protocol against a local server", async (t) => {
  await runDriver(t, referenceDriverCommand(), "/ref");
});

Deno.test("reference driver: driver-level mutants and the strict-crash mapping", async (t) => {
  const appInfo = { name: "a", version: "1", status: "ok", uptime_s: "18446744073709551615", extra: true };
  await t.step("the reference round-trips a DTO and u64 exactly", async () => {
    const d = new DriverProc(referenceDriverCommand());
    try {
      const r = ok(await d.call("decode_dto", { type: "app_info", json: appInfo }));
      assert.deepEqual(r.json, { name: "a", status: "ok", uptime_s: "18446744073709551615", version: "1" });
      const m = err(await d.call("validate_manifest", { toml: "[facet]\nid = 1\n" }));
      assert.ok(Array.isArray(m.details?.violations));
      const s = err(
        await d.call("parse_secret_uri", { pointer: "nope", tenant_id: "t", allowed_mounts: [] }),
      );
      assert.equal(typeof s.code, "string");
    } finally {
      await d.shutdown();
    }
  });
  await t.step("u64-as-number, dto-rename and manifest-lenient change exactly their behaviour", async () => {
    for (
      const [mutant, check] of [
        ["u64-as-number", async (d: DriverProc) => {
          const r = ok(await d.call("decode_dto", { type: "app_info", json: appInfo }));
          assert.equal(typeof (r.json as Record<string, unknown>).uptime_s, "number");
        }],
        ["dto-rename", async (d: DriverProc) => {
          const r = ok(await d.call("encode_dto", { type: "app_info", json: appInfo }));
          assert.ok(!("uptime_s" in (r.json as Record<string, unknown>)));
        }],
        ["manifest-lenient", async (d: DriverProc) => {
          assert.deepEqual(ok(await d.call("validate_manifest", { toml: "[facet]\nid = 1\n" })), {
            ok: true,
          });
        }],
      ] as const
    ) {
      const d = new DriverProc(referenceDriverCommand(mutant));
      try {
        await check(d);
      } finally {
        await d.shutdown();
      }
    }
  });
  await t.step("strict-crash turns a Problem with an unknown field into type other", async () => {
    const srv = await startServer();
    const d = new DriverProc(referenceDriverCommand("strict-crash"));
    try {
      const client = String(
        ok(
          await d.call("configure", { base_url: srv.httpBase, token: TOKEN_A, allow_insecure_http: true }),
        ).client,
      );
      const e = err(await d.call("request", { client, method: "GET", path: "/problem" }));
      assert.equal(e.type, "other");
      assert.equal(e.message, "TypeError");
      assert.match(String(e.rendered), /^TypeError: /);
    } finally {
      await d.shutdown();
      await srv.close();
    }
  });
  await t.step("an unknown mutant name exits 2", async () => {
    const [bin, ...args] = referenceDriverCommand("no-such-mutant");
    assert.ok(bin);
    const out = await new Deno.Command(bin, { args, stdin: "null", stdout: "null", stderr: "null" }).output();
    assert.equal(out.code, 2);
  });
});

/** A missing toolchain skips a driver test on a developer machine; CI installs them, so there it fails. */
function skip(why: string): void {
  if (Deno.env.get("CI")) throw new Error(`required in CI: ${why}`);
  console.warn(`SKIPPED (not CI): ${why}`);
}

Deno.test("the README's minimal stdlib Python driver speaks the protocol", async (t) => {
  if (!(await commandOk("python3", ["--version"]))) {
    return skip("python3 is not installed");
  }
  const md = await Deno.readTextFile(`${HERE}../../README.md`);
  const code = /```python\n([\s\S]*?)```/.exec(md)?.[1];
  assert.ok(code, "README.md has the python driver block");
  assert.ok(code.split("\n").length - 1 < 80, "the README driver stays under 80 lines");
  const file = await Deno.makeTempFile({ prefix: "mini_driver_", suffix: ".py" });
  try {
    await Deno.writeTextFile(file, code);
    await runDriver(t, ["python3", file], "/mini");
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("python driver speaks the protocol against a local server", async (t) => {
  if (!(await commandOk("python3", ["-c", "import httpx"]))) {
    return skip(
      "python3 with httpx is not available (pip install -r conformance/drivers/python/requirements.txt)",
    );
  }
  await runDriver(t, ["python3", `${HERE}python/driver.py`], "/py");
});

Deno.test("go driver speaks the protocol against a local server", async (t) => {
  const dir = `${HERE}go`;
  if (!(await commandOk("go", ["version"]))) {
    return skip("the go toolchain is not installed");
  }
  assert.ok(await commandOk("go", ["build", "-o", "ron-driver", "."], dir), "go build failed");
  await runDriver(t, [`${dir}/ron-driver`], "/go");
});
