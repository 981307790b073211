/**
 * Each test-only fault changes the behaviour it names (the mutation matrix depends on it), checked
 * against a real loopback server.
 */
import assert from "node:assert/strict";
import { type LogEntry, RonClient, type RonClientOptions } from "./client.ts";
import {
  behaviourOf,
  CLIENT_FAULTS,
  type ClientFault,
  FAULT_TABLE,
  GLOBAL_TOKEN_FILE,
  REFERENCE_BEHAVIOUR,
  withFault,
} from "./_faults.ts";
import { RonCancelledError, RonError, RonProblem } from "./errors.ts";
import { json, problem, startServer, type TestHandler, type TestServer, trickle } from "./_test_server.ts";

const T1 = "ronc_11111111111111111111111111111111";
const T2 = "ronc_22222222222222222222222222222222";

async function faulty(
  fault: ClientFault,
  handler: TestHandler,
  fn: (s: TestServer, mk: (o?: Partial<RonClientOptions>) => RonClient) => Promise<void>,
): Promise<void> {
  const s = startServer(handler);
  const clients: RonClient[] = [];
  const mk = (o: Partial<RonClientOptions> = {}) => {
    const c = new RonClient(withFault({ baseUrl: s.url, allowInsecureHttp: true, token: T1, ...o }, fault));
    clients.push(c);
    return c;
  };
  try {
    await fn(s, mk);
  } finally {
    for (const c of clients) c.close();
    await s.close();
  }
}

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  return undefined;
}

const ok: TestHandler = () => json(200, { ok: true });
const stallHandler: TestHandler = async (req, _n, s) => {
  await s.stall(req);
  return new Response("late");
};

Deno.test("the fault table: every fault, and only those, changes at least one setting, each differently", () => {
  assert.deepEqual(Object.keys(FAULT_TABLE).sort(), [...CLIENT_FAULTS].sort());
  assert.equal(behaviourOf(undefined), REFERENCE_BEHAVIOUR);
  const seen = new Map<string, ClientFault>();
  for (const fault of CLIENT_FAULTS) {
    const b = behaviourOf(fault);
    const changed = Object.keys(FAULT_TABLE[fault]).filter((k) =>
      b[k as keyof typeof b] !== REFERENCE_BEHAVIOUR[k as keyof typeof b]
    );
    assert.ok(changed.length > 0, `${fault} changes no setting`);
    assert.equal(b.smallBodyFastPath, false, `${fault}: every mutant reads bodies chunk by chunk`);
    const key = JSON.stringify(b);
    assert.equal(seen.get(key), undefined, `${fault} behaves like ${seen.get(key)}`);
    seen.set(key, fault);
  }
});

Deno.test("the client's stages read settings, never a fault name", async () => {
  const dir = new URL(".", import.meta.url);
  for await (const entry of Deno.readDir(dir)) {
    const name = entry.name;
    if (!name.endsWith(".ts") || name.endsWith("_test.ts") || name === "_faults.ts") continue;
    const text = await Deno.readTextFile(new URL(name, dir));
    for (const fault of CLIENT_FAULTS) {
      assert.ok(!text.includes(`"${fault}"`), `${name} tests the fault name "${fault}"`);
    }
  }
});

Deno.test("faults: token handling", async (t) => {
  await t.step("global-token", () =>
    faulty("global-token", ok, async (s, mk) => {
      const a = mk({ token: T1 });
      mk({ token: T2 });
      await a.request({ method: "GET", path: "/" });
      assert.equal(s.seen[0]?.headers["authorization"], `Bearer ${T2}`);
    }));
  await t.step("token-in-query", () =>
    faulty("token-in-query", ok, async (s, mk) => {
      await mk().request({ method: "GET", path: "/" });
      assert.ok(s.seen[0]?.query.includes(T1));
    }));
  await t.step("provider-called-once", () =>
    faulty("provider-called-once", ok, async (s, mk) => {
      let cur = T1;
      const c = mk({ tokenProvider: () => cur });
      await c.request({ method: "GET", path: "/" });
      cur = T2;
      await c.request({ method: "GET", path: "/" });
      assert.equal(s.seen[1]?.headers["authorization"], `Bearer ${T1}`);
    }));
  await t.step("torn-rotation", () =>
    faulty("torn-rotation", ok, async (s, mk) => {
      let cur = T1;
      const c = mk({ tokenProvider: () => cur });
      const p = c.request({ method: "GET", path: "/" });
      cur = T2;
      await p;
      const auth = s.seen[0]?.headers["authorization"];
      assert.ok(auth !== `Bearer ${T1}` && auth !== `Bearer ${T2}`);
    }));
  await t.step("token-cache-file", async () => {
    const home = await Deno.makeTempDir();
    const saved = Deno.env.get("HOME");
    Deno.env.set("HOME", home);
    try {
      await faulty("token-cache-file", ok, async (_s, mk) => {
        await mk().request({ method: "GET", path: "/" });
      });
      assert.equal(await Deno.readTextFile(`${home}/.ron/token-cache`), T1);
    } finally {
      saved === undefined ? Deno.env.delete("HOME") : Deno.env.set("HOME", saved);
      await Deno.remove(home, { recursive: true });
    }
  });
  await t.step("global-token-file", async () => {
    try {
      await faulty("global-token-file", ok, async (s, mk) => {
        const a = mk({ token: T1 });
        mk({ token: T2 });
        await a.request({ method: "GET", path: "/" });
        assert.equal(s.seen[0]?.headers["authorization"], `Bearer ${T2}`);
      });
    } finally {
      await Deno.remove(GLOBAL_TOKEN_FILE).catch(() => {});
    }
  });
  await t.step("refuse-http-opt-in", () => {
    assert.throws(
      () =>
        new RonClient(withFault({
          baseUrl: "http://127.0.0.1:9",
          allowInsecureHttp: true,
        }, "refuse-http-opt-in")),
      (e: unknown) => e instanceof RonError && e.type === "insecure",
    );
  });
  await t.step("pq-mode-unsupported", () => {
    const stub = withFault({ baseUrl: "https://x", tlsPqMode: "hybrid" }, "pq-mode-unsupported");
    assert.throws(() => new RonClient(stub), (e: unknown) => e instanceof RonError && e.type === "config");
    new RonClient(withFault({ baseUrl: "https://x", tlsPqMode: "off" }, "pq-mode-unsupported")).close();
  });
  await t.step("audit-context-in-query", () =>
    faulty("audit-context-in-query", ok, async (s, mk) => {
      await mk().request({ method: "GET", path: "/", auditContext: { actor: "alice", tenant: "t1" } });
      assert.equal(s.seen[0]?.headers["x-audit-actor"], undefined);
      assert.ok(
        s.seen[0]?.query.includes("audit_actor=alice") && s.seen[0].query.includes("audit_tenant=t1"),
      );
    }));
  await t.step("token-in-audit-context", () =>
    faulty("token-in-audit-context", ok, async (s, mk) => {
      const c = mk();
      await c.request({ method: "GET", path: "/", auditContext: { reason: "refund" } });
      await c.request({ method: "GET", path: "/" });
      assert.equal(s.seen[0]?.headers["x-audit-principal"], T1);
      assert.equal(s.seen[1]?.headers["x-audit-principal"], undefined, "only with an audit context");
    }));
  await t.step("close-noop and allow-http", () =>
    faulty("close-noop", ok, async (s, mk) => {
      const c = mk();
      c.close();
      await c.request({ method: "GET", path: "/" });
      assert.equal(s.seen.length, 1);
      assert.doesNotThrow(() => {
        new RonClient(withFault({ baseUrl: s.url }, "allow-http")).close();
      });
    }));
});

Deno.test("faults: leaks into logs and errors", async (t) => {
  await t.step("log-headers", () =>
    faulty("log-headers", ok, async (_s, mk) => {
      const log: LogEntry[] = [];
      await mk({ debug: true, logger: (e) => log.push(e) }).request({ method: "GET", path: "/" });
      assert.ok(JSON.stringify(log).includes(T1));
    }));
  await t.step(
    "request-in-error",
    () =>
      faulty("request-in-error", () => json(401, problem("unauthorized")), async (_s, mk) => {
        const e = await caught(mk().request({ method: "GET", path: "/" }));
        assert.ok(e instanceof RonProblem && e.message.includes(T1) && e.problemMessage.includes(T1));
      }),
  );
  await t.step(
    "raw-body-in-error",
    () =>
      faulty(
        "raw-body-in-error",
        () => new Response("<html>BODY</html>", { status: 502 }),
        async (_s, mk) => {
          const e = await caught(mk({ maxRetries: 0 }).request({ method: "GET", path: "/" }));
          assert.ok(e instanceof Error && e.message.includes("BODY"));
        },
      ),
  );
  await t.step(
    "generic-errors",
    () =>
      faulty("generic-errors", () => json(403, problem("forbidden")), async (_s, mk) => {
        const e = await caught(mk().request({ method: "GET", path: "/" }));
        assert.ok(e instanceof RonError && !(e instanceof RonProblem));
      }),
  );
  await t.step(
    "strict-crash",
    () =>
      faulty("strict-crash", () => json(409, { ...problem("c") as object, extra: 1 }), async (_s, mk) => {
        const e = await caught(mk().request({ method: "GET", path: "/" }));
        assert.ok(e instanceof TypeError);
      }),
  );
});

Deno.test("faults: retries and idempotency", async (t) => {
  const always503: TestHandler = () => json(503, problem("busy"));
  await t.step("never-retry", () =>
    faulty("never-retry", always503, async (s, mk) => {
      await caught(mk().request({ method: "GET", path: "/" }));
      assert.equal(s.seen.length, 1);
    }));
  await t.step(
    "retry-forever",
    () =>
      faulty(
        "retry-forever",
        (_r, n) => n < 4 ? json(503, problem("busy")) : json(200, {}),
        async (s, mk) => {
          await mk({ maxRetries: 1 }).request({ method: "GET", path: "/" });
          assert.equal(s.seen.length, 5);
        },
      ),
  );
  await t.step("no-backoff", () =>
    faulty("no-backoff", always503, async (s, mk) => {
      await caught(mk().request({ method: "GET", path: "/" }));
      const span = (s.seen.at(-1)?.t ?? 0) - (s.seen[0]?.t ?? 0);
      assert.equal(s.seen.length, 4);
      assert.ok(span < 100, `span ${span}`);
    }));
  await t.step("retry-writes", () =>
    faulty("retry-writes", always503, async (s, mk) => {
      await caught(mk().request({ method: "POST", path: "/", json: {} }));
      assert.equal(s.seen.length, 4);
    }));
  await t.step("retry-all", () =>
    faulty("retry-all", () => json(404, problem("nf")), async (s, mk) => {
      await caught(mk({ maxRetries: 1 }).request({ method: "GET", path: "/" }));
      assert.equal(s.seen.length, 2);
    }));
  await t.step("ignore-retry-after", () =>
    faulty(
      "ignore-retry-after",
      (_r, n) => n === 0 ? json(429, problem("slow"), { "retry-after": "2" }) : json(200, {}),
      async (s, mk) => {
        await mk().request({ method: "GET", path: "/" });
        assert.ok((s.seen[1]?.t ?? 0) - (s.seen[0]?.t ?? 0) < 1_000);
      },
    ));
  await t.step(
    "obey-any-retry-after (sleeps past the cap)",
    () =>
      faulty(
        "obey-any-retry-after",
        () => json(429, problem("slow"), { "retry-after": "86400" }),
        async (_s, mk) => {
          const ac = new AbortController();
          const timer = setTimeout(() => ac.abort(), 300);
          const e = await caught(
            mk({ timeouts: { totalMs: 120_000 } }).request({
              method: "GET",
              path: "/",
              signal: ac.signal,
            }),
          );
          clearTimeout(timer);
          assert.ok(e instanceof RonCancelledError);
        },
      ),
  );
  const keyed: TestHandler = (_r, n) => n % 2 === 0 ? json(503, problem("busy")) : json(200, {});
  await t.step("no-idem-key", () =>
    faulty("no-idem-key", keyed, async (s, mk) => {
      await caught(mk().request({ method: "POST", path: "/", json: {}, idempotent: true }));
      assert.equal(s.seen[0]?.headers["idempotency-key"], undefined);
    }));
  await t.step("constant-idem-key", () =>
    faulty("constant-idem-key", ok, async (s, mk) => {
      const c = mk();
      await c.request({ method: "POST", path: "/", json: {}, idempotent: true });
      await c.request({ method: "POST", path: "/", json: {}, idempotent: true });
      assert.equal(s.seen[0]?.headers["idempotency-key"], s.seen[1]?.headers["idempotency-key"]);
    }));
  await t.step("key-per-attempt", () =>
    faulty("key-per-attempt", keyed, async (s, mk) => {
      await mk().request({ method: "POST", path: "/", json: {}, idempotent: true });
      assert.notEqual(s.seen[0]?.headers["idempotency-key"], s.seen[1]?.headers["idempotency-key"]);
    }));
  await t.step("replace-caller-key", () =>
    faulty("replace-caller-key", ok, async (s, mk) => {
      await mk().request({ method: "POST", path: "/", json: {}, idempotencyKey: "caller-order-42" });
      const sent = s.seen[0]?.headers["idempotency-key"];
      assert.ok(sent !== undefined && sent !== "caller-order-42", String(sent));
    }));
});

Deno.test("faults: timeouts, limits, redirects, SSE", async (t) => {
  const cancelAfter = async (c: RonClient, ms: number, path = "/") => {
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), ms);
    const e = await caught(c.request({ method: "GET", path, signal: ac.signal }));
    clearTimeout(timer);
    return e;
  };
  await t.step("no-timeout", () =>
    faulty("no-timeout", stallHandler, async (_s, mk) => {
      const e = await cancelAfter(mk({ timeouts: { readMs: 100, totalMs: 150 } }), 500);
      assert.ok(e instanceof RonCancelledError);
    }));
  await t.step("no-default-timeout", () =>
    faulty("no-default-timeout", stallHandler, async (_s, mk) => {
      const c = mk();
      const e = await cancelAfter(c, 300);
      assert.ok(e instanceof RonCancelledError);
    }));
  await t.step(
    "idle-timeout-only",
    () =>
      faulty("idle-timeout-only", () => new Response(trickle(new Uint8Array([32]), 20)), async (_s, mk) => {
        const e = await cancelAfter(mk({ timeouts: { readMs: 200, totalMs: 200 } }), 600);
        assert.ok(e instanceof RonCancelledError);
      }),
  );
  await t.step(
    "no-size-limit",
    () =>
      faulty("no-size-limit", () => new Response("x".repeat(5000)), async (_s, mk) => {
        const r = await mk({ maxResponseBytes: 100 }).request({ method: "GET", path: "/" });
        assert.equal(r.status, 200);
      }),
  );
  await t.step(
    "first-chunk-only",
    () =>
      faulty(
        "first-chunk-only",
        () => new Response(trickle(new TextEncoder().encode("ab"), 5, 4)),
        async (_s, mk) => {
          const r = await mk().request({ method: "GET", path: "/" });
          assert.notEqual(r.text, "abababab");
        },
      ),
  );
  await t.step("ignore-concurrency", () =>
    faulty("ignore-concurrency", async () => {
      await new Promise((r) => setTimeout(r, 30));
      return json(200, {});
    }, async (s, mk) => {
      const c = mk({ maxConcurrency: 1 });
      await Promise.all(Array.from({ length: 5 }, () => c.request({ method: "GET", path: "/" })));
      assert.ok(s.inFlight.max > 1);
    }));
  await t.step("auth-on-redirect", async () => {
    const foreign = startServer(ok, { hostname: "127.0.0.2" });
    try {
      await faulty(
        "auth-on-redirect",
        () => new Response(null, { status: 302, headers: { location: foreign.url } }),
        async (_s, mk) => {
          await mk().request({ method: "GET", path: "/" });
          assert.equal(foreign.seen[0]?.headers["authorization"], `Bearer ${T1}`);
        },
      );
    } finally {
      await foreign.close();
    }
  });
  await t.step("accept-truncated", async () => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const serve = (async () => {
      const conn = await listener.accept();
      await conn.read(new Uint8Array(4096));
      await conn.write(
        new TextEncoder().encode('HTTP/1.1 200 OK\r\ncontent-length: 100\r\nconnection: close\r\n\r\n{"a":1'),
      );
      conn.close();
    })();
    const c = new RonClient(withFault({
      baseUrl: `http://127.0.0.1:${listener.addr.port}`,
      allowInsecureHttp: true,
    }, "accept-truncated"));
    try {
      assert.equal((await c.request({ method: "GET", path: "/" })).status, 200);
    } finally {
      c.close();
      await serve;
      listener.close();
    }
  });
  const sse: TestHandler = () =>
    new Response("id: 1\ndata: a\n\nid: 2\ndata: b\n\nid: 3\ndata: c\n\n", {
      headers: { "content-type": "text/event-stream" },
    });
  await t.step("sse-unbounded", () =>
    faulty("sse-unbounded", sse, async (_s, mk) => {
      const r = await mk().subscribe("/", { maxEvents: 1, maxReconnects: 0 });
      assert.equal(r.events.length, 3);
    }));
  await t.step("no-last-event-id", () =>
    faulty("no-last-event-id", sse, async (s, mk) => {
      await mk().subscribe("/", { maxEvents: 10, maxReconnects: 1 });
      assert.equal(s.seen.length, 2);
      assert.equal(s.seen[1]?.headers["last-event-id"], undefined);
    }));
  await t.step("sse-reconnect-forever", () =>
    faulty("sse-reconnect-forever", sse, async (s, mk) => {
      const r = await mk().subscribe("/", { maxEvents: 10_000, maxReconnects: 1, maxDurationMs: 400 });
      assert.equal(r.end, "max_duration");
      assert.ok(s.seen.length > 2);
    }));
});
