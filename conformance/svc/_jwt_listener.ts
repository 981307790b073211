/**
 * The kit's key listener for the `jku`/`x5u` probes: an HTTP server on 127.0.0.2 (loopback only)
 * that serves the attacker's JWKS and records every request it gets. A server under test that
 * contacts it has followed a key URL taken from a token.
 *
 * @module
 */
import { attackerKey } from "./_jwt_attacks.ts";

/** A running key listener. */
export interface KeyListener {
  /** e.g. "http://127.0.0.2:41234" */
  readonly base: string;
  /** the requests seen so far ("GET /jku/jwks.json") */
  readonly hits: readonly string[];
  /** stop it */
  close(): Promise<void>;
}

/**
 * Start the key listener on 127.0.0.2, a free port.
 *
 * @returns the listener
 * @example
 * ```ts
 * import { startKeyListener } from "./_jwt_listener.ts";
 * const l = await startKeyListener();
 * const r = await fetch(`${l.base}/jku/jwks.json`);
 * await r.body?.cancel();
 * await l.close();
 * if (l.hits.length !== 1) throw new Error("not recorded");
 * ```
 */
export async function startKeyListener(): Promise<KeyListener> {
  const { jwk } = await attackerKey();
  const hits: string[] = [];
  const ready = Promise.withResolvers<number>();
  const server = Deno.serve(
    { hostname: "127.0.0.2", port: 0, onListen: (a) => ready.resolve(a.port) },
    (req) => {
      hits.push(`${req.method} ${new URL(req.url).pathname}`);
      return Response.json({ keys: [jwk] });
    },
  );
  const port = await ready.promise;
  return {
    base: `http://127.0.0.2:${port}`,
    hits,
    close: () => server.shutdown(),
  };
}
