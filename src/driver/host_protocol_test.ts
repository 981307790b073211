import assert from "node:assert/strict";
import { withSession } from "./testdata/start.ts";

Deno.test("a success reply too long for one line is an oversized driver fault with its byte count", async () => {
  await withSession("huge", async (s) => {
    const r = await s.call("request", { client: "c1", method: "GET", path: "/big" }, 15_000);
    assert.equal(r.kind, "driver_fault");
    if (r.kind !== "driver_fault") return;
    const bytes = 17 * 1024 * 1024 + '{"id":2,"ok":true,"result":{"status":200,"json":""}}'.length;
    assert.deepEqual(r.oversized, { bytes, reply: "success" });
    assert.equal(
      r.detail,
      `reply of ${bytes} bytes exceeds the 16 MiB line limit; the SDK returned the body instead of refusing it`,
    );
    assert.ok(r.ms < 15_000);
    assert.ok(!s.output().some((l) => l.startsWith("xxxx")), "the pieces are not SDK output");
    // the line ended: the protocol goes on
    const next = await s.call("request", { client: "c1", method: "GET", path: "/x" }, 15_000);
    assert.equal(next.kind, "driver_fault", "huge mode answers every request hugely");
    if (next.kind === "driver_fault") assert.equal(next.oversized?.reply, "success");
  });
});

Deno.test("20 MB of a reply with no newline is oversized, not 'no reply', whether the driver lingers or exits", async (t) => {
  for (const mode of ["huge_nonl", "huge_exit"]) {
    await t.step(mode, async () => {
      await withSession(mode, async (s) => {
        const r = await s.call("configure", { base_url: "https://127.0.0.1:1" }, 2500);
        assert.equal(r.kind, "driver_fault", JSON.stringify(r).slice(0, 300));
        if (r.kind !== "driver_fault") return;
        assert.equal(r.oversized?.reply, "success");
        assert.ok((r.oversized?.bytes ?? 0) > 16 * 1024 * 1024, String(r.oversized?.bytes));
        assert.match(r.detail, /^reply of (more than )?\d+ bytes .*exceeds the 16 MiB line limit/);
        const frame = '{"id":2,"ok":true,"result":{"status":200,"json":""}}'.length;
        if (mode === "huge_exit") assert.equal(r.oversized?.bytes, 20_000_000 + frame);
      });
    });
  }
});

Deno.test("an id answered twice is a duplicate reply, not an unknown id", async () => {
  await withSession("duplicate", async (s) => {
    const r = await s.call("request", { client: "c1", method: "GET", path: "/x" }, 2000);
    assert.equal(r.kind, "ok");
    for (let i = 0; i < 50; i++) {
      const again = await s.call("request", { client: "c1", method: "GET", path: "/x" }, 2000);
      if (again.kind === "ok") continue; // the duplicate may trail the next call's reply
      assert.equal(again.kind, "driver_fault");
      if (again.kind === "driver_fault") {
        assert.match(again.detail, /duplicate reply for id \d+ \(request was answered already\)/);
      }
      return;
    }
    assert.fail("the duplicate was never reported");
  });
});

Deno.test("an invalid reply names the field, what was expected and what was there", async () => {
  await withSession("details_array", async (s) => {
    const r = await s.call("request", { client: "c1", method: "GET", path: "/x" }, 2000);
    assert.equal(r.kind, "driver_fault");
    if (r.kind === "driver_fault") {
      assert.match(
        r.detail,
        /^malformed reply to request \(id 2\): error\.details: expected an object, got an array; line: /,
      );
    }
  });
});
