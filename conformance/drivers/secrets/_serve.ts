/**
 * The JSON Lines loop of the secrets driver: every request line handled concurrently and answered
 * by `id`, one serialised writer so each reply is one whole line, `shutdown` answered after the
 * ops in flight settle (at most 500 ms), and an exit when stdin closes (after at most 1 s).
 *
 * @module
 */
import { z } from "zod";
import type { SdkError } from "../../../src/schema/protocol.ts";

/** What the loop drives. */
export interface OpHandler {
  /** run one op (the whole request object as params) */
  run(op: string, params: unknown): Promise<Record<string, unknown>>;
  /** map anything `run` threw to the protocol's error */
  toError(e: unknown): SdkError;
  /** close every instance (at the end) */
  closeAll(): void;
}

/** Serialises writes so that every reply is one whole line. */
class LineWriter {
  #chain: Promise<void> = Promise.resolve();
  readonly #enc = new TextEncoder();

  send(msg: { id: number } & Record<string, unknown>): Promise<void> {
    let line: string;
    try {
      line = JSON.stringify(msg);
    } catch {
      line = JSON.stringify({ id: msg.id, ok: false, error: { type: "other", message: "unencodable" } });
    }
    const bytes = this.#enc.encode(line + "\n");
    this.#chain = this.#chain.then(async () => {
      let off = 0;
      while (off < bytes.length) off += await Deno.stdout.write(bytes.subarray(off));
    }).catch(() => {});
    return this.#chain;
  }
}

async function* readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buf = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      yield buf.slice(0, nl);
      buf = buf.slice(nl + 1);
    }
  }
  if (buf.trim() !== "") yield buf;
}

async function settleWithin(pending: Set<Promise<void>>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    Promise.allSettled([...pending]),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
  ]);
  clearTimeout(timer);
}

const MessageSchema = z.looseObject({ id: z.number().int(), op: z.string() });

/**
 * Serve the protocol on stdin/stdout until `shutdown` or the end of input, then exit 0.
 *
 * @param handler the ops
 * @returns never: the process exits
 * @example
 * ```ts ignore
 * await serveJsonLines(new SecretsDriver(undefined));
 * ```
 */
export async function serveJsonLines(handler: OpHandler): Promise<never> {
  const out = new LineWriter();
  const pending = new Set<Promise<void>>();
  for await (const line of readLines(Deno.stdin.readable)) {
    if (line.trim() === "") continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      console.error("driver: ignoring a line that is not JSON");
      continue;
    }
    const msg = MessageSchema.safeParse(raw);
    if (!msg.success) {
      console.error("driver: ignoring a message without an integer id and an op");
      continue;
    }
    const { id, op } = msg.data;
    if (op === "shutdown") {
      await settleWithin(pending, 500);
      handler.closeAll();
      await out.send({ id, ok: true, result: {} });
      Deno.exit(0);
    }
    const task = handler.run(op, msg.data).then(
      (result) => out.send({ id, ok: true, result }),
      (e: unknown) => out.send({ id, ok: false, error: handler.toError(e) }),
    ).finally(() => pending.delete(task));
    pending.add(task);
  }
  await settleWithin(pending, 1_000);
  handler.closeAll();
  Deno.exit(0);
}
