import assert from "node:assert/strict";
import { type LogEntry, RonClient, type RonClientOptions } from "./client.ts";
import {
  RonCancelledError,
  RonConfigError,
  RonInsecureTransportError,
  RonNetworkError,
  RonProblem,
  RonTimeoutError,
  RonTooLargeError,
  RonTransportError,
} from "./errors.ts";
import { Secret } from "./secret.ts";
import { json, problem, startServer, type TestHandler, type TestServer, trickle } from "./_test_server.ts";

function canary(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return "ronc_" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function withServer(
  handler: TestHandler,
  fn: (s: TestServer, mk: (o?: Partial<RonClientOptions>) => RonClient) => Promise<void>,
): Promise<void> {
  const s = startServer(handler);
  const clients: RonClient[] = [];
  const mk = (o: Partial<RonClientOptions> = {}) => {
    const c = new RonClient({ baseUrl: s.url, allowInsecureHttp: true, ...o });
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

async function rejects<T extends Error>(p: Promise<unknown>, cls: new (...a: never[]) => T): Promise<T> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${e instanceof Error ? e.name : String(e)}`);
    return e;
  }
  assert.fail(`expected ${cls.name}, resolved`);
}

const ok: TestHandler = () => json(200, { ok: true });

Deno.test("each instance sends only its own token", async () => {
  await withServer(ok, async (s, mk) => {
    const [ta, tb] = [canary(), canary()];
    const a = mk({ token: ta });
    const b = mk({ token: new Secret(tb) });
    await a.request({ method: "GET", path: "/x" });
    await b.request({ method: "GET", path: "/x" });
    await a.request({ method: "GET", path: "/x" });
    assert.deepEqual(s.seen.map((r) => r.headers["authorization"]), [
      `Bearer ${ta}`,
      `Bearer ${tb}`,
      `Bearer ${ta}`,
    ]);
    for (const r of s.seen) assert.ok(!r.query.includes(ta) && !r.query.includes(tb));
  });
});

Deno.test("tokenProvider is called per request, so rotation takes effect; rotateToken too", async () => {
  await withServer(ok, async (s, mk) => {
    let current = canary();
    const first = current;
    const c = mk({ tokenProvider: () => Promise.resolve(current) });
    await c.request({ method: "GET", path: "/a" });
    current = canary();
    await c.request({ method: "GET", path: "/a" });
    assert.equal(s.seen[0]?.headers["authorization"], `Bearer ${first}`);
    assert.equal(s.seen[1]?.headers["authorization"], `Bearer ${current}`);
    const d = mk({ token: canary() });
    const next = canary();
    d.rotateToken(next);
    await d.request({ method: "GET", path: "/a" });
    assert.equal(s.seen[2]?.headers["authorization"], `Bearer ${next}`);
  });
});

Deno.test("rotation under load: every request carries one whole token", async () => {
  await withServer(ok, async (s, mk) => {
    const [t1, t2] = [canary(), canary()];
    let current = t1;
    const c = mk({ tokenProvider: () => current });
    const all = Array.from({ length: 40 }, (_, i) => {
      if (i === 20) current = t2;
      return c.request({ method: "GET", path: "/r" });
    });
    await Promise.all(all);
    for (const r of s.seen) {
      assert.ok([`Bearer ${t1}`, `Bearer ${t2}`].includes(r.headers["authorization"] ?? ""));
    }
  });
});

Deno.test("plain http:// is refused at construction unless allowInsecureHttp", async () => {
  await withServer(ok, async (s, mk) => {
    assert.throws(() => new RonClient({ baseUrl: s.url, token: canary() }), RonInsecureTransportError);
    assert.equal(s.seen.length, 0);
    const c = mk({ token: canary() });
    assert.equal((await c.request({ method: "GET", path: "/" })).status, 200);
  });
  assert.throws(() => new RonClient({ baseUrl: "ftp://x" }), RonConfigError);
  // "hybrid" is accepted (the runtime's TLS offers X25519MLKEM768; sdk.tls.pq-hybrid proves it)
  new RonClient({ baseUrl: "https://x", tlsPqMode: "hybrid" }).close();
  const bad = { baseUrl: "https://x", tlsPqMode: "kyber" } as unknown as RonClientOptions;
  assert.throws(() => new RonClient(bad), RonConfigError);
});

Deno.test("read timeout: a server that stalls before the headers", async () => {
  await withServer(async (req, _n, s) => {
    await s.stall(req);
    return new Response("late");
  }, async (s, mk) => {
    const c = mk({ timeouts: { connectMs: 100, readMs: 200 } });
    const t0 = performance.now();
    const e = await rejects(c.request({ method: "GET", path: "/stall" }), RonTimeoutError);
    const ms = performance.now() - t0;
    assert.equal(e.phase, "read");
    assert.ok(ms >= 250 && ms < 2_000, `gave up after ${ms} ms`);
    assert.equal(s.seen.length, 1, "timeouts are not retried");
  });
});

Deno.test("read timeout also bounds the idle gap between body chunks", async () => {
  await withServer((req, _n, s) => {
    const stream = new ReadableStream<Uint8Array>({
      async start(ctl) {
        ctl.enqueue(new TextEncoder().encode('{"a":'));
        await s.stall(req);
        try {
          ctl.close();
        } catch { /* cancelled */ }
      },
    });
    return new Response(stream, { headers: { "content-type": "application/json" } });
  }, async (_s, mk) => {
    const c = mk({ timeouts: { readMs: 200, totalMs: 5_000 } });
    const t0 = performance.now();
    const e = await rejects(c.request({ method: "GET", path: "/idle" }), RonTimeoutError);
    assert.equal(e.phase, "read");
    assert.ok(performance.now() - t0 < 2_000);
  });
});

Deno.test("total timeout: a body that trickles forever", async () => {
  await withServer(() => new Response(trickle(new Uint8Array([32]), 50)), async (_s, mk) => {
    const c = mk({ timeouts: { readMs: 300, totalMs: 600 } });
    const t0 = performance.now();
    const e = await rejects(c.request({ method: "GET", path: "/trickle" }), RonTimeoutError);
    const ms = performance.now() - t0;
    assert.equal(e.phase, "total");
    assert.ok(ms >= 550 && ms < 3_000, `gave up after ${ms} ms`);
  });
});

Deno.test("per-call timeouts override the client's", async () => {
  await withServer(async (req, _n, s) => {
    await s.stall(req);
    return new Response("late");
  }, async (_s, mk) => {
    const c = mk({ timeouts: { readMs: 20_000 } });
    const e = await rejects(
      c.request({ method: "GET", path: "/", timeouts: { connectMs: 50, readMs: 150 } }),
      RonTimeoutError,
    );
    assert.equal(e.limitMs, 200);
  });
});

Deno.test("retries are bounded and back off with jitter", async () => {
  await withServer(() => json(503, problem("unavailable")), async (s, mk) => {
    const c = mk({ maxRetries: 3 });
    const e = await rejects(c.request({ method: "GET", path: "/503" }), RonProblem);
    assert.equal(e.status, 503);
    assert.equal(e.code, "unavailable");
    assert.equal(s.seen.length, 4);
    const gaps = s.seen.slice(1).map((r, i) => r.t - (s.seen[i]?.t ?? 0));
    // full jitter: wait n is uniform in [0, min(2 s, 100 ms * 2^n)]; +300 ms for the attempt itself.
    // (That waits grow is judged statistically over many clients by sdk.retry.backoff.)
    assert.ok(gaps.every((g, n) => g <= Math.min(2_000, 100 * 2 ** n) + 300), `backoffs ${gaps.join(",")}`);
    const d = mk({ maxRetries: 0 });
    const before = s.seen.length;
    await rejects(d.request({ method: "GET", path: "/503" }), RonProblem);
    assert.equal(s.seen.length - before, 1);
  });
});

Deno.test("a GET is retried after a 503 and succeeds; X-Request-ID and key stay stable across attempts", async () => {
  await withServer((_r, n) => n < 2 ? json(503, problem("busy")) : json(200, { n }), async (s, mk) => {
    const c = mk();
    const r = await c.request({ method: "GET", path: "/flaky" });
    assert.deepEqual(r.json, { n: 2 });
    assert.equal(s.seen.length, 3);
    const ids = new Set(s.seen.map((q) => q.headers["x-request-id"]));
    assert.equal(ids.size, 1);
    assert.equal(r.requestId, s.seen[0]?.headers["x-request-id"]);
  });
});

Deno.test("writes without an idempotency key are never retried; client errors never", async (t) => {
  await withServer((req) => {
    const status = Number(new URL(req.url).searchParams.get("s") ?? "503");
    return json(status, problem(`s${status}`));
  }, async (s, mk) => {
    const c = mk();
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      await t.step(`${method} without key`, async () => {
        const before = s.seen.length;
        await rejects(c.request({ method, path: "/w", json: { a: 1 } }), RonProblem);
        assert.equal(s.seen.length - before, 1);
      });
    }
    for (const status of [400, 401, 403, 404, 409, 422]) {
      await t.step(`GET ${status}`, async () => {
        const before = s.seen.length;
        const e = await rejects(c.request({ method: "GET", path: "/e", query: { s: status } }), RonProblem);
        assert.equal(e.status, status);
        assert.equal(s.seen.length - before, 1);
      });
    }
  });
});

Deno.test("idempotent writes carry a UUID v4 key: the same on retries, new per request; caller key verbatim", async () => {
  await withServer((_r, n) => n % 2 === 0 ? json(503, problem("busy")) : json(201, {}), async (s, mk) => {
    const c = mk();
    await c.request({ method: "POST", path: "/k", json: {}, idempotent: true });
    await c.request({ method: "POST", path: "/k", json: {}, idempotent: true });
    const keys = s.seen.map((r) => r.headers["idempotency-key"] ?? "");
    assert.equal(keys.length, 4);
    assert.ok(keys.every((k) => UUID_V4.test(k)));
    assert.equal(keys[0], keys[1]);
    assert.equal(keys[2], keys[3]);
    assert.notEqual(keys[0], keys[2]);
    await c.request({ method: "PUT", path: "/k", json: {}, idempotencyKey: "caller-key-1" });
    assert.equal(s.seen.at(-1)?.headers["idempotency-key"], "caller-key-1");
    assert.equal(s.seen.at(-2)?.headers["idempotency-key"], "caller-key-1");
    await c.request({ method: "GET", path: "/k" }).catch(() => {});
    const get = s.seen.find((r) => r.method === "GET");
    assert.equal(get?.headers["idempotency-key"], undefined);
  });
});

Deno.test("Retry-After is honoured, and fails fast above the cap", async () => {
  await withServer((req, n) => {
    const ra = new URL(req.url).searchParams.get("ra") ?? "1";
    return n % 2 === 0 ? json(429, problem("slow"), { "retry-after": ra }) : json(200, {});
  }, async (s, mk) => {
    const c = mk({ retryAfterCapMs: 5_000 });
    await c.request({ method: "GET", path: "/ra" });
    const gap = (s.seen[1]?.t ?? 0) - (s.seen[0]?.t ?? 0);
    assert.ok(gap >= 950, `waited ${gap} ms for Retry-After: 1`);
    const t0 = performance.now();
    const e = await rejects(c.request({ method: "GET", path: "/ra", query: { ra: "86400" } }), RonProblem);
    assert.equal(e.status, 429);
    assert.ok(performance.now() - t0 < 1_000);
    assert.equal(s.seen.length, 3);
  });
});

Deno.test("typed errors: Problem fields, correlation id, and no token or body in messages", async (t) => {
  const token = canary();
  await withServer((req) => {
    const kind = new URL(req.url).pathname;
    switch (kind) {
      case "/problem":
        return json(403, problem("forbidden", `token ${token} is not allowed`, { details: { echo: token } }));
      case "/rfc":
        return new Response(JSON.stringify({ type: "about:blank", title: "Not here", status: 404 }), {
          status: 404,
          headers: { "content-type": "application/problem+json" },
        });
      case "/garbled":
        return new Response(`{"code": "x", "message": "${token} SECRET-BODY`, {
          status: 500,
          headers: { "content-type": "application/json" },
        });
      case "/html":
        return new Response("<html>SECRET-BODY</html>", {
          status: 502,
          headers: { "content-type": "text/html" },
        });
      case "/unknown":
        return json(409, { ...problem("conflict") as object, extra_field: { deep: [1] } });
      default:
        return json(200, { ok: true, unknown_field: 1 });
    }
  }, async (_s, mk) => {
    const c = mk({ token, maxRetries: 0 });
    await t.step("canonical", async () => {
      const e = await rejects(c.request({ method: "GET", path: "/problem" }), RonProblem);
      assert.equal(e.code, "forbidden");
      assert.equal(e.kind, "test");
      assert.equal(e.correlationId, "corr-forbidden");
      assert.ok(!JSON.stringify({ m: e.message, d: e.details, s: String(e) }).includes(token));
    });
    await t.step("rfc9457", async () => {
      const e = await rejects(c.request({ method: "GET", path: "/rfc" }), RonProblem);
      assert.equal(e.status, 404);
    });
    for (const path of ["/garbled", "/html"]) {
      await t.step(path, async () => {
        const e = await rejects(c.request({ method: "GET", path }), RonTransportError);
        assert.match(e.message, path === "/garbled" ? /truncated_json/ : /not_json/);
        assert.ok(!e.message.includes("SECRET-BODY") && !e.message.includes(token));
        assert.ok(e.correlationId !== undefined);
      });
    }
    await t.step("unknown fields survive", async () => {
      const e = await rejects(c.request({ method: "GET", path: "/unknown" }), RonProblem);
      assert.equal(e.code, "conflict");
      const r = await c.request({ method: "GET", path: "/dto" });
      assert.deepEqual(r.json, { ok: true, unknown_field: 1 });
    });
  });
});

Deno.test("a network error is typed and retried for GETs", async () => {
  const s = startServer(ok);
  const url = s.url;
  await s.close();
  const c = new RonClient({ baseUrl: url, allowInsecureHttp: true, token: canary(), maxRetries: 1 });
  try {
    const e = await rejects(c.request({ method: "GET", path: "/" }), RonNetworkError);
    assert.ok(!e.message.includes("ronc_"));
  } finally {
    c.close();
  }
});

Deno.test("the size cap is enforced while streaming (endless body and Content-Length)", async () => {
  await withServer((req) => {
    if (new URL(req.url).pathname === "/declared") return new Response(new Uint8Array(4096));
    return new Response(trickle(new Uint8Array(64 * 1024), 1));
  }, async (_s, mk) => {
    const c = mk({ maxResponseBytes: 1024 * 1024 });
    const t0 = performance.now();
    const e = await rejects(c.request({ method: "GET", path: "/endless" }), RonTooLargeError);
    assert.equal(e.limit, 1024 * 1024);
    assert.ok(performance.now() - t0 < 5_000);
    const d = mk({ maxResponseBytes: 1000 });
    await rejects(d.request({ method: "GET", path: "/declared" }), RonTooLargeError);
  });
});

Deno.test("a body cut short of its Content-Length is a network error, not a success", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const serve = (async () => {
    for (let i = 0; i < 2; i++) {
      const conn = await listener.accept();
      const buf = new Uint8Array(4096);
      await conn.read(buf);
      await conn.write(new TextEncoder().encode(
        'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\nconnection: close\r\n\r\n{"a":1',
      ));
      conn.close();
    }
  })();
  const c = new RonClient({
    baseUrl: `http://127.0.0.1:${listener.addr.port}`,
    allowInsecureHttp: true,
    maxRetries: 1,
  });
  try {
    await rejects(c.request({ method: "GET", path: "/" }), RonNetworkError);
  } finally {
    c.close();
    await serve;
    listener.close();
  }
});

Deno.test("maxConcurrency bounds the requests in flight", async () => {
  await withServer(async () => {
    await new Promise((r) => setTimeout(r, 30));
    return json(200, {});
  }, async (s, mk) => {
    const c = mk({ maxConcurrency: 3 });
    await Promise.all(Array.from({ length: 15 }, () => c.request({ method: "GET", path: "/c" })));
    assert.equal(s.seen.length, 15);
    assert.ok(s.inFlight.max <= 3, `max in flight ${s.inFlight.max}`);
  });
});

Deno.test("close() fails later requests without sending; zeroize() too", async () => {
  await withServer(ok, async (s, mk) => {
    const c = mk({ token: canary() });
    c.close();
    const e = await rejects(c.request({ method: "GET", path: "/" }), RonConfigError);
    assert.match(e.message, /client closed/);
    const d = mk({ tokenProvider: () => canary() });
    d.zeroize();
    await rejects(d.request({ method: "GET", path: "/" }), RonConfigError);
    assert.equal(s.seen.length, 0);
  });
});

Deno.test("close() aborts a request in flight", async () => {
  await withServer(async (req, _n, s) => {
    await s.stall(req);
    return new Response("late");
  }, async (_s, mk) => {
    const c = mk();
    const p = c.request({ method: "GET", path: "/" });
    setTimeout(() => c.close(), 50);
    await rejects(p, RonConfigError);
  });
});

Deno.test("a caller's AbortSignal cancels", async () => {
  await withServer(async (req, _n, s) => {
    await s.stall(req);
    return new Response("late");
  }, async (_s, mk) => {
    const c = mk();
    const ac = new AbortController();
    const p = c.request({ method: "GET", path: "/", signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await rejects(p, RonCancelledError);
  });
});

Deno.test("X-Request-ID is a new UUID per request; auditContext travels in headers", async () => {
  await withServer(ok, async (s, mk) => {
    const c = mk();
    await c.request({
      method: "GET",
      path: "/",
      auditContext: { actor: "alice", reason: "audit", tenant: "t1" },
    });
    await c.request({ method: "GET", path: "/" });
    const [a, b] = s.seen;
    assert.ok(UUID_V4.test(a?.headers["x-request-id"] ?? ""));
    assert.notEqual(a?.headers["x-request-id"], b?.headers["x-request-id"]);
    assert.equal(a?.headers["x-audit-actor"], "alice");
    assert.equal(a?.headers["x-audit-reason"], "audit");
    assert.equal(a?.headers["x-audit-tenant"], "t1");
    assert.equal(b?.headers["x-audit-actor"], undefined);
    await rejects(
      c.request({ method: "GET", path: "/", auditContext: { actor: "a\r\nx: y" } }),
      RonConfigError,
    );
  });
});

Deno.test("the debug log redacts headers, the token and cap-like body values", async () => {
  const token = canary();
  const other = canary();
  await withServer(
    () => json(200, { echo: token, other_cap: other }, { "set-cookie": "sid=1" }),
    async (s, mk) => {
      const entries: LogEntry[] = [];
      const c = mk({
        token,
        debug: true,
        logger: (e) => entries.push(e),
        redactHeaderNames: ["X-Audit-Actor"],
        redact: (text) => text.replaceAll("alice", "[PII]"),
      });
      await c.request({
        method: "POST",
        path: "/",
        json: { name: "alice", token },
        auditContext: { actor: "bob" },
      });
      const dump = JSON.stringify(entries);
      assert.ok(entries.length >= 2);
      assert.ok(!dump.includes(token) && !dump.includes(other), "token leaked into the log");
      assert.ok(!dump.includes("alice") && !dump.includes("bob"));
      assert.ok(!dump.includes("sid=1"));
      assert.equal(entries[0]?.headers?.["authorization"], "[REDACTED]");
      assert.equal(s.seen.length, 1);
    },
  );
});

Deno.test("paths cannot escape the base URL; the base path prefix is kept", async () => {
  await withServer(ok, async (s, mk) => {
    const c = mk({ baseUrl: `${s.url}/prefix/` });
    await c.request({ method: "GET", path: "/a/b", query: { q: "1", list: ["x", "y"] } });
    assert.equal(s.seen[0]?.path, "/prefix/a/b");
    assert.equal(s.seen[0]?.query, "?q=1&list=x&list=y");
    await rejects(c.request({ method: "GET", path: "https://evil.example/" }), RonConfigError);
    await rejects(c.request({ method: "GET", path: "//evil.example/" }), RonConfigError);
  });
});

Deno.test("redirects: same origin keeps Authorization, another origin drops it, at most 5 hops", async () => {
  const foreign = startServer(ok, { hostname: "127.0.0.2" });
  try {
    await withServer((req) => {
      const p = new URL(req.url).pathname;
      if (p === "/same") return new Response(null, { status: 302, headers: { location: "/target" } });
      if (p === "/away") {
        return new Response(null, { status: 307, headers: { location: `${foreign.url}/x` } });
      }
      if (p === "/loop") return new Response(null, { status: 302, headers: { location: "/loop" } });
      return json(200, { p });
    }, async (s, mk) => {
      const token = canary();
      const c = mk({ token });
      const r = await c.request({ method: "GET", path: "/same" });
      assert.deepEqual(r.json, { p: "/target" });
      assert.equal(s.seen[1]?.headers["authorization"], `Bearer ${token}`);
      await c.request({ method: "GET", path: "/away" });
      assert.equal(foreign.seen.length, 1);
      assert.equal(foreign.seen[0]?.headers["authorization"], undefined);
      await rejects(c.request({ method: "GET", path: "/loop" }), RonNetworkError);
    });
  } finally {
    await foreign.close();
  }
});

Deno.test("fromEnv reads RON_APP_URL, RON_APP_TIMEOUT (seconds) and RON_APP_TOKEN", async () => {
  const saved = ["RON_APP_URL", "RON_APP_TIMEOUT", "RON_APP_TOKEN"].map((k) => [k, Deno.env.get(k)] as const);
  try {
    await withServer(async (req, _n, s) => {
      if (new URL(req.url).pathname === "/stall") await s.stall(req);
      return json(200, {});
    }, async (s) => {
      const token = canary();
      Deno.env.set("RON_APP_URL", s.url);
      Deno.env.set("RON_APP_TIMEOUT", "0.3");
      Deno.env.set("RON_APP_TOKEN", token);
      const c = RonClient.fromEnv({ allowInsecureHttp: true });
      try {
        await c.request({ method: "GET", path: "/" });
        assert.equal(s.seen[0]?.headers["authorization"], `Bearer ${token}`);
        const e = await rejects(c.request({ method: "GET", path: "/stall" }), RonTimeoutError);
        assert.equal(e.phase, "total");
        assert.equal(e.limitMs, 300);
      } finally {
        c.close();
      }
      Deno.env.delete("RON_APP_URL");
      assert.throws(() => RonClient.fromEnv(), RonConfigError);
      Deno.env.set("RON_APP_URL", s.url);
      assert.throws(() => RonClient.fromEnv(), RonInsecureTransportError);
      Deno.env.set("RON_APP_TIMEOUT", "soon");
      assert.throws(() => RonClient.fromEnv({ allowInsecureHttp: true }), RonConfigError);
    });
  } finally {
    for (const [k, v] of saved) v === undefined ? Deno.env.delete(k) : Deno.env.set(k, v);
  }
});

Deno.test("read timeout bounds a small declared body that stalls midway", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const serve = (async () => {
    const conn = await listener.accept();
    await conn.read(new Uint8Array(4096));
    await conn.write(new TextEncoder().encode(
      'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"a":',
    ));
    // hold the connection until the client gives up (read returns null) or 3 s pass
    const guard = setTimeout(() => conn.close(), 3_000);
    await conn.read(new Uint8Array(16)).catch(() => null);
    clearTimeout(guard);
    try {
      conn.close();
    } catch { /* closed by the guard */ }
  })();
  const c = new RonClient({
    baseUrl: `http://127.0.0.1:${listener.addr.port}`,
    allowInsecureHttp: true,
    timeouts: { readMs: 200, totalMs: 5_000 },
  });
  try {
    const t0 = performance.now();
    const e = await rejects(c.request({ method: "GET", path: "/" }), RonTimeoutError);
    assert.equal(e.phase, "read");
    assert.ok(performance.now() - t0 < 2_000);
  } finally {
    c.close();
    await serve;
    listener.close();
  }
});
