import assert from "node:assert/strict";
import { startFront } from "./_front.ts";

const enc = new TextEncoder();

async function withFront(
  opts: { headTimeoutMs?: number; bodyTimeoutMs?: number; noHeadTimeout?: boolean },
  fn: (port: number) => Promise<void>,
): Promise<void> {
  const ac = new AbortController();
  const s = Deno.serve({ hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} }, async (req) => {
    const body = req.body ? await req.text() : "";
    return new Response(`${req.method} ${new URL(req.url).pathname} ${body.length}`);
  });
  const f = startFront({ upstreamPort: s.addr.port, ...opts });
  try {
    await fn(f.port);
  } finally {
    await f.close();
    ac.abort();
    await s.finished;
  }
}

async function readAll(c: Deno.Conn, ms: number): Promise<string> {
  const chunks: string[] = [];
  const buf = new Uint8Array(4096);
  const t = setTimeout(() => c.close(), ms);
  try {
    for (;;) {
      const n = await c.read(buf);
      if (n === null) break;
      chunks.push(new TextDecoder().decode(buf.subarray(0, n)));
    }
  } catch { /* closed by the timer */ }
  clearTimeout(t);
  try {
    c.close();
  } catch { /* closed */ }
  return chunks.join("");
}

Deno.test("front: requests, keep-alive and chunked bodies pass through", async () => {
  await withFront({}, async (port) => {
    const a = await fetch(`http://127.0.0.1:${port}/x`, { method: "POST", body: "hello" });
    assert.equal(await a.text(), "POST /x 5");
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(enc.encode("ab"));
        c.enqueue(enc.encode("cde"));
        c.close();
      },
    });
    const b = await fetch(`http://127.0.0.1:${port}/y`, { method: "POST", body: stream });
    assert.equal(await b.text(), "POST /y 5");
    const c = await fetch(`http://127.0.0.1:${port}/z`);
    assert.equal(await c.text(), "GET /z 0");
  });
});

Deno.test("front: a head trickled past the limit is answered 408", async () => {
  await withFront({ headTimeoutMs: 600 }, async (port) => {
    const c = await Deno.connect({ hostname: "127.0.0.1", port });
    const t0 = performance.now();
    await c.write(enc.encode("GET / HTTP/1.1\r\nHost: x\r\n"));
    const text = await readAll(c, 3000);
    assert.match(text, /^HTTP\/1\.1 408 /);
    assert.ok(performance.now() - t0 < 2000);
  });
});

Deno.test("front: a head over 64 KiB is answered 431", async () => {
  await withFront({}, async (port) => {
    const c = await Deno.connect({ hostname: "127.0.0.1", port });
    c.write(enc.encode(`GET / HTTP/1.1\r\nHost: x\r\nX-A: ${"a".repeat(80_000)}\r\n\r\n`)).catch(() => {});
    assert.match(await readAll(c, 3000), /^HTTP\/1\.1 431 /);
  });
});

Deno.test("front: a body trickled past the limit is answered 408", async () => {
  await withFront({ bodyTimeoutMs: 600 }, async (port) => {
    const c = await Deno.connect({ hostname: "127.0.0.1", port });
    await c.write(enc.encode("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab"));
    assert.match(await readAll(c, 3000), /^HTTP\/1\.1 408 /);
  });
});

Deno.test("front: without its head limit, a trickled head is not cut", async () => {
  await withFront({ headTimeoutMs: 300, noHeadTimeout: true }, async (port) => {
    const c = await Deno.connect({ hostname: "127.0.0.1", port });
    await c.write(enc.encode("GET / HTTP/1.1\r\n"));
    assert.equal(await readAll(c, 1000), "");
  });
});
