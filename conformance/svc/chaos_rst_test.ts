import assert from "node:assert/strict";
import { startReferenceServer } from "../reference_server/server.ts";
import { JwtKit } from "./_jwt_kit.ts";
import { markedBody } from "./_chaos_resets.ts";
import { resetAfter } from "./_chaos_rst.ts";

/** Write one marked item cut by a RST just after its marker, then list: is the marker stored? */
async function stored(fault: "non-atomic-write" | undefined): Promise<boolean> {
  const s = await startReferenceServer({ https: false, ...(fault ? { fault } : {}) });
  try {
    const token = await new JwtKit(s.target.credentials).valid();
    const marker = `rst-${crypto.randomUUID()}`;
    const body = markedBody(s.target.write.body, marker, 2048);
    assert.ok(body);
    const bytes = new TextEncoder().encode(body.text);
    const head = `POST ${s.target.write.path} HTTP/1.1\r\nHost: ${s.target.baseUrl.host}\r\n` +
      `Authorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: ${bytes.length}\r\n\r\n`;
    const all = new TextEncoder().encode(head + body.text);
    const cut = all.length - 1024; // inside the padding, after the marker
    assert.equal(await resetAfter(s.target, all, cut), undefined);
    await new Promise((r) => setTimeout(r, 300));
    const res = await fetch(new URL("/items", s.baseUrl), { headers: { authorization: `Bearer ${token}` } });
    return (await res.text()).includes(marker);
  } finally {
    await s.close();
  }
}

Deno.test("svc.chaos.resets' RST half: the kit's RST reaches the server mid-body, and the non-atomic-write mutant keeps the half-sent item", async () => {
  assert.equal(await stored(undefined), false, "the reference stores nothing of a reset write");
  assert.equal(
    await stored("non-atomic-write"),
    true,
    "the mutant stores the item before its body has arrived",
  );
});

Deno.test("resetAfter: an https target is refused with a reason, not probed", async () => {
  const why = await resetAfter({ baseUrl: new URL("https://127.0.0.1:1") }, new Uint8Array(4), 2);
  assert.match(why ?? "", /plain HTTP/);
});
