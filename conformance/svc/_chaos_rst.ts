/**
 * A request reset by the kit itself: the first bytes of a request sent straight to the target, then a
 * TCP RST (`resetAndDestroy`, SO_LINGER 0). Toxiproxy cannot do this: its `reset_peer` toxic drops the
 * chunk it fires on and the server sees a FIN (measured with Toxiproxy 2.12: "EOF after 62 bytes"), so
 * the RST half of `svc.chaos.resets` bypasses the proxy. Plain HTTP targets only: an https target's
 * writes are all cut by Toxiproxy (whether Deno's `node:tls` can send a RST was not measured).
 *
 * @module
 */
import net from "node:net";
import type { Target } from "./target.ts";
import { errorMessage } from "../../src/util/error_message.ts";

/** How long the sent bytes get to reach the server before the reset. */
const SETTLE_MS = 150;
const CONNECT_MS = 5_000;

/**
 * Send the first `cut` bytes of `request` to the target and reset the connection.
 *
 * @param target the target (http only)
 * @param request the whole request (head and body)
 * @param cut how many bytes to send before the reset (1 … length-1)
 * @returns undefined when the reset was sent, else why not
 * @example
 * ```ts
 * import { resetAfter } from "./_chaos_rst.ts";
 * const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const seen = (async () => {
 *   const c = await l.accept();
 *   const buf = new Uint8Array(64);
 *   let got = 0;
 *   try {
 *     for (let n = await c.read(buf); n !== null; n = await c.read(buf)) got += n;
 *     return `EOF after ${got}`;
 *   } catch (e) {
 *     return `${(e as Error).name} after ${got}`;
 *   } finally {
 *     l.close();
 *   }
 * })();
 * const port = (l.addr as Deno.NetAddr).port;
 * const t = { baseUrl: new URL(`http://127.0.0.1:${port}`) } as Parameters<typeof resetAfter>[0];
 * const why = await resetAfter(t, new TextEncoder().encode("POST / HTTP/1.1\r\n\r\n"), 5);
 * if (why !== undefined || await seen !== "ConnectionReset after 5") throw new Error(why ?? await seen);
 * ```
 */
export async function resetAfter(
  target: Pick<Target, "baseUrl">,
  request: Uint8Array,
  cut: number,
): Promise<string | undefined> {
  if (target.baseUrl.protocol !== "http:") return "a reset is sent to plain HTTP targets only";
  const host = target.baseUrl.hostname.replace(/^\[|\]$/g, "");
  const port = Number(target.baseUrl.port || 80);
  const socket = net.connect({ host, port });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no connection within ${CONNECT_MS} ms`)), CONNECT_MS);
      socket.once("connect", () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    socket.on("error", () => {}); // a reset from the server's side is not this probe's concern
    await new Promise<void>((resolve) => socket.write(request.subarray(0, cut), () => resolve()));
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    socket.resetAndDestroy();
    return undefined;
  } catch (e) {
    socket.destroy();
    return errorMessage(e);
  }
}
