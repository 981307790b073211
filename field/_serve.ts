/**
 * A field target's app, served for one certification: `serve` (a shell command from the client's
 * `field.json`) started from the repository root in its own process group with a free loopback port
 * in `PORT`, a copy of the target file beside the original with every `${PORT}` replaced, a bounded
 * wait until the port accepts connections, and a stop that ends the whole group and removes the
 * copy. Internal to `field/run.ts`.
 *
 * @module
 */
import { killGroup, spawnInGroup } from "../src/driver/_process_group.ts";
import { errorMessage } from "../src/util/error_message.ts";

/** How long an app gets to accept connections. */
export const SERVE_READY_MS = 60_000;
/** How much of the app's output is kept for the reason it did not start. */
const TAIL_BYTES = 2048;

/** A served app: the target file to certify, and how to stop it. */
export interface Served {
  /** the target file to pass as `--target` (the copy with the port filled in) */
  target: string;
  port: number;
  stop(): Promise<void>;
}

/** A free loopback port (free when asked; the app binds it right after). */
function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Keep the last bytes of a stream (the app's output), reading it to its end so the app never blocks. */
function tail(stream: ReadableStream<Uint8Array>): { text(): string } {
  let kept = new Uint8Array(0);
  (async () => {
    for await (const chunk of stream) {
      const both = new Uint8Array(kept.length + chunk.length);
      both.set(kept);
      both.set(chunk, kept.length);
      kept = both.slice(Math.max(0, both.length - TAIL_BYTES));
    }
  })().catch(() => {});
  // control characters escaped: the app is not ours
  return { text: () => JSON.stringify(new TextDecoder().decode(kept).trim()).slice(1, -1) };
}

async function accepts(port: number): Promise<boolean> {
  try {
    const c = await Deno.connect({ hostname: "127.0.0.1", port });
    c.close();
    return true;
  } catch {
    return false;
  }
}

/**
 * The target file with every `${PORT}` replaced by `port`, written beside the original (relative
 * paths in it keep working) as `.<file name>.<port>.toml`.
 *
 * @param root the repository root
 * @param target the target file, from the repository root
 * @param port the app's port
 * @returns the copy's path, from the repository root
 */
export async function targetCopy(root: string, target: string, port: number): Promise<string> {
  const text = await Deno.readTextFile(`${root}/${target}`);
  const slash = target.lastIndexOf("/");
  const dir = slash < 0 ? "" : target.slice(0, slash + 1);
  const base = target.slice(slash + 1).replace(/\.toml$/, "");
  const copy = `${dir}.${base}.${port}.toml`;
  await Deno.writeTextFile(`${root}/${copy}`, text.replaceAll("${PORT}", String(port)));
  return copy;
}

/**
 * Start a field app and wait until it accepts connections on its port.
 *
 * @param root the repository root
 * @param serve the shell command that starts the app (gets `PORT`)
 * @param target the target file, from the repository root
 * @param readyMs how long the app gets to accept connections
 * @returns the served app, or why it could not be served (the app's output's tail included)
 */
export async function serveApp(
  root: string,
  serve: string,
  target: string,
  readyMs: number = SERVE_READY_MS,
): Promise<Served | { why: string }> {
  const port = freePort();
  let spawned;
  try {
    spawned = spawnInGroup("sh", {
      args: ["-c", serve],
      cwd: root,
      env: { ...Deno.env.toObject(), PORT: String(port) },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    });
  } catch (e) {
    return { why: `serve did not start: ${errorMessage(e)}` };
  }
  const { child, pgid } = spawned;
  const out = tail(child.stdout);
  const err = tail(child.stderr);
  let exited: number | undefined;
  child.status.then((s) => exited = s.code, () => exited = -1);
  const stop = async () => {
    if (pgid !== undefined) await killGroup(pgid, 3000);
    else {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
    }
    await Promise.race([child.status.catch(() => {}), new Promise((r) => setTimeout(r, 3000))]);
  };
  const until = performance.now() + readyMs;
  while (!(await accepts(port))) {
    const why = exited !== undefined
      ? `serve exited (${exited}) before accepting connections`
      : performance.now() > until
      ? `serve did not accept connections on port ${port} within ${readyMs / 1000} s`
      : undefined;
    if (why !== undefined) {
      await stop();
      return { why: `${why}: ${err.text() || out.text()}`.slice(0, 600) };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  let copy: string;
  try {
    copy = await targetCopy(root, target, port);
  } catch (e) {
    await stop();
    return { why: `target ${target}: ${errorMessage(e)}` };
  }
  return {
    target: copy,
    port,
    async stop() {
      await stop();
      await Deno.remove(`${root}/${copy}`).catch(() => {});
    },
  };
}
