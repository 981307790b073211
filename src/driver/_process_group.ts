/**
 * A driver in its own process group, so the kit can end it with everything it started
 * (an SDK's helper processes, a shell's children). Deno.Command has no setsid option: the
 * driver is spawned through `setsid` (util-linux or BusyBox) when there is one; without it
 * (macOS, Windows) only the driver itself can be signalled. Internal to the driver host.
 *
 * @module
 */
import { deadline } from "../util/deadline.ts";

/** Where `setsid` may live. */
const SETSID_PATHS = ["/usr/bin/setsid", "/bin/setsid", "/usr/local/bin/setsid"] as const;

let setsidPath: string | null | undefined;

function isFile(p: string): boolean {
  try {
    return Deno.statSync(p).isFile;
  } catch {
    return false;
  }
}

/** @returns the `setsid` program, or undefined when there is none */
export function findSetsid(): string | undefined {
  if (setsidPath === undefined) {
    setsidPath = Deno.build.os === "windows" ? null : SETSID_PATHS.find(isFile) ?? null;
  }
  return setsidPath ?? undefined;
}

/**
 * Find a program the way `execvp` would: a name with a slash as is, else the first executable
 * match on `path` (POSIX only: setsid exists there).
 *
 * @param program the program
 * @param path the PATH the driver gets
 * @returns the program's path, or undefined when it is not found
 */
function findProgram(program: string, path: string | undefined): string | undefined {
  const executable = (p: string) => {
    try {
      const st = Deno.statSync(p);
      return st.isFile && (st.mode === null || (st.mode & 0o111) !== 0);
    } catch {
      return false;
    }
  };
  if (/[\\/]/.test(program)) return executable(program) ? program : undefined;
  for (const dir of (path ?? "").split(":")) {
    const p = `${dir === "" ? "." : dir}/${program}`;
    if (executable(p)) return p;
  }
  return undefined;
}

/** A spawned driver and its process group (when it has one of its own). */
export interface Spawned {
  child: Deno.ChildProcess;
  /** the group to signal (the driver's pid); undefined when the driver shares the kit's group */
  pgid: number | undefined;
}

/**
 * Spawn `program` in a new session and process group when `setsid` is there (the program is
 * then looked up on the PATH of `options.env` first, so a missing one fails here as it would
 * without setsid).
 *
 * @param program the program
 * @param options the Deno.Command options (args, cwd, env, stdio)
 * @returns the child and its group
 * @throws Deno.errors.NotFound when the program is not found, or what spawning throws
 */
export function spawnInGroup(program: string, options: Deno.CommandOptions): Spawned {
  const setsid = findSetsid();
  if (setsid === undefined) return { child: new Deno.Command(program, options).spawn(), pgid: undefined };
  const found = findProgram(program, options.env?.PATH);
  if (found === undefined) {
    throw new Deno.errors.NotFound(`no such program (PATH ${JSON.stringify(options.env?.PATH ?? "")})`);
  }
  // the child is not a group leader, so setsid calls setsid(2) and execs in place: pid = pgid
  const child = new Deno.Command(setsid, { ...options, args: [found, ...(options.args ?? [])] }).spawn();
  return { child, pgid: child.pid };
}

/** Members of a group per /proc, zombies excluded (undefined when /proc cannot tell). */
function liveMembers(pgid: number): number | undefined {
  if (Deno.build.os !== "linux") return undefined;
  let n = 0;
  try {
    for (const e of Deno.readDirSync("/proc")) {
      if (!/^\d+$/.test(e.name)) continue;
      let stat: string;
      try {
        stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      } catch {
        continue; // gone meanwhile
      }
      // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(f[2]) === pgid && f[0] !== "Z" && f[0] !== "X") n++;
    }
  } catch {
    return undefined;
  }
  return n;
}

/**
 * Whether any live process is left in the group.
 *
 * @param pgid the group
 * @returns true while a process (not a zombie, where /proc can tell) is in it
 */
export function groupAlive(pgid: number): boolean {
  const n = liveMembers(pgid);
  if (n !== undefined) return n > 0;
  try {
    Deno.kill(-pgid, "SIGCONT"); // harmless; fails with ESRCH once the group is empty
    return true;
  } catch {
    return false;
  }
}

/**
 * Signal every process of the group.
 *
 * @param pgid the group
 * @param signal the signal
 */
export function signalGroup(pgid: number, signal: Deno.Signal): void {
  try {
    Deno.kill(-pgid, signal);
  } catch {
    // the group is empty
  }
}

/**
 * End a group: SIGTERM, up to `graceMs` for it to empty, then SIGKILL.
 *
 * @param pgid the group
 * @param graceMs how long SIGTERM gets
 */
export async function killGroup(pgid: number, graceMs: number): Promise<void> {
  if (!groupAlive(pgid)) return;
  signalGroup(pgid, "SIGTERM");
  const until = performance.now() + graceMs;
  while (performance.now() < until) {
    await new Promise((r) => setTimeout(r, 25));
    if (!groupAlive(pgid)) return;
  }
  signalGroup(pgid, "SIGKILL");
  for (let i = 0; i < 40 && groupAlive(pgid); i++) await new Promise((r) => setTimeout(r, 25));
}

/** Whether `p` settled within `ms`. */
async function settles(p: Promise<unknown>, ms: number): Promise<boolean> {
  return (await deadline(p.then(() => {}, () => {}), ms)).ok;
}

/**
 * End a driver whose stdin is closed: give it `graceMs` to exit by itself (none with `fast`),
 * then end its whole group (SIGTERM, SIGKILL after a grace); without a group, signal the driver.
 *
 * @param child the driver
 * @param pgid its group, when it has one
 * @param opts `graceMs`, and `fast` when the kit is being stopped
 */
export async function endProcess(
  child: Deno.ChildProcess,
  pgid: number | undefined,
  opts: { graceMs: number; fast: boolean },
): Promise<void> {
  const grace = opts.graceMs;
  const exited = await settles(child.status, opts.fast ? 0 : grace);
  const kill = (sig: Deno.Signal) => {
    try {
      child.kill(sig);
    } catch {
      // already gone
    }
  };
  if (pgid !== undefined) {
    // the driver's helpers live on after it: end the whole group
    await killGroup(pgid, exited ? grace : Math.min(grace, 500));
  } else if (!exited) {
    kill(opts.fast ? "SIGTERM" : "SIGKILL");
    if (opts.fast && !(await settles(child.status, grace))) kill("SIGKILL");
  }
  if (!(await settles(child.status, 2000))) {
    if (pgid !== undefined) signalGroup(pgid, "SIGKILL");
    else kill("SIGKILL");
  }
  await settles(child.status, 2000);
}
