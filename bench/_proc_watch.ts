/**
 * Run a command and watch its memory and CPU through `/proc` (Linux; internal to
 * `bench/scaling.ts`). Every {@link POLL_MS} ms it reads the process's `VmHWM` (its own peak RSS,
 * exact: the kernel keeps the high-water mark), its CPU time and that of its reaped children, and
 * the `VmHWM` and `VmRSS` of every live descendant (driver processes, their children). A child that
 * lives less than one poll may be missed; its CPU time still counts once the kit reaps it.
 *
 * @module
 */

/** How often `/proc` is read. */
const POLL_MS = 100;
const TICK_MS = 10; // 1000 / CLK_TCK (100 on Linux/x86)

/** What one run cost. */
export interface Watched {
  code: number;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** the process's own peak RSS (VmHWM), KiB */
  peakKiB: number;
  /** the largest peak RSS of any one descendant, KiB */
  childPeakKiB: number;
  /** the largest sum of RSS over the process and its live descendants at one poll, KiB */
  treePeakKiB: number;
  /** descendants seen */
  children: number;
  /** the process's own CPU time (user + system), ms */
  cpuMs: number;
  /** CPU time of its reaped children (user + system), ms */
  childCpuMs: number;
}

async function read(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return undefined;
  }
}

function kib(status: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
  return m ? Number(m[1]) : 0;
}

/** Fields of /proc/PID/stat after the command name: [0] = state (field 3), [1] = ppid, … */
function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

async function parents(): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    const stat = await read(`/proc/${e.name}/stat`);
    if (stat) out.set(Number(e.name), Number(statFields(stat)[1]));
  }
  return out;
}

function descendants(root: number, ppid: Map<number, number>): number[] {
  const out: number[] = [];
  for (const pid of ppid.keys()) {
    for (let p = ppid.get(pid); p !== undefined && p > 1; p = ppid.get(p)) {
      if (p === root) {
        out.push(pid);
        break;
      }
    }
  }
  return out;
}

/**
 * Run `cmd args` in `cwd` and watch it until it exits.
 *
 * @param cmd the program
 * @param args its arguments
 * @param cwd the working directory
 * @returns its exit code, output and costs
 * @example
 * ```ts ignore
 * const w = await watch("sleep", ["0.3"], ".");
 * console.log(w.wallMs, w.peakKiB);
 * ```
 */
export async function watch(cmd: string, args: readonly string[], cwd: string): Promise<Watched> {
  const t0 = performance.now();
  const child = new Deno.Command(cmd, { args: [...args], cwd, stdout: "piped", stderr: "piped" }).spawn();
  const pid = child.pid;
  const w: Watched = {
    code: -1,
    stdout: "",
    stderr: "",
    wallMs: 0,
    peakKiB: 0,
    childPeakKiB: 0,
    treePeakKiB: 0,
    children: 0,
    cpuMs: 0,
    childCpuMs: 0,
  };
  const seen = new Set<number>();
  let running = true;
  const poll = (async () => {
    while (running) {
      const status = await read(`/proc/${pid}/status`);
      const stat = await read(`/proc/${pid}/stat`);
      if (status && stat) {
        w.peakKiB = Math.max(w.peakKiB, kib(status, "VmHWM"));
        const f = statFields(stat);
        w.cpuMs = (Number(f[11]) + Number(f[12])) * TICK_MS;
        w.childCpuMs = (Number(f[13]) + Number(f[14])) * TICK_MS;
        let tree = kib(status, "VmRSS");
        for (const c of descendants(pid, await parents())) {
          const s = await read(`/proc/${c}/status`);
          if (!s) continue;
          seen.add(c);
          w.childPeakKiB = Math.max(w.childPeakKiB, kib(s, "VmHWM"));
          tree += kib(s, "VmRSS");
        }
        w.treePeakKiB = Math.max(w.treePeakKiB, tree);
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  })();
  const [out, err, st] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.status,
  ]);
  running = false;
  await poll;
  w.code = st.code;
  w.stdout = out;
  w.stderr = err;
  w.wallMs = Math.round(performance.now() - t0);
  w.children = seen.size;
  return w;
}
