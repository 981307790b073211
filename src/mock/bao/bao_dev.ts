/**
 * Start a real OpenBao dev server on loopback for the fidelity test: `bao server -dev
 * -dev-listen-address=127.0.0.1:PORT -dev-root-token-id=<random>`, with a private, empty HOME (the
 * dev server writes its root token to `~/.vault-token`, which must not land in the user's home) and
 * an environment of PATH and HOME only. Bounded start (health check) and bounded stop (SIGTERM, then
 * SIGKILL).
 *
 * @module
 */
import { deadline } from "../../util/deadline.ts";

/** A running dev server. */
export interface BaoDevServer {
  /** `http://127.0.0.1:PORT` */
  readonly addr: string;
  /** the root token (random) */
  readonly rootToken: string;
  /** the unseal key the dev server printed (to unseal after `sys/seal`) */
  readonly unsealKey: string;
  /** stop it and remove its HOME (idempotent) */
  close(): Promise<void>;
}

/** Options of {@linkcode startBaoDev}. */
export interface StartBaoDevOptions {
  /** the `bao` binary */
  bin: string;
  /**
   * the time limit to become healthy, ms
   * @default 30000
   */
  startTimeoutMs?: number;
}

/** Two free consecutive ports (the dev server's cluster listener takes PORT+1). */
function freePortPair(): number {
  for (let i = 0; i < 50; i++) {
    const a = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const p = (a.addr as Deno.NetAddr).port;
    try {
      const b = Deno.listen({ hostname: "127.0.0.1", port: p + 1 });
      b.close();
      a.close();
      return p;
    } catch {
      a.close();
    }
  }
  throw new Error("no two free consecutive ports on 127.0.0.1");
}

/** Keep the first `max` bytes of a stream as text, and drain the rest. */
async function drain(s: ReadableStream<Uint8Array>, keep: { text: string }, max = 64 * 1024): Promise<void> {
  const dec = new TextDecoder();
  try {
    for await (const chunk of s) if (keep.text.length < max) keep.text += dec.decode(chunk).slice(0, max);
  } catch { /* the process went away */ }
}

/**
 * Start a dev server and wait until `GET /v1/sys/health` answers 200.
 *
 * @param opts the binary and the start limit
 * @returns the running server
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ensureBao } from "./bao_bin.ts";
 * import { startBaoDev } from "./bao_dev.ts";
 * const found = await ensureBao({ python: null }); // only where it is installed already
 * if (found.ok) {
 *   const bao = await startBaoDev({ bin: found.path });
 *   const res = await fetch(`${bao.addr}/v1/sys/health`);
 *   assert.equal(res.status, 200);
 *   await res.body?.cancel();
 *   await bao.close();
 * }
 * ```
 */
export async function startBaoDev(opts: StartBaoDevOptions): Promise<BaoDevServer> {
  const rootToken = `root-${crypto.randomUUID()}`;
  const port = freePortPair();
  const home = await Deno.makeTempDir({ prefix: "ron-bao-home-" });
  const child = new Deno.Command(opts.bin, {
    args: ["server", "-dev", `-dev-listen-address=127.0.0.1:${port}`, `-dev-root-token-id=${rootToken}`],
    clearEnv: true,
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", HOME: home },
    cwd: home,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const out = { text: "" };
  const pumps = Promise.all([drain(child.stdout, out), drain(child.stderr, out)]);
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  let closing: Promise<void> | undefined;
  const close = () =>
    closing ??= (async () => {
      if (!exited) {
        try {
          child.kill("SIGTERM");
        } catch { /* gone */ }
        if (!(await deadline(status, 5_000)).ok) {
          try {
            child.kill("SIGKILL");
          } catch { /* gone */ }
          await deadline(status, 5_000);
        }
      }
      await deadline(pumps, 2_000);
      await Deno.remove(home, { recursive: true }).catch(() => {});
    })();
  const addr = `http://127.0.0.1:${port}`;
  const until = Date.now() + (opts.startTimeoutMs ?? 30_000);
  while (true) {
    if (exited) {
      await close();
      throw new Error(`bao exited before it was healthy: ${out.text.slice(-500)}`);
    }
    const r = await deadline(fetch(`${addr}/v1/sys/health`).catch(() => undefined), 2_000);
    if (r.ok && r.value !== undefined) {
      await r.value.body?.cancel();
      if (r.value.status === 200) break;
    }
    if (Date.now() > until) {
      await close();
      throw new Error(
        `bao was not healthy within ${opts.startTimeoutMs ?? 30_000} ms: ${out.text.slice(-500)}`,
      );
    }
    await new Promise((res) => setTimeout(res, 100));
  }
  const unsealKey = /Unseal Key: (\S+)/.exec(out.text)?.[1] ?? "";
  return { addr, rootToken, unsealKey, close };
}
