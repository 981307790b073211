/**
 * The TCP listeners a plugin really holds, from Linux's /proc: the sockets open in the fds of its
 * process group (or the process and its descendants) matched by inode against
 * `/proc/<pid>/net/tcp` and `tcp6` in LISTEN state. Not the address it advertised. Internal to the
 * rpc profile.
 *
 * @module
 */

/** One listening TCP socket. */
export interface Listener {
  /** the address as shown, e.g. "127.0.0.1:10000", "[::]:10001" */
  address: string;
  /** whether it is bound to a loopback address only */
  loopback: boolean;
  /** the process holding it */
  pid: number;
}

function read(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
}

/**
 * The pids of a plugin: every process in its group, else the process and its descendants.
 *
 * @param pid the plugin's pid
 * @param pgid its process group, when it has its own
 * @returns the pids alive now (at most 1000)
 */
export function pluginPids(pid: number, pgid: number | undefined): number[] {
  const parent = new Map<number, number>();
  const group = new Map<number, number>();
  try {
    for (const e of Deno.readDirSync("/proc")) {
      if (!/^\d+$/.test(e.name)) continue;
      const stat = read(`/proc/${e.name}/stat`);
      if (stat === undefined) continue;
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (f[0] === "Z" || f[0] === "X") continue;
      parent.set(Number(e.name), Number(f[1]));
      group.set(Number(e.name), Number(f[2]));
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

function socketInodes(pid: number): Set<string> {
  const out = new Set<string>();
  try {
    for (const e of Deno.readDirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(Deno.readLinkSync(`/proc/${pid}/fd/${e.name}`));
        if (m?.[1]) out.add(m[1]);
      } catch {
        // closed meanwhile
      }
    }
  } catch {
    // gone, or not ours to read
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
 *   const found = listeningSockets([Deno.pid]) ?? [];
 *   if (!found.some((s) => s.address === `127.0.0.1:${l.addr.port}` && s.loopback)) throw new Error();
 * }
 * ```
 */
export function listeningSockets(pids: readonly number[]): Listener[] | undefined {
  if (Deno.build.os !== "linux") return undefined;
  const out: Listener[] = [];
  const seen = new Set<string>();
  for (const pid of pids) {
    const inodes = socketInodes(pid);
    if (inodes.size === 0) continue;
    for (const [file, v6] of [["tcp", false], ["tcp6", true]] as const) {
      const table = read(`/proc/${pid}/net/${file}`);
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
