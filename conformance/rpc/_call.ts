/**
 * A gRPC call to a plugin, where the kit may make it: in this process when Deno allows the
 * plugin's address (TCP on loopback, or every Unix socket under `--allow-all`), else in a child
 * Deno process allowed exactly that Unix socket (`_call_child.ts`), bounded in time and output.
 * Internal to the rpc profile.
 *
 * @module
 */
import { base64ToBytes, bytesToBase64 } from "../../src/util/base64.ts";
import { deadline } from "../../src/util/deadline.ts";
import { errorMessage } from "../../src/util/error_message.ts";
import { type CallOptions, type CallOutcome, grpcCall } from "./_grpc.ts";
import type { Endpoint } from "./_handshake.ts";

const CHILD = new URL("./_call_child.ts", import.meta.url);
/** Time a child Deno may take to start, on top of the call's own limit. */
const START_MS = 10_000;
const MAX_OUT = 256 * 1024;

function allowedHere(ep: Endpoint): boolean {
  const host = ep.network === "unix" ? `unix:${ep.address}` : ep.address;
  try {
    return Deno.permissions.querySync({ name: "net", host }).state === "granted";
  } catch {
    return false;
  }
}

function fromB64(s: unknown): Uint8Array<ArrayBuffer> | undefined {
  return typeof s === "string" ? base64ToBytes(s) : undefined;
}

/**
 * Make one unary call to the plugin (see {@linkcode grpcCall}); never throws. A child that cannot
 * run or answer gives a `refused` outcome at the `connect` stage, which checks report as `error`.
 *
 * @param ep where the plugin serves
 * @param o the TLS identity, the method, the message and the time limit
 * @returns how the call ended
 */
export function callPlugin(ep: Endpoint, o: CallOptions): Promise<CallOutcome> {
  if (ep.network !== "unix" || allowedHere(ep) || CHILD.protocol !== "file:") return grpcCall(ep, o);
  return callInChild(ep, o);
}

/**
 * Make the call in a child Deno process allowed exactly this Unix socket; never throws.
 *
 * @param ep a Unix socket endpoint
 * @param o the TLS identity, the method, the message and the time limit
 * @returns how the call ended
 */
export async function callInChild(ep: Endpoint, o: CallOptions): Promise<CallOutcome> {
  const path = ep.address;
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-prompt",
        "--no-check",
        "--no-config",
        `--allow-net=unix:${path}`,
        `--allow-read=${path}`,
        `--allow-write=${path}`,
        CHILD.pathname,
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      clearEnv: true,
      env: {
        NO_COLOR: "1",
        ...(Deno.env.get("DENO_DIR") ? { DENO_DIR: Deno.env.get("DENO_DIR") ?? "" } : {}),
      },
    }).spawn();
  } catch (e) {
    return {
      kind: "refused",
      stage: "connect",
      message: `kit: the call's child did not start: ${errorMessage(e)}`,
    };
  }
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(JSON.stringify({ ep, o: { ...o, body: bytesToBase64(o.body) } })))
    .catch(() => {});
  await w.close().catch(() => {});
  const out = deadline(
    (async () => {
      const dec = new TextDecoder();
      let text = "";
      for await (const c of child.stdout) if (text.length < MAX_OUT) text += dec.decode(c, { stream: true });
      const err = await new Response(child.stderr).text();
      return { text: text.slice(0, MAX_OUT), err };
    })(),
    o.timeoutMs + START_MS,
  );
  const got = await out;
  if (!got.ok) {
    try {
      child.kill("SIGKILL");
    } catch {
      // gone
    }
    await child.status;
    return { kind: "timeout", stage: "connect" };
  }
  await child.status;
  try {
    const v = JSON.parse(got.value.text.split("\n")[0] ?? "") as Record<string, unknown>;
    const tls = v.tls as Record<string, unknown> | undefined;
    const peerDer = fromB64(tls?.peerDer);
    const message = v.kind === "answer" ? fromB64(v.message) : undefined;
    return {
      ...v,
      ...(tls ? { tls: { ...tls, ...(peerDer ? { peerDer } : {}) } } : {}),
      ...(message ? { message } : {}),
    } as CallOutcome;
  } catch {
    return {
      kind: "refused",
      stage: "connect",
      message: `kit: the call's child gave no answer (${got.value.err.trim().slice(-300)})`,
    };
  }
}
