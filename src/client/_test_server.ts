/**
 * A real loopback `Deno.serve` server for the client's unit tests (no fetch mocks). Internal.
 *
 * @module
 */

/** One request the test server saw. */
export interface Seen {
  /** ms since the server started */
  t: number;
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: string;
}

/** A running test server. */
export interface TestServer {
  /** `http://127.0.0.1:<port>` (or https with `tls`) */
  url: string;
  /** every request so far */
  seen: Seen[];
  /** requests in flight right now / the maximum ever */
  inFlight: { now: number; max: number };
  /** resolves when the client disconnects or the server closes (for stalls) */
  stall(req: Request): Promise<void>;
  close(): Promise<void>;
}

/** A handler that also gets the index of the request (0-based). */
export type TestHandler = (req: Request, n: number, server: TestServer) => Response | Promise<Response>;

/**
 * Start a loopback server.
 *
 * @param handler the response logic
 * @param opts TLS cert/key and hostname
 * @returns the server
 */
export function startServer(
  handler: TestHandler,
  opts: { cert?: string; key?: string; hostname?: string } = {},
): TestServer {
  const closing = new AbortController();
  const start = performance.now();
  const seen: Seen[] = [];
  const inFlight = { now: 0, max: 0 };
  const hostname = opts.hostname ?? "127.0.0.1";
  const ref: { self?: TestServer } = {};
  const serveOpts = opts.cert !== undefined && opts.key !== undefined
    ? { hostname, port: 0, cert: opts.cert, key: opts.key, onListen: () => {} }
    : { hostname, port: 0, onListen: () => {} };
  const server = Deno.serve(serveOpts, async (req) => {
    const u = new URL(req.url);
    const body = req.body ? await req.text() : "";
    const n = seen.length;
    seen.push({
      t: performance.now() - start,
      method: req.method,
      path: u.pathname,
      query: u.search,
      headers: Object.fromEntries(req.headers.entries()),
      body,
    });
    inFlight.now++;
    inFlight.max = Math.max(inFlight.max, inFlight.now);
    try {
      return await handler(req, n, ref.self as TestServer);
    } finally {
      inFlight.now--;
    }
  });
  const scheme = opts.cert !== undefined ? "https" : "http";
  const self: TestServer = {
    url: `${scheme}://${hostname}:${server.addr.port}`,
    seen,
    inFlight,
    stall(req: Request): Promise<void> {
      return new Promise((resolve) => {
        if (req.signal.aborted || closing.signal.aborted) return resolve();
        req.signal.addEventListener("abort", () => resolve(), { once: true });
        closing.signal.addEventListener("abort", () => resolve(), { once: true });
      });
    },
    async close() {
      closing.abort();
      await server.shutdown();
    },
  };
  ref.self = self;
  return self;
}

/**
 * A body that sends `chunk` every `everyMs` until cancelled (or `count` chunks).
 *
 * @param chunk bytes per tick
 * @param everyMs interval
 * @param count stop after this many (default endless)
 * @returns a stream
 */
export function trickle(chunk: Uint8Array, everyMs: number, count = Infinity): ReadableStream<Uint8Array> {
  let timer: ReturnType<typeof setInterval> | undefined;
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      timer = setInterval(() => {
        try {
          controller.enqueue(chunk);
          sent++;
          if (sent >= count) {
            clearInterval(timer);
            controller.close();
          }
        } catch {
          clearInterval(timer);
        }
      }, everyMs);
    },
    cancel() {
      clearInterval(timer);
    },
  });
}

/** JSON response helper. */
export function json(status: number, value: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** A canonical Problem body. */
export function problem(code: string, message = "failed", extra: Record<string, unknown> = {}): unknown {
  return { code, kind: "test", message, correlation_id: `corr-${code}`, details: {}, ...extra };
}
