import assert from "node:assert/strict";
import { certifyTarget } from "./profile.ts";
import type { Target } from "./target.ts";
import { forgeriesFor, JwtKit } from "./_jwt_kit.ts";
import { OVERSIZED_BOUND_MS } from "./_jwt_oversized.ts";

type Mode = "reset" | "echo-400" | "accept" | "reset-then-die";

/** A raw HTTP/1.1 server: "Bearer good" gets 200, others 401; a head over 64 KiB gets `mode`. */
function rawServer(mode: Mode): { port: number; close: () => void } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const enc = new TextEncoder();
  const conns = new Set<Deno.Conn>();
  const reply = (c: Deno.Conn, status: number, body: string) =>
    c.write(enc.encode(
      `HTTP/1.1 ${status} X\r\ncontent-type: text/plain\r\ncontent-length: ${
        enc.encode(body).length
      }\r\nconnection: close\r\n\r\n${body}`,
    ));
  const serve = async (c: Deno.Conn) => {
    const buf = new Uint8Array(16 * 1024);
    let head = "";
    try {
      while (!head.includes("\r\n\r\n")) {
        const n = await c.read(buf);
        if (n === null) return;
        head += new TextDecoder().decode(buf.subarray(0, n));
        if (head.length > 65_536 && mode !== "accept" && mode !== "echo-400") {
          if (mode === "reset-then-die") listener.close();
          return;
        }
      }
      const auth = /\r\nauthorization: ([^\r]*)/i.exec(head)?.[1] ?? "";
      if (auth === "Bearer good" || (mode === "accept" && auth.length > 65_536)) await reply(c, 200, "[]");
      else if (auth.length > 65_536) await reply(c, 400, `bad token: ${auth.slice(7, 307)}`);
      else await reply(c, 401, "no");
    } catch {
      // the client went away
    } finally {
      conns.delete(c);
      try {
        c.close();
      } catch { /* closed */ }
    }
  };
  (async () => {
    try {
      for await (const c of listener) {
        conns.add(c);
        serve(c);
      }
    } catch { /* closed */ }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    close: () => {
      try {
        listener.close();
      } catch { /* closed */ }
      for (const c of conns) {
        try {
          c.close();
        } catch { /* closed */ }
      }
    },
  };
}

function target(port: number): Target {
  return {
    name: "raw",
    version: "0",
    baseUrl: new URL(`http://127.0.0.1:${port}`),
    health: "/health",
    bodyLimit: 65536,
    corsAllowedOrigins: [],
    protected: [{ method: "GET", path: "/items" }],
    write: { method: "POST", path: "/items", body: {} },
    rateLimit: { method: "POST", path: "/o", limit: 1, windowS: 1 },
    credentials: { token: "good", alg: "RS256", subject: "s" },
  };
}

async function oversized(mode: Mode) {
  const s = rawServer(mode);
  try {
    const [r] = await certifyTarget(target(s.port), { seed: 1, only: ["svc.jwt.oversized"] });
    if (r === undefined) throw new Error("no result");
    return r.verdict;
  } finally {
    s.close();
  }
}

Deno.test("svc.jwt.oversized: the fixture's token is 256 KiB, JWT-shaped, under the target's alg", async () => {
  const [c] = await forgeriesFor("svc.jwt.oversized");
  assert.ok(c);
  const f = await new JwtKit({ token: "opaque", alg: "ES256", kid: "k", subject: "s" }).forge(c.recipe);
  assert.ok(f.ok);
  if (!f.ok) return;
  assert.equal(f.token.length, 256 * 1024);
  const [h = ""] = f.token.split(".");
  assert.deepEqual(JSON.parse(atob(h.replace(/-/g, "+").replace(/_/g, "/"))), {
    typ: "JWT",
    alg: "ES256",
    kid: "k",
  });
});

Deno.test("svc.jwt.oversized: a connection closed without an answer fails (RFC 9110 §5.4)", async () => {
  const v = await oversized("reset");
  assert.equal(v.outcome, "fail", JSON.stringify(v).slice(0, 400));
  if (v.outcome === "fail") {
    assert.match(v.reason, /gave no answer.*a small request after it got 200.*RFC 9110 §5\.4/);
  }
});

Deno.test("svc.jwt.oversized: a server gone after the request is a cannot-judge error", async () => {
  const v = await oversized("reset-then-die");
  assert.equal(v.outcome, "error", JSON.stringify(v).slice(0, 400));
});

Deno.test("svc.jwt.oversized: accepted fails; a 400 passes and its echo of the token is masked", async () => {
  const ok = await oversized("accept");
  assert.equal(ok.outcome, "fail");
  const v = await oversized("echo-400");
  assert.equal(v.outcome, "pass", JSON.stringify(v).slice(0, 400));
  const text = JSON.stringify(v);
  assert.match(text, /bad token: <300 chars of the token>/);
  assert.match(text, /Bearer <token alg=RS256 262144 chars>/);
  assert.ok(!/[A-Za-z0-9_-]{200}/.test(text), "no long run of the token in the evidence");
  assert.ok(OVERSIZED_BOUND_MS <= 5_000);
});
