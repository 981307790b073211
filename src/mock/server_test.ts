import assert from "node:assert/strict";
import { startMockServer } from "./server.ts";
import { issueLeaf } from "./ca.ts";
import type { MockServer } from "./types.ts";

/** Run `fn` with a fresh mock server and an HTTP client that trusts its CA; close both after. */
async function withMock(fn: (mock: MockServer, client: Deno.HttpClient) => Promise<void>): Promise<void> {
  const mock = await startMockServer();
  const client = Deno.createHttpClient({ caCerts: [mock.caCertPem] });
  try {
    await fn(mock, client);
  } finally {
    client.close();
    await mock.close();
  }
}

async function drain(res: Response): Promise<Uint8Array> {
  return new Uint8Array(await res.arrayBuffer());
}

Deno.test("startMockServer() starts fast and serves /healthz on every listener", async () => {
  const t0 = performance.now();
  const mock = await startMockServer();
  const startMs = performance.now() - t0;
  const client = Deno.createHttpClient({ caCerts: [mock.caCertPem] });
  try {
    assert.ok(startMs < 5000, `startup took ${startMs.toFixed(0)} ms`);
    console.log(`mock startup ${startMs.toFixed(0)} ms`);
    const { https, http, foreign } = mock.ports;
    for (
      const url of [`https://127.0.0.1:${https}`, `http://127.0.0.1:${http}`, `https://127.0.0.2:${foreign}`]
    ) {
      const res = await fetch(`${url}/healthz`, { client });
      assert.equal(res.status, 200, url);
      assert.deepEqual(await res.json(), { ok: true });
    }
  } finally {
    client.close();
    await mock.close();
  }
});

Deno.test("scenario bodies: json, text, bytes, endless, trickle", async (t) => {
  await withMock(async (mock, client) => {
    await t.step("json with default content-type", async () => {
      const s = mock.scenario({ responses: [{ status: 201, body: { kind: "json", value: { a: 1 } } }] });
      const res = await fetch(`${s.httpsBase}/x`, { client });
      assert.equal(res.status, 201);
      assert.equal(res.headers.get("content-type"), "application/json");
      assert.deepEqual(await res.json(), { a: 1 });
    });
    await t.step("text with scripted headers", async () => {
      const s = mock.scenario({
        responses: [{
          headers: { "content-type": "text/html", "x-a": "b" },
          body: { kind: "text", value: "hi" },
        }],
      });
      const res = await fetch(`${s.httpsBase}/x`, { client });
      assert.equal(res.headers.get("content-type"), "text/html");
      assert.equal(res.headers.get("x-a"), "b");
      assert.equal(await res.text(), "hi");
    });
    await t.step("bytes: exact size, fill pattern aligned across chunks", async () => {
      const s = mock.scenario({ responses: [{ body: { kind: "bytes", size: 100_003, fill: "xyz" } }] });
      const res = await fetch(`${s.httpsBase}/x`, { client });
      const bytes = await drain(res);
      assert.equal(bytes.length, 100_003);
      const text = new TextDecoder().decode(bytes);
      assert.equal(text, "xyz".repeat(33_335).slice(0, 100_003));
    });
    await t.step("bytes with a scripted content-length", async () => {
      const s = mock.scenario({
        responses: [{ headers: { "content-length": "5000" }, body: { kind: "bytes", size: 5000 } }],
      });
      const res = await fetch(`${s.httpsBase}/x`, { client });
      assert.equal(res.headers.get("content-length"), "5000");
      assert.equal((await drain(res)).length, 5000);
    });
    await t.step("endless until the client cancels", async () => {
      const s = mock.scenario({ responses: [{ body: { kind: "endless", chunk_bytes: 1000 } }] });
      const res = await fetch(`${s.httpsBase}/x`, { client });
      const reader = res.body!.getReader();
      let got = 0;
      while (got < 200_000) {
        const { done, value } = await reader.read();
        assert.equal(done, false);
        got += value!.length;
      }
      await reader.cancel();
    });
    await t.step("trickle sends `bytes` bytes at the interval, then ends", async () => {
      const s = mock.scenario({ responses: [{ body: { kind: "trickle", interval_ms: 20, bytes: 5 } }] });
      const t0 = performance.now();
      const res = await fetch(`${s.httpsBase}/x`, { client });
      assert.equal(await res.text(), "aaaaa");
      assert.ok(performance.now() - t0 >= 80, "five bytes at 20 ms each take >= 80 ms");
    });
    await t.step("endless trickle stops when the client aborts", async () => {
      const s = mock.scenario({ responses: [{ body: { kind: "trickle", interval_ms: 10 } }] });
      const ac = new AbortController();
      const res = await fetch(`${s.httpsBase}/x`, { client, signal: ac.signal });
      const reader = res.body!.getReader();
      await reader.read();
      ac.abort();
      await assert.rejects(reader.read());
    });
  });
});

Deno.test("responses follow the script in order (last repeats), match steps take precedence", async () => {
  await withMock(async (mock, client) => {
    const s = mock.scenario({
      responses: [
        { match: { method: "POST", path: "/special" }, status: 202 },
        { match: { path: "/pre/*" }, status: 203 },
        { status: 500 },
        { status: 200 },
      ],
    });
    const statuses: number[] = [];
    for (
      const [method, path] of [["GET", "/a"], ["POST", "/special"], ["GET", "/b"], ["GET", "/c"]] as const
    ) {
      const res = await fetch(`${s.httpsBase}${path}`, { client, method });
      await res.body?.cancel();
      statuses.push(res.status);
    }
    const pre = await fetch(`${s.httpsBase}/pre/deep/x`, { client });
    await pre.body?.cancel();
    statuses.push(pre.status);
    assert.deepEqual(statuses, [500, 202, 200, 200, 203]);
  });
});

Deno.test("unknown or released scenario answers a 404 problem", async () => {
  await withMock(async (mock, client) => {
    const res = await fetch(`https://127.0.0.1:${mock.ports.https}/s/nope/x`, { client });
    assert.equal(res.status, 404);
    const body = await res.json();
    assert.equal(body.code, "mock.unknown_scenario");
    assert.equal(typeof body.correlation_id, "string");
    const s = mock.scenario({ responses: [{ status: 200 }] });
    s.release();
    const again = await fetch(`${s.httpsBase}/x`, { client });
    assert.equal(again.status, 404);
    await again.body?.cancel();
    assert.equal(s.requests().length, 0);
  });
});

Deno.test("delay_ms holds the headers for the scripted time", async () => {
  await withMock(async (mock, client) => {
    const s = mock.scenario({ responses: [{ delay_ms: 300, body: { kind: "text", value: "late" } }] });
    const t0 = performance.now();
    const res = await fetch(`${s.httpsBase}/x`, { client });
    const waited = performance.now() - t0;
    assert.equal(await res.text(), "late");
    assert.ok(waited >= 280, `waited ${waited.toFixed(0)} ms`);
  });
});

Deno.test("stall holds the response until the client aborts, without leaking timers", async () => {
  await withMock(async (mock, client) => {
    const s = mock.scenario({ responses: [{ stall: true }] });
    for (const base of [s.httpsBase, s.httpBase]) {
      const t0 = performance.now();
      await assert.rejects(fetch(`${base}/x`, { client, signal: AbortSignal.timeout(200) }));
      const waited = performance.now() - t0;
      assert.ok(waited >= 180 && waited < 3000, `aborted after ${waited.toFixed(0)} ms`);
    }
    assert.equal(await s.waitForRequests(2, 1000), 2);
  });
});

Deno.test("release() ends a stall and an endless stream", async () => {
  await withMock(async (mock, client) => {
    const s = mock.scenario({
      responses: [{ match: { path: "/stall" }, stall: true }, {
        body: { kind: "sse", endless: true, interval_ms: 20 },
      }],
    });
    const stalled = fetch(`${s.httpsBase}/stall`, { client });
    const res = await fetch(`${s.httpsBase}/events`, { client });
    const text = res.text();
    await s.waitForRequests(2, 2000);
    await new Promise((r) => setTimeout(r, 60));
    s.release();
    assert.equal((await stalled).status, 503);
    assert.match(await text, /id: 1\ndata: \{"seq":1\}\n\n/);
  });
});

Deno.test("close destroys the connection without a response: fetch rejects", async () => {
  await withMock(async (mock) => {
    const s = mock.scenario({ responses: [{ close: true }] });
    for (const base of [s.httpBase, s.httpsBase]) {
      const client = Deno.createHttpClient({ caCerts: [mock.caCertPem] });
      try {
        await assert.rejects(fetch(`${base}/x`, { client }));
      } finally {
        client.close();
      }
    }
    assert.equal(s.requests().length, 2);
  });
});

Deno.test("close on a kept-alive HTTP/1.1 connection: first answer arrives, then fetch rejects", async () => {
  await withMock(async (mock, client) => {
    const s = mock.scenario({
      responses: [{ status: 200, body: { kind: "text", value: "one" } }, { close: true }],
    });
    const first = await fetch(`${s.httpBase}/a`, { client });
    assert.equal(await first.text(), "one");
    await assert.rejects(fetch(`${s.httpBase}/b`, { client }));
    const log = s.requests();
    assert.equal(log[0]?.connection, log[1]?.connection);
    // Deno's fetch retries a request once when a reused connection dies; the retry is a new connection
    if (log.length > 2) assert.notEqual(log[2]?.connection, log[0]?.connection);
  });
});

Deno.test("scenario() rejects a malformed script", async () => {
  await withMock((mock) => {
    assert.throws(() => mock.scenario({ responses: [] }));
    assert.throws(() => mock.scenario({ responses: [{ status: 99 }] }));
    return Promise.resolve();
  });
});

Deno.test("redirects: foreign is really 127.0.0.2, http is the plain listener, paths stay in the scenario", async () => {
  await withMock(async (mock, client) => {
    const s = mock.scenario({
      responses: [
        { match: { path: "/to-foreign" }, redirect: "foreign" },
        { match: { path: "/to-http" }, redirect: "http", status: 307 },
        { match: { path: "/to-path" }, redirect: "/landing" },
        { status: 200, body: { kind: "text", value: "landed" } },
      ],
    });
    const foreign = await fetch(`${s.httpsBase}/to-foreign?q=1`, { client, redirect: "manual" });
    assert.equal(foreign.status, 302);
    assert.equal(
      foreign.headers.get("location"),
      `https://127.0.0.2:${mock.ports.foreign}/s/${s.id}/to-foreign?q=1`,
    );
    await foreign.body?.cancel();
    const http = await fetch(`${s.httpsBase}/to-http`, { client, redirect: "manual" });
    assert.equal(http.status, 307);
    assert.equal(http.headers.get("location"), `http://127.0.0.1:${mock.ports.http}/s/${s.id}/to-http`);
    await http.body?.cancel();
    const path = await fetch(`${s.httpsBase}/to-path`, { client, redirect: "manual" });
    assert.equal(path.headers.get("location"), `/s/${s.id}/landing`);
    await path.body?.cancel();

    // follow the foreign redirect: the loop ends on the foreign listener (the step repeats)
    const landed = await fetch(`${s.foreignBase}/elsewhere`, { client });
    assert.equal(await landed.text(), "landed");
    assert.equal(s.requests().at(-1)?.listener, "foreign");
    // the foreign listener is bound to 127.0.0.2 only: the same port on 127.0.0.1 is refused
    await assert.rejects(fetch(`https://127.0.0.1:${mock.ports.foreign}/healthz`, { client }));
  });
});

Deno.test("every redirect ends: a client that follows every redirect lands on a final answer in a few hops", async () => {
  await withMock(async (mock, client) => {
    const scripts = {
      // the sdk.redirect.* scenarios: the target keeps the path, where the same step matches again
      "foreign, matched": [{ match: { path: "/start" }, redirect: "foreign" }, {
        status: 200,
        body: { kind: "json", value: { landed: "scripted" } },
      }],
      "http, matched": [{ match: { path: "/start" }, redirect: "http" }, {
        status: 200,
        body: { kind: "json", value: { landed: "scripted" } },
      }],
      // a lone redirect step: its own target answers 200 {"landed": true}
      "foreign, alone": [{ redirect: "foreign" }],
      "path, alone": [{ redirect: "/start" }],
      // a cycle the script wrote: ended after a bounded number of hops
      "cycle": [{ match: { path: "/start" }, redirect: "/b" }, { match: { path: "/b" }, redirect: "/start" }],
    } as const;
    for (const [name, responses] of Object.entries(scripts)) {
      const s = mock.scenario({ responses: [...responses] });
      const res = await fetch(`${s.httpsBase}/start`, { client, redirect: "follow" });
      assert.equal(res.status, 200, name);
      const body = await res.json();
      assert.ok(body.landed === "scripted" || body.landed === true, `${name}: ${JSON.stringify(body)}`);
      assert.ok(s.requests().length <= 7, `${name}: ${s.requests().length} requests`);
    }
  });
});

Deno.test("TLS: trusted CA verifies https and foreign; untrusted listener fails verification", async () => {
  await withMock(async (mock, client) => {
    const s = mock.scenario({ responses: [{ status: 204 }] });
    for (const base of [s.httpsBase, s.foreignBase, s.httpBase]) {
      const res = await fetch(`${base}/x`, { client });
      assert.equal(res.status, 204, base);
      await res.body?.cancel();
    }
    assert.match(s.untrustedBase, /^https:\/\/127\.0\.0\.1:\d+\/s\//);
    await assert.rejects(fetch(`${s.untrustedBase}/x`, { client }));
    // the default trust store does not know the kit's CA either
    const plain = Deno.createHttpClient({});
    try {
      await assert.rejects(fetch(`${s.httpsBase}/x`, { client: plain }));
    } finally {
      plain.close();
    }
    assert.deepEqual(s.requests().map((r) => r.listener), ["https", "foreign", "http"]);
  });
});

Deno.test("TLS listeners negotiate HTTP/1.1 only (ALPN), with the IP SAN verified", async () => {
  await withMock(async (mock) => {
    for (
      const [hostname, port] of [["127.0.0.1", mock.ports.https], ["127.0.0.2", mock.ports.foreign]] as const
    ) {
      const conn = await Deno.connectTls({
        hostname,
        port,
        caCerts: [mock.caCertPem],
        alpnProtocols: ["h2", "http/1.1"],
      });
      try {
        const info = await conn.handshake();
        assert.equal(info.alpnProtocol, "http/1.1");
      } finally {
        conn.close();
      }
    }
  });
});

Deno.test("the request log records every field", async () => {
  await withMock(async (mock, client) => {
    const s = mock.scenario({ responses: [{ status: 200 }] });
    const big = "z".repeat(10_000);
    const res = await fetch(`${s.httpsBase}/v1/items?b=2&a=1`, {
      client,
      method: "POST",
      headers: { "X-Custom": "Val", "content-type": "text/plain" },
      body: big,
    });
    await res.body?.cancel();
    const res2 = await fetch(`${s.httpsBase}`, { client });
    await res2.body?.cancel();
    const [r1, r2] = s.requests();
    assert.ok(r1 && r2);
    assert.equal(r1.method, "POST");
    assert.equal(r1.path, "/v1/items");
    assert.equal(r1.query, "b=2&a=1");
    assert.equal(r1.headers["x-custom"], "Val");
    assert.equal(r1.bodySize, 10_000);
    assert.equal(r1.body, "z".repeat(4096));
    assert.equal(r1.listener, "https");
    assert.match(r1.connection, /^https:\d+$/);
    assert.equal(r2.connection, r1.connection, "a kept-alive connection keeps its id");
    assert.equal(r2.path, "/");
    assert.ok(r1.t >= 0 && r2.t >= r1.t);
    assert.ok(Object.keys(r1.headers).every((k) => k === k.toLowerCase()));
  });
});

Deno.test("SSE: ids count from 1, resume after Last-Event-ID, drop after the scripted events", async () => {
  await withMock(async (mock, client) => {
    const s = mock.scenario({ responses: [{ body: { kind: "sse", events: [{ a: 1 }, { a: 2 }] } }] });
    const first = await fetch(`${s.httpsBase}/events`, { client });
    assert.equal(first.headers.get("content-type"), "text/event-stream");
    assert.equal(await first.text(), 'id: 1\ndata: {"a":1}\n\nid: 2\ndata: {"a":2}\n\n');
    const resumed = await fetch(`${s.httpsBase}/events`, { client, headers: { "Last-Event-ID": "2" } });
    assert.equal(await resumed.text(), 'id: 3\ndata: {"a":1}\n\nid: 4\ndata: {"a":2}\n\n');
    assert.equal(s.requests()[1]?.headers["last-event-id"], "2");
  });
});

Deno.test("waitForRequests() resolves on the n-th request or at its timeout", async () => {
  await withMock(async (mock, client) => {
    const s = mock.scenario({ responses: [{ status: 200 }] });
    const t0 = performance.now();
    assert.equal(await s.waitForRequests(1, 100), 0);
    assert.ok(performance.now() - t0 >= 90);
    const waiting = s.waitForRequests(2, 5000);
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${s.httpBase}/x`, { client });
      await res.body?.cancel();
    }
    assert.equal(await waiting, 2);
    assert.equal(await s.waitForRequests(1, 10), 2);
  });
});

Deno.test("50 concurrent scenarios stay independent", async () => {
  await withMock(async (mock, client) => {
    const handles = Array.from({ length: 50 }, (_, i) =>
      mock.scenario({
        responses: [
          { status: 200, delay_ms: 20, body: { kind: "json", value: { i, n: 1 } } },
          { status: 200, body: { kind: "json", value: { i, n: 2 } } },
        ],
      }));
    assert.equal(new Set(handles.map((h) => h.id)).size, 50);
    const results = await Promise.all(handles.map(async (h, i) => {
      const base = i % 2 === 0 ? h.httpsBase : h.httpBase;
      const a = await (await fetch(`${base}/x`, { client })).json();
      const b = await (await fetch(`${base}/x`, { client })).json();
      return [a, b];
    }));
    results.forEach(([a, b], i) => {
      assert.deepEqual(a, { i, n: 1 });
      assert.deepEqual(b, { i, n: 2 });
      assert.equal(handles[i]!.requests().length, 2);
    });
  });
});

Deno.test("close() ends open streams and stalls", async () => {
  const mock = await startMockServer();
  const client = Deno.createHttpClient({ caCerts: [mock.caCertPem] });
  try {
    const s = mock.scenario({
      responses: [{ match: { path: "/stall" }, stall: true }, { body: { kind: "endless" } }],
    });
    const stalled = fetch(`${s.httpsBase}/stall`, { client }).then(
      (r) => r.body?.cancel(),
      (e: unknown) => e,
    );
    const res = await fetch(`${s.httpsBase}/stream`, { client });
    const reader = res.body!.getReader();
    await reader.read();
    await mock.close();
    // the stream ends (cleanly or with an error) and the stall is dropped
    await reader.cancel().catch(() => {});
    await stalled;
  } finally {
    client.close();
  }
});

Deno.test("addListener(): a TLS listener with its own leaf reports each handshake; a plain one relays too", async () => {
  await withMock(async (mock, client) => {
    assert.ok(mock.ca && mock.addListener);
    assert.equal(mock.ca.certPem, mock.caCertPem);
    const leaf = await issueLeaf(mock.ca, {
      ips: ["127.0.0.1"],
      notAfter: new Date(Date.now() - 86_400_000),
    });
    const expired = mock.addListener({ name: "tls-expired", tls: { cert: leaf.chainPem, key: leaf.keyPem } });
    const good = await issueLeaf(mock.ca, { ips: ["127.0.0.1"], key: "P-384" });
    const p384 = mock.addListener({ name: "tls-p384", tls: { cert: good.chainPem, key: good.keyPem } });
    const plain = mock.addListener({ name: "plain" });
    assert.throws(() => mock.addListener?.({ name: "https" }), /taken/);
    assert.throws(() => mock.addListener?.({ name: "plain" }), /taken/);
    let cleaned = 0;
    plain.closeWith(() => Promise.resolve(void cleaned++));

    const s = mock.scenario({ responses: [{ status: 204 }] });
    await assert.rejects(fetch(`https://127.0.0.1:${expired.port}/s/${s.id}/x`, { client }));
    const res = await fetch(`https://127.0.0.1:${p384.port}/s/${s.id}/y`, { client });
    assert.equal(res.status, 204);
    const res2 = await fetch(`http://127.0.0.1:${plain.port}/s/${s.id}/z`);
    assert.equal(res2.status, 204);
    assert.deepEqual(s.requests().map((r) => [r.listener, r.path]), [["tls-p384", "/y"], ["plain", "/z"]]);
    for (let i = 0; i < 50 && expired.handshakes().length === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const [h] = expired.handshakes();
    assert.ok(h && !h.ok && /CertificateExpired/.test(h.message), JSON.stringify(h));
    assert.deepEqual(p384.handshakes(), [{ ok: true, alpn: "http/1.1" }]);
    assert.deepEqual(plain.handshakes(), []);
    await plain.close();
    assert.equal(cleaned, 1);
    await assert.rejects(fetch(`http://127.0.0.1:${plain.port}/s/${s.id}/z`));
  });
});
