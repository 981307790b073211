/**
 * The TCP listeners a plugin really holds, from Linux's /proc: the sockets open in the fds of its
 * process group (or the process and its descendants) matched by inode against
 * `/proc/<pid>/net/tcp` and `tcp6` in LISTEN state. Not the address it advertised. Deno lets only
 * `--allow-all` read `/proc/<pid>/…`, so without it the same files are read through `sh`/`awk`/`ls`
 * (the task allows running programs): bounded in time and bytes. Internal to the rpc profile.
 *
 * @module
 */
import { deadline } from "../../src/util/deadline.ts";

/** One listening TCP socket. */
export interface Listener {
  /** the address as shown, e.g. "127.0.0.1:10000", "[::]:10001" */
  address: string;
  /** whether it is bound to a loopback address only */
  loopback: boolean;
  /** the process holding it */
  pid: number;
}

/** How /proc is read: directly, or (without `--allow-all`) through small programs. */
interface ProcReader {
  /** each readable file's text, by path */
  files(paths: readonly string[]): Promise<Map<string, string>>;
  /** every `/proc/<n>/stat`, by pid */
  stats(): Promise<Map<number, string>>;
  /** the targets of the symlinks in a directory */
  links(dir: string): Promise<string[]>;
}

const MAX_PROC_BYTES = 4 * 1024 * 1024;

async function sh(script: string, args: readonly string[]): Promise<string> {
  const cmd = new Deno.Command("/bin/sh", {
    args: ["-c", script, "sh", ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
    clearEnv: true,
    env: { PATH: "/usr/bin:/bin", LC_ALL: "C" },
    signal: AbortSignal.timeout(5000),
  });
  const r = await deadline(cmd.output(), 6000);
  // a timed-out read must not look like "no such process, no socket": say so (the check's `error`)
  if (!r.ok || r.value.signal !== null) {
    throw new Error("reading /proc through /bin/sh did not finish within 5 s");
  }
  return new TextDecoder().decode(r.value.stdout.subarray(0, MAX_PROC_BYTES));
}

const direct: ProcReader = {
  files(paths) {
    const out = new Map<string, string>();
    for (const p of paths) {
      try {
        out.set(p, Deno.readTextFileSync(p));
      } catch {
        // gone, or not ours
      }
    }
    return Promise.resolve(out);
  },
  stats() {
    const out = new Map<number, string>();
    for (const e of Deno.readDirSync("/proc")) {
      if (!/^\d+$/.test(e.name)) continue;
      try {
        out.set(Number(e.name), Deno.readTextFileSync(`/proc/${e.name}/stat`));
      } catch {
        // gone meanwhile
      }
    }
    return Promise.resolve(out);
  },
  links(dir) {
    const out: string[] = [];
    try {
      for (const e of Deno.readDirSync(dir)) {
        try {
          out.push(Deno.readLinkSync(`${dir}/${e.name}`));
        } catch {
          // closed meanwhile
        }
      }
    } catch {
      // gone
    }
    return Promise.resolve(out);
  },
};

/** Files as `\x01<path>` lines followed by their text. */
function splitMarked(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split("\x01").slice(1)) {
    const nl = part.indexOf("\n");
    out.set(part.slice(0, nl), part.slice(nl + 1));
  }
  return out;
}

const viaPrograms: ProcReader = {
  async files(paths) {
    if (paths.length === 0) return new Map();
    return splitMarked(
      await sh(`awk 'FNR==1{printf "\\001%s\\n", FILENAME} {print}' "$@" 2>/dev/null`, paths),
    );
  },
  async stats() {
    const files = splitMarked(
      await sh(`awk 'FNR==1{printf "\\001%s\\n", FILENAME} {print}' /proc/[0-9]*/stat 2>/dev/null`, []),
    );
    const out = new Map<number, string>();
    for (const [path, text] of files) {
      const m = /^\/proc\/(\d+)\/stat$/.exec(path);
      if (m) out.set(Number(m[1]), text);
    }
    return out;
  },
  async links(dir) {
    const text = await sh(`ls -l "$1" 2>/dev/null`, [dir]);
    return text.split("\n").map((l) => l.split(" -> ")[1]).filter((t): t is string => t !== undefined);
  },
};

let chosen: ProcReader | undefined;

function reader(): ProcReader {
  if (chosen === undefined) {
    try {
      Deno.readDirSync("/proc/self/fd");
      chosen = direct;
    } catch {
      chosen = viaPrograms;
    }
  }
  return chosen;
}

/**
 * The pids of a plugin: every process in its group, else the process and its descendants.
 *
 * @param pid the plugin's pid
 * @param pgid its process group, when it has its own
 * @returns the pids alive now (at most 1000)
 */
export async function pluginPids(pid: number, pgid: number | undefined): Promise<number[]> {
  const parent = new Map<number, number>();
  const group = new Map<number, number>();
  try {
    for (const [n, stat] of await reader().stats()) {
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (f[0] === "Z" || f[0] === "X") continue;
      parent.set(n, Number(f[1]));
      group.set(n, Number(f[2]));
    }
  } catch {
    return [pid];
  }
  const out = new Set<number>();
  if (pgid !== undefined) { for (const [p, g] of group) if (g === pgid) out.add(p); }
  if (parent.has(pid)) out.add(pid);
  for (let grew = true; grew && out.size < 1000;) {
    grew = false;
    for (const [p, pp] of parent) {
      if (!out.has(p) && out.has(pp)) {
        out.add(p);
        grew = true;
      }
    }
  }
  return [...out].slice(0, 1000);
}

async function socketInodes(pid: number): Promise<Set<string>> {
  const out = new Set<string>();
  for (const l of await reader().links(`/proc/${pid}/fd`)) {
    const m = /^socket:\[(\d+)\]$/.exec(l.trim());
    if (m?.[1]) out.add(m[1]);
  }
  return out;
}

/** "0100007F:2710" (tcp) or 32 hex digits (tcp6) → address text and loopback. */
export function decodeAddress(hex: string, v6: boolean): { address: string; loopback: boolean } {
  const [h = "", p = "0"] = hex.split(":");
  const port = parseInt(p, 16);
  if (!v6) {
    const b = (h.match(/../g) ?? []).map((x) => parseInt(x, 16)).reverse();
    return { address: `${b.join(".")}:${port}`, loopback: b[0] === 127 };
  }
  // four 32-bit words, each little-endian
  const bytes = (h.match(/.{8}/g) ?? []).flatMap((w) => (w.match(/../g) ?? []).reverse())
    .map((x) => parseInt(x, 16));
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  const text = groups.join(":").replace(/(^|:)0(:0)+(:|$)/, "::");
  const mapped4 = bytes.slice(0, 10).every((x) => x === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  const loopback = (bytes.slice(0, 15).every((x) => x === 0) && bytes[15] === 1) ||
    (mapped4 && bytes[12] === 127);
  return { address: `[${text}]:${port}`, loopback };
}

/**
 * The TCP sockets in LISTEN state held by these processes.
 *
 * @param pids the plugin's processes
 * @returns the listeners, or undefined where /proc cannot tell (not Linux)
 * @example
 * ```ts
 * import { listeningSockets } from "./_proc.ts";
 * if (Deno.build.os === "linux") {
 *   using l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 *   const found = (await listeningSockets([Deno.pid])) ?? [];
 *   if (!found.some((s) => s.address === `127.0.0.1:${l.addr.port}` && s.loopback)) throw new Error();
 * }
 * ```
 */
export async function listeningSockets(pids: readonly number[]): Promise<Listener[] | undefined> {
  if (Deno.build.os !== "linux") return undefined;
  const out: Listener[] = [];
  const seen = new Set<string>();
  for (const pid of pids) {
    const inodes = await socketInodes(pid);
    if (inodes.size === 0) continue;
    const tables = await reader().files([`/proc/${pid}/net/tcp`, `/proc/${pid}/net/tcp6`]);
    for (const [file, v6] of [["tcp", false], ["tcp6", true]] as const) {
      const table = tables.get(`/proc/${pid}/net/${file}`);
      if (table === undefined) continue;
      for (const row of table.split("\n").slice(1)) {
        const f = row.trim().split(/\s+/);
        // sl local rem st tx:rx tr:when retrnsmt uid timeout inode
        if (f.length < 10 || f[3] !== "0A" || !inodes.has(f[9] ?? "") || seen.has(f[9] ?? "")) continue;
        seen.add(f[9] ?? "");
        out.push({ ...decodeAddress(f[1] ?? "", v6), pid });
      }
    }
  }
  return out;
}
