import assert from "node:assert/strict";
import { startMockServer } from "./server.ts";

Deno.test("a plain-http request that offers an h2c upgrade reaches the scenario and is recorded", async () => {
  const mock = await startMockServer();
  try {
    const s = mock.scenario({ responses: [{ status: 200, body: { kind: "json", value: { ok: true } } }] });
    const path = new URL(s.httpBase).pathname;
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: mock.ports.http });
    try {
      const req = `GET ${path}/h2c HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, HTTP2-Settings\r\n` +
        `Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\nAuthorization: Bearer t0ken\r\n` +
        `Content-Length: 0\r\n\r\n`;
      await conn.write(new TextEncoder().encode(req));
      const buf = new Uint8Array(4096);
      const n = await conn.read(buf);
      const text = new TextDecoder().decode(buf.subarray(0, n ?? 0));
      assert.match(text, /^HTTP\/1\.1 200/, text);
    } finally {
      conn.close();
    }
    const seen = s.requests();
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.listener, "http");
    assert.equal(seen[0]?.headers["authorization"] !== undefined, true);
    s.release();
  } finally {
    await mock.close();
  }
});
