/**
 * Hostile servers for the svc checks' tests: TCP servers that refuse, reset, close, answer garbage,
 * HTTP/0.9, 100,000 headers or nothing at all; an HTTP server that stores whatever it gets and lists
 * all of it in every (clean, 200) answer; and a proxy that puts a ReDoS bait in every error body of
 * another server.
 *
 * @module
 */

/** How a hostile TCP server treats each connection. */
export type HostileKind =
  | "refused"
  | "reset"
  | "closed"
  | "garbage"
  | "http09"
  | "many-headers"
  | "silent";

/** Every hostile TCP server kind. */
export const HOSTILE_KINDS: readonly HostileKind[] = [
  "refused",
  "reset",
  "closed",
  "garbage",
  "http09",
  "many-headers",
  "silent",
];

/** A running test server. */
export interface Running {
  baseUrl: URL;
  close(): Promise<void>;
}

/** The body the bait proxy answers every error with: it made the old `sql-statement` pattern hang. */
export const SELECT_BAIT: string = "SELECT" + " ".repeat(64 * 1024);

const enc = new TextEncoder();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function treat(kind: HostileKind, conn: Deno.Conn, closed: Promise<void>): Promise<void> {
  const buf = new Uint8Array(64 * 1024);
  switch (kind) {
    case "refused":
      return;
    case "reset":
      // close with the request unread: the kernel answers with RST
      await sleep(20);
      return;
    case "closed":
      await conn.read(buf);
      return;
    case "garbage":
      await conn.read(buf);
      await conn.write(new Uint8Array([0x00, 0xff, 0x13, 0x37, ...enc.encode("\r\n\r\nnot http\r\n\r\n")]));
      return;
    case "http09":
      await conn.read(buf);
      await conn.write(enc.encode('<html>{"status":"ok"}</html>'));
      return;
    case "many-headers": {
      await conn.read(buf);
      await conn.write(enc.encode("HTTP/1.1 200 OK\r\n"));
      for (let i = 0; i < 100; i++) {
        const lines = Array.from({ length: 1000 }, (_, j) => `x-h-${i}-${j}: v\r\n`).join("");
        await conn.write(enc.encode(lines));
      }
      await conn.write(enc.encode("content-length: 0\r\n\r\n"));
      return;
    }
    case "silent":
      await conn.read(buf);
      await closed;
      return;
    default: {
      const never: never = kind;
      throw new Error(`unknown kind ${never}`);
    }
  }
}

/**
 * Start a hostile TCP server on 127.0.0.1 (for `refused`, a port nobody listens on).
 *
 * @param kind what it does with each connection
 * @returns its base URL and how to stop it
 */
export function startHostile(kind: HostileKind): Running {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const baseUrl = new URL(`http://127.0.0.1:${port}`);
  if (kind === "refused") {
    listener.close();
    return { baseUrl, close: () => Promise.resolve() };
  }
  const stop = Promise.withResolvers<void>();
  const conns = new Set<Deno.Conn>();
  const handlers = new Set<Promise<void>>();
  const accepting = (async () => {
    for await (const conn of listener) {
      conns.add(conn);
      const h = treat(kind, conn, stop.promise).catch(() => {}).finally(() => {
        conns.delete(conn);
        try {
          conn.close();
        } catch { /* closed by close() */ }
      });
      handlers.add(h);
      void h.finally(() => handlers.delete(h));
    }
  })().catch(() => {});
  return {
    baseUrl,
    async close() {
      stop.resolve();
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch { /* already closed */ }
      }
      await accepting;
      await Promise.all([...handlers]);
    },
  };
}

/**
 * Start an HTTP server that stores every request (method, path as sent and decoded, body) and
 * answers every request with 200 and the JSON list of what it stored (the latest 100 entries of at
 * most 512 characters, newest first): the kit's own payloads come back as data, from this probe,
 * from earlier probes and from other checks.
 *
 * @returns its base URL and how to stop it
 */
export function startEchoStore(): Running {
  // newest first, each entry and the list bounded, so the last payloads fit in what the probe reads
  const MAX_ENTRY = 512;
  const MAX_LISTED = 100;
  const stored: string[] = [];
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
    async (req) => {
      const url = new URL(req.url);
      let decoded = url.pathname + url.search;
      try {
        decoded = decodeURIComponent(decoded);
      } catch { /* kept as sent */ }
      const body = await req.text().catch(() => "");
      for (const s of [`${req.method} ${url.pathname}${url.search}`, decoded, body]) {
        if (s !== "") stored.unshift(s.slice(0, MAX_ENTRY));
      }
      return new Response(JSON.stringify({ items: stored.slice(0, MAX_LISTED) }), {
        status: 200,
        headers: { "content-type": "application/json" },
      });
    },
  );
  return {
    baseUrl: new URL(`http://127.0.0.1:${server.addr.port}`),
    async close() {
      ac.abort();
      await server.finished;
    },
  };
}

/**
 * Start a proxy in front of `upstream` that answers every error (4xx/5xx, and anything it cannot
 * forward) with `SELECT_BAIT` as the body, keeping the status and the other headers.
 *
 * @param upstream the server behind the proxy
 * @returns its base URL and how to stop it
 */
export function startBaitProxy(upstream: URL): Running {
  const ac = new AbortController();
  const bait = (status: number, headers: Headers) => {
    headers.delete("content-length");
    headers.set("content-type", "text/plain");
    return new Response(SELECT_BAIT, { status, headers });
  };
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
    async (req) => {
      const url = new URL(req.url);
      const headers = new Headers(req.headers);
      headers.delete("host");
      headers.delete("content-length");
      let res: Response;
      try {
        res = await fetch(new URL(url.pathname + url.search, upstream), {
          method: req.method,
          headers,
          body: req.body,
          redirect: "manual",
        });
      } catch {
        await req.body?.cancel().catch(() => {});
        return bait(502, new Headers());
      }
      if (res.status < 400) return res;
      await res.body?.cancel();
      return bait(res.status, new Headers(res.headers));
    },
  );
  return {
    baseUrl: new URL(`http://127.0.0.1:${server.addr.port}`),
    async close() {
      ac.abort();
      await server.finished;
    },
  };
}
