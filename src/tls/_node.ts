/**
 * Running one of this folder's Node scripts (`_front.mjs`, `_probe.mjs`) as a child of the kit:
 * found on the PATH, in its own process group (through `setsid`, as drivers are), its
 * configuration written as one JSON line on stdin (keys never touch the disk), its stdout read as
 * bounded JSON lines, its stderr's tail kept for errors. Every live child is ended when the kit
 * exits (`unload`) or is stopped (SIGINT/SIGTERM); each script also exits by itself when its stdin
 * closes, so even a SIGKILLed kit leaves nothing behind. Internal to `src/tls/`.
 *
 * @module
 */
import { killGroup, spawnInGroup } from "../driver/_process_group.ts";
import { reapOnStop } from "../driver/_reaper.ts";
import { deadline } from "../util/deadline.ts";
import { errorMessage } from "../util/error_message.ts";

/** What to tell a user without Node. */
export const NODE_HINT =
  "needs Node.js 18+ on the PATH (legacy and version-pinned TLS is served and probed with Node's OpenSSL): " +
  "install it from https://nodejs.org or your package manager (e.g. `apt-get install nodejs`)";

/** The longest stdout line kept (longer ones are dropped and counted). */
const MAX_LINE_CHARS = 1 << 20;
/** The stderr tail kept. */
const MAX_STDERR_CHARS = 4096;

/** A running Node script. */
export interface NodeChild {
  /** the child's pid (also its group when `pgid` is set) */
  readonly pid: number;
  /** the stdout lines, in order; ends when stdout ends */
  readonly lines: AsyncIterableIterator<string>;
  /** the last bytes of stderr, for error messages */
  stderrTail(): string;
  /** stdout lines dropped for being too long */
  overlong(): number;
  /** resolves when the child has exited */
  readonly exited: Promise<Deno.CommandStatus>;
  /** end the child and its group (stdin closed, SIGTERM, SIGKILL after `graceMs`) */
  kill(graceMs?: number): Promise<void>;
}

/** The Node children running now; each is also killed (with its group) if the kit is stopped. */
const live = new Set<Deno.ChildProcess>();

/** The number of Node children this process has running (for tests). */
export function liveNodeChildren(): number {
  return live.size;
}

/** Where the script is: a local path, or its source text when the kit runs from a remote URL. */
async function scriptArgs(name: string): Promise<string[]> {
  const url = new URL(`./${name}`, import.meta.url);
  if (url.protocol === "file:") return [decodeURIComponent(url.pathname)];
  const r = await deadline(fetch(url).then((res) => res.text()), 10_000);
  if (!r.ok) throw new Error(`could not load ${url.href} within 10 s`);
  return ["--input-type=module", "-e", r.value];
}

async function* splitLines(
  stream: ReadableStream<Uint8Array>,
  onOverlong: () => void,
): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buf = "";
  let skipping = false;
  for await (const chunk of stream) {
    buf += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (skipping) skipping = false;
      else yield line;
    }
    if (buf.length > MAX_LINE_CHARS) {
      if (!skipping) onOverlong();
      skipping = true;
      buf = "";
    }
  }
  if (buf.length > 0 && !skipping) yield buf;
}

/**
 * Start `node <script>` with `config` as its one stdin line.
 *
 * @param script the script's file name in this folder
 * @param config its configuration (JSON)
 * @returns the child, or `{unavailable}` with the install hint when there is no Node
 */
export async function startNodeScript(
  script: "_front.mjs" | "_probe.mjs",
  config: unknown,
): Promise<NodeChild | { unavailable: string }> {
  const args = await scriptArgs(script);
  let path = "/usr/local/bin:/usr/bin:/bin";
  try {
    path = Deno.env.get("PATH") ?? path;
  } catch {
    // no --allow-env: the usual places
  }
  let spawned;
  try {
    spawned = spawnInGroup("node", {
      args: ["--no-warnings", ...args],
      env: { PATH: path },
      clearEnv: true,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { unavailable: `node not found: ${NODE_HINT}` };
    return { unavailable: `node could not be started (${errorMessage(e)}): ${NODE_HINT}` };
  }
  const { child, pgid } = spawned;
  live.add(child);
  reapOnStop({ child, pgid });
  const exited = child.status.finally(() => live.delete(child));
  let stderr = "";
  const stderrDone = (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of child.stderr) {
        stderr = (stderr + decoder.decode(chunk, { stream: true })).slice(-MAX_STDERR_CHARS);
      }
    } catch {
      // the child is gone
    }
  })();
  let overlong = 0;
  const writer = child.stdin.getWriter();
  const closeStdin = () => writer.close().catch(() => {});
  try {
    await writer.write(new TextEncoder().encode(JSON.stringify(config) + "\n"));
  } catch {
    // it died at once: its stderr and exit say why
  }
  const kill = async (graceMs = 1000) => {
    await closeStdin();
    const gone = await deadline(exited, Math.min(graceMs, 200));
    if (!gone.ok) {
      if (pgid !== undefined) await killGroup(pgid, graceMs);
      else {
        try {
          child.kill("SIGKILL");
        } catch {
          // already gone
        }
      }
    }
    await deadline(exited, 2000);
    await deadline(stderrDone, 500);
  };
  return {
    pid: child.pid,
    lines: splitLines(child.stdout, () => overlong++),
    stderrTail: () => stderr.trim(),
    overlong: () => overlong,
    exited,
    kill,
  };
}
