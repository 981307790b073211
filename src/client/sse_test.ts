import assert from "node:assert/strict";
import { RonClient } from "./client.ts";
import { RonProblem } from "./errors.ts";
import { SseParser } from "./sse.ts";
import { json, problem, startServer, type TestServer } from "./_test_server.ts";

const enc = new TextEncoder();

/** An endless stream: one event every `everyMs`, ids continuing from Last-Event-ID. */
function endless(req: Request, everyMs: number): Response {
  let n = Number(req.headers.get("last-event-id") ?? "0");
  let timer: ReturnType<typeof setInterval> | undefined;
  const body = new ReadableStream<Uint8Array>({
    start(ctl) {
      timer = setInterval(() => {
        n++;
        try {
          ctl.enqueue(enc.encode(`id: ${n}\nevent: tick\ndata: {"n":${n}}\n\n`));
        } catch {
          clearInterval(timer);
        }
      }, everyMs);
    },
    cancel() {
      clearInterval(timer);
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream" } });
}

/** A stream that sends `count` events (ids continuing) and then drops the connection. */
function dropping(req: Request, count: number): Response {
  const start = Number(req.headers.get("last-event-id") ?? "0");
  let text = ": hello\n\n";
  for (let i = 1; i <= count; i++) text += `id: ${start + i}\ndata: ${start + i}\n\n`;
  return new Response(text, { headers: { "content-type": "text/event-stream" } });
}

async function withSse(
  handler: (req: Request) => Response,
  fn: (s: TestServer, c: RonClient) => Promise<void>,
): Promise<void> {
  const s = startServer(handler);
  const c = new RonClient({ baseUrl: s.url, allowInsecureHttp: true, token: "ronc_sse_token_0001" });
  try {
    await fn(s, c);
  } finally {
    c.close();
    await s.close();
  }
}

Deno.test("SseParser handles fields, comments, CRLF, split chunks and multi-line data", () => {
  const p = new SseParser();
  const out = [
    ...p.push(": comment\r\nid: 7\r\nevent: a\r\nda"),
    ...p.push("ta: x\r"),
    ...p.push("\ndata: y\r\n\r\nretry: 500\ndata:z\n\n"),
  ];
  assert.deepEqual(out, [{ event: "a", data: "x\ny", id: "7" }, { event: "message", data: "z", id: "7" }]);
  assert.equal(p.retryMs, 500);
});

Deno.test("subscribe stops after maxEvents on an endless stream", async () => {
  await withSse((req) => endless(req, 5), async (s, c) => {
    const r = await c.subscribe("/events", { maxEvents: 5, maxDurationMs: 5_000 });
    assert.equal(r.end, "max_events");
    assert.equal(r.events.length, 5);
    assert.deepEqual(r.events[0], { event: "tick", data: '{"n":1}', id: "1" });
    assert.equal(s.seen[0]?.headers["accept"], "text/event-stream");
    assert.equal(s.seen[0]?.headers["authorization"], "Bearer ronc_sse_token_0001");
  });
});

Deno.test("subscribe stops after maxDurationMs", async () => {
  await withSse((req) => endless(req, 20), async (_s, c) => {
    const t0 = performance.now();
    const r = await c.subscribe("/events", { maxDurationMs: 300 });
    const ms = performance.now() - t0;
    assert.equal(r.end, "max_duration");
    assert.ok(ms >= 250 && ms < 2_000, `ended after ${ms} ms`);
    assert.ok(r.events.length > 0);
  });
});

Deno.test("a dropped stream is reconnected a bounded number of times, with backoff and Last-Event-ID", async () => {
  await withSse((req) => dropping(req, 1), async (s, c) => {
    const r = await c.subscribe("/drops", { maxEvents: 100, maxDurationMs: 10_000, maxReconnects: 3 });
    assert.equal(r.end, "closed");
    assert.equal(r.reconnects, 3);
    assert.equal(s.seen.length, 4);
    assert.deepEqual(r.events.map((e) => e.data), ["1", "2", "3", "4"]);
    assert.equal(s.seen[0]?.headers["last-event-id"], undefined);
    assert.equal(s.seen[1]?.headers["last-event-id"], "1");
    assert.equal(s.seen[3]?.headers["last-event-id"], "3");
    const gaps = s.seen.slice(1).map((q, i) => q.t - (s.seen[i]?.t ?? 0));
    // full-jitter backoff: each wait is at most min(2 s, 100 ms * 2^n) (+ 300 ms for the reconnect itself)
    assert.ok(gaps.every((g, n) => g <= Math.min(2_000, 100 * 2 ** n) + 300), `gaps ${gaps.join(",")}`);
  });
});

Deno.test("an error status ends the subscription with a typed error; stream() can be broken out of", async () => {
  await withSse((req) => {
    if (new URL(req.url).pathname === "/denied") return json(403, problem("forbidden"));
    return endless(req, 5);
  }, async (_s, c) => {
    const r = await c.subscribe("/denied");
    assert.equal(r.end, "error");
    assert.ok(r.error instanceof RonProblem);
    let n = 0;
    for await (const _ev of c.stream("/events")) {
      if (++n === 3) break;
    }
    assert.equal(n, 3);
  });
});
