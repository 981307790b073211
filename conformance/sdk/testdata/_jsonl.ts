/**
 * The JSON Lines plumbing of the kit's fake test drivers: read requests from stdin one line at a
 * time, write one reply per line.
 *
 * @module
 */
const enc = new TextEncoder();

/** Write one protocol line to stdout. */
export function write(v: unknown): void {
  Deno.stdout.writeSync(enc.encode(JSON.stringify(v) + "\n"));
}

/** Reply to request `id`: `{error}` becomes an `ok: false` reply, anything else the result. */
export function reply(id: unknown, r: unknown): void {
  if (r && typeof r === "object" && "error" in r) write({ id, ok: false, error: r.error });
  else write({ id, ok: true, result: r });
}

/** Call `handle` for every request line on stdin, in order (awaiting it), until stdin closes. */
export async function forEachMessage(
  handle: (msg: Record<string, unknown>) => void | Promise<void>,
): Promise<void> {
  const dec = new TextDecoder();
  let buf = "";
  for await (const chunk of Deno.stdin.readable) {
    buf += dec.decode(chunk, { stream: true });
    for (let nl = buf.indexOf("\n"); nl !== -1; nl = buf.indexOf("\n")) {
      const msg = JSON.parse(buf.slice(0, nl)) as Record<string, unknown>;
      buf = buf.slice(nl + 1);
      await handle(msg);
    }
  }
}
