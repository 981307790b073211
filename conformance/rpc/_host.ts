/**
 * The kit as go-plugin's host: start a plugin executable in a fresh temporary directory (its own
 * cwd, HOME and TMPDIR, owner-only) with a minimal environment and the host's variables, in its
 * own process group; read its handshake line within a time limit and a byte bound; keep draining
 * its stdout and stderr (each bounded); end the whole group and remove the directory at the end.
 * Internal to the rpc profile.
 *
 * @module
 */
import { killGroup, signalGroup, spawnInGroup } from "../../src/driver/_process_group.ts";
import { deadline } from "../../src/util/deadline.ts";
import { errorMessage } from "../../src/util/error_message.ts";
import type { RpcTarget } from "./target.ts";

/** The most bytes kept of each of stdout and stderr (the rest is counted and dropped). */
export const MAX_OUTPUT_BYTES = 64 * 1024;
/** The most bytes the handshake line may have (go-plugin's lines are a few hundred bytes). */
export const MAX_HANDSHAKE_BYTES = 16 * 1024;

/** How the host sets the magic cookie for one start. */
export type CookieMode = "right" | "missing" | "wrong";

/** Options of {@linkcode startPlugin}. */
export interface StartOptions {
  /** the cookie: the target's value, none, or a wrong value of the same length @default "right" */
  cookie?: CookieMode;
  /** AutoMTLS: the host's certificate (PEM) sent as PLUGIN_CLIENT_CERT */
  clientCertPem?: string;
  /** the time limit for the handshake line @default the target's */
  timeoutMs?: number;
}

/** What the host read where the handshake line should be. */
export type HandshakeRead =
  | { kind: "line"; line: string; ms: number }
  | { kind: "exited"; code: number; ms: number }
  | { kind: "timeout"; ms: number }
  | { kind: "overlong"; bytes: number; ms: number }
  | { kind: "spawn-error"; message: string };

/** A started plugin. */
export interface PluginRun {
  /** its pid (also its process group when `pgid` is set) */
  readonly pid: number;
  /** its process group, when `setsid` gave it one */
  readonly pgid: number | undefined;
  /** its fresh temporary directory (cwd, HOME and TMPDIR are inside) */
  readonly root: string;
  /** what came where the handshake line should be */
  readonly handshake: HandshakeRead;
  /** resolves when the plugin exits */
  readonly exited: Promise<Deno.CommandStatus>;
  /** its exit status, once it exited */
  status(): Deno.CommandStatus | undefined;
  /** everything it printed so far (each stream bounded), and how many bytes were dropped */
  output(): { stdout: string; stderr: string; dropped: number };
  /** the environment it was started with (for evidence; the cookie value is never shown) */
  readonly envNames: readonly string[];
  /** end the whole group (SIGTERM, then SIGKILL) and remove the directory */
  close(): Promise<void>;
}

const live = new Set<{ pid: number; pgid: number | undefined }>();
let unloadHooked = false;

function killAllNow(): void {
  for (const c of live) {
    if (c.pgid !== undefined) signalGroup(c.pgid, "SIGKILL");
    try {
      Deno.kill(c.pid, "SIGKILL");
    } catch {
      // gone
    }
  }
}

/** A wrong cookie of the same length: the last character changed. */
export function wrongCookie(value: string): string {
  const last = value.at(-1) ?? "x";
  return value.slice(0, -1) + (last === "x" ? "y" : "x");
}

/**
 * The plugin's environment: PATH and the target's pass-through names from the kit's, the target's
 * own variables, then the host's (which win).
 *
 * @param t the target
 * @param dirs the fresh HOME, TMPDIR and socket directory
 * @param opts cookie and client certificate
 * @returns the environment
 */
export function pluginEnv(
  t: RpcTarget,
  dirs: { home: string; tmp: string; sock: string },
  opts: StartOptions,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ["PATH", ...t.passEnv]) {
    const v = Deno.env.get(name);
    if (v !== undefined) env[name] = v;
  }
  Object.assign(env, t.env);
  env.HOME = dirs.home;
  env.TMPDIR = dirs.tmp;
  env.PLUGIN_MAGIC_COOKIE_KEY = t.cookieKey;
  const cookie = opts.cookie ?? "right";
  if (cookie === "missing") delete env[t.cookieKey];
  else env[t.cookieKey] = cookie === "right" ? t.cookieValue : wrongCookie(t.cookieValue);
  env.PLUGIN_PROTOCOL_VERSIONS = t.protocolVersions.join(",");
  env.PLUGIN_MIN_PORT = String(t.minPort);
  env.PLUGIN_MAX_PORT = String(t.maxPort);
  if (t.unixSocketDir) env.PLUGIN_UNIX_SOCKET_DIR = dirs.sock;
  if (t.unixSocketGroup !== undefined) env.PLUGIN_UNIX_SOCKET_GROUP = t.unixSocketGroup;
  if (opts.clientCertPem !== undefined) env.PLUGIN_CLIENT_CERT = opts.clientCertPem;
  return env;
}

/** A bounded sink for one stream; resolves `firstLine` at the first newline. */
class Sink {
  readonly #dec = new TextDecoder();
  #text = "";
  #bytes = 0;
  dropped = 0;
  #line: ((v: { line: string } | { overlong: number }) => void) | undefined;
  readonly firstLine: Promise<{ line: string } | { overlong: number } | undefined>;
  #resolveEnd!: () => void;
  readonly ended: Promise<void> = new Promise((r) => this.#resolveEnd = r);

  constructor(withLine: boolean) {
    this.firstLine = withLine ? new Promise((r) => this.#line = r) : Promise.resolve(undefined);
    if (withLine) void this.ended.then(() => this.#line?.({ overlong: -1 }));
  }

  push(chunk: Uint8Array): void {
    const room = MAX_OUTPUT_BYTES - this.#bytes;
    const kept = chunk.subarray(0, Math.max(0, room));
    this.dropped += chunk.length - kept.length;
    this.#bytes += kept.length;
    this.#text += this.#dec.decode(kept, { stream: true });
    if (this.#line) {
      const nl = this.#text.indexOf("\n");
      if (nl >= 0 && nl <= MAX_HANDSHAKE_BYTES) {
        this.#line({ line: this.#text.slice(0, nl).replace(/\r$/, "") });
        this.#line = undefined;
      } else if ((nl < 0 ? this.#bytes : nl) > MAX_HANDSHAKE_BYTES) {
        this.#line({ overlong: this.#bytes });
        this.#line = undefined;
      }
    }
  }

  get text(): string {
    return this.#text;
  }

  async drain(stream: ReadableStream<Uint8Array>): Promise<void> {
    try {
      for await (const c of stream) this.push(c);
    } catch {
      // the stream ends when the plugin is killed
    }
    this.#resolveEnd();
  }
}

/**
 * Start the plugin as its host would, and read its handshake line (bounded in time and bytes).
 * Never throws: a plugin that cannot start, exits, hangs or floods gives a {@linkcode HandshakeRead}
 * that says so; `close()` must be called in every case.
 *
 * @param t the target
 * @param opts the cookie, the host's certificate, the time limit
 * @returns the running (or ended) plugin
 */
export async function startPlugin(t: RpcTarget, opts: StartOptions = {}): Promise<PluginRun> {
  const root = await Deno.makeTempDir({ prefix: "ron-rpc-" });
  const dirs = { cwd: `${root}/cwd`, home: `${root}/home`, tmp: `${root}/tmp`, sock: `${root}/sock` };
  for (const d of Object.values(dirs)) await Deno.mkdir(d, { mode: 0o700 });
  await Deno.chmod(root, 0o700);
  const env = pluginEnv(t, dirs, opts);
  const envNames = Object.keys(env).sort();
  const removeRoot = () => Deno.remove(root, { recursive: true }).catch(() => {});
  const t0 = performance.now();
  let spawned: ReturnType<typeof spawnInGroup>;
  try {
    spawned = spawnInGroup(t.command[0] ?? "", {
      args: t.command.slice(1),
      cwd: dirs.cwd,
      env,
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    });
  } catch (e) {
    await removeRoot();
    const message = `cannot start ${JSON.stringify(t.command[0])}: ${errorMessage(e)}`;
    const never = new Promise<Deno.CommandStatus>(() => {});
    return {
      pid: -1,
      pgid: undefined,
      root,
      handshake: { kind: "spawn-error", message },
      exited: never,
      status: () => undefined,
      output: () => ({ stdout: "", stderr: "", dropped: 0 }),
      envNames,
      close: () => Promise.resolve(),
    };
  }
  const { child, pgid } = spawned;
  const entry = { pid: child.pid, pgid };
  live.add(entry);
  if (!unloadHooked) {
    unloadHooked = true;
    globalThis.addEventListener("unload", killAllNow);
  }
  const out = new Sink(true);
  const err = new Sink(false);
  const draining = Promise.all([out.drain(child.stdout), err.drain(child.stderr)]);
  let status: Deno.CommandStatus | undefined;
  const exited = child.status.then((s) => (status = s, s));
  const timeoutMs = opts.timeoutMs ?? t.handshakeTimeoutMs;
  const first = await deadline(
    Promise.race([
      out.firstLine,
      exited.then(async (s) => {
        await deadline(draining, 500); // a line printed just before exiting still counts
        return { exited: s.code };
      }),
    ]),
    timeoutMs,
  );
  const ms = Math.round(performance.now() - t0);
  let handshake: HandshakeRead;
  if (!first.ok) handshake = { kind: "timeout", ms };
  else if (first.value === undefined) handshake = { kind: "timeout", ms };
  else if ("line" in first.value) handshake = { kind: "line", line: first.value.line, ms };
  else if ("overlong" in first.value && first.value.overlong >= 0) {
    handshake = { kind: "overlong", bytes: first.value.overlong, ms };
  } else {
    const s = await deadline(exited, 1000);
    handshake = { kind: "exited", code: s.ok ? s.value.code : -1, ms };
    if (out.text.includes("\n")) {
      const line = out.text.slice(0, out.text.indexOf("\n")).replace(/\r$/, "");
      handshake = { kind: "line", line, ms };
    }
  }
  let closed: Promise<void> | undefined;
  return {
    pid: child.pid,
    pgid,
    root,
    handshake,
    exited,
    status: () => status,
    output: () => ({ stdout: out.text, stderr: err.text, dropped: out.dropped + err.dropped }),
    envNames,
    close() {
      closed ??= (async () => {
        if (pgid !== undefined) await killGroup(pgid, 500);
        if (!(await deadline(exited, pgid === undefined ? 0 : 1000)).ok) {
          try {
            child.kill("SIGKILL");
          } catch {
            // gone
          }
          await deadline(exited, 2000);
        }
        await deadline(draining, 1000);
        live.delete(entry);
        await removeRoot();
      })();
      return closed;
    },
  };
}

/**
 * One line for a reason: what came where the handshake should be.
 *
 * @param h the read
 * @param run the plugin (for its stderr's tail)
 * @returns e.g. "no handshake line within 10000 ms (stderr: "…")"
 */
export function describeHandshake(h: HandshakeRead, run?: PluginRun): string {
  const tail = run ? stderrTail(run) : "";
  const said = tail === "" ? "" : ` (stderr: ${tail})`;
  switch (h.kind) {
    case "line":
      return `handshake line ${shown(h.line)} after ${h.ms} ms`;
    case "exited":
      return `the plugin exited with code ${h.code} after ${h.ms} ms without a handshake line${said}`;
    case "timeout":
      return `no handshake line within ${h.ms} ms${said}`;
    case "overlong":
      return `more than ${MAX_HANDSHAKE_BYTES} bytes on stdout without a newline (${h.bytes} read)${said}`;
    case "spawn-error":
      return h.message;
    default: {
      const never: never = h;
      return String(never);
    }
  }
}

/**
 * A string as a reason shows it: JSON-escaped (control characters visible) and cut.
 *
 * @param s the text
 * @param max the most characters shown @default 200
 * @returns the quoted text
 */
export function shown(s: string, max = 200): string {
  return JSON.stringify(s.length > max ? `${s.slice(0, max)}…` : s);
}

function stderrTail(run: PluginRun): string {
  const e = run.output().stderr.trim();
  return e === "" ? "" : shown(e.length > 300 ? `…${e.slice(-300)}` : e, 320);
}
