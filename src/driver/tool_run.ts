/**
 * Run a helper program the kit needs (`go install`, `go build`, `go env`, a built tool's
 * `-version`) with a time bound, in its own process group: when the bound passes, or the kit is
 * stopped (SIGINT, SIGTERM), the whole group is killed, so no compiler or linker a `go` command
 * started is left behind.
 *
 * @module
 */
import { killGroup, spawnInGroup } from "./_process_group.ts";
import { reapOnStop } from "./_reaper.ts";
import { errorMessage } from "../util/error_message.ts";

/** The outcome of {@link run}. */
export interface RunResult {
  /** the program ran and exited 0 */
  ok: boolean;
  /** its exit code; -1 when it could not run or ran out of time */
  code: number;
  /** its stdout */
  stdout: string;
  /** its stderr (or why it could not run) */
  stderr: string;
}

/** Options of {@link run} beyond the program, its arguments and the bound. */
export interface RunOptions {
  /** extra environment variables */
  env?: Record<string, string>;
  /** the working folder @default the kit's */
  cwd?: string;
}

function kitPath(): string {
  try {
    return Deno.env.get("PATH") ?? "";
  } catch {
    return "";
  }
}

/**
 * Run a command with a time bound, in its own process group; never throws.
 *
 * @param cmd the program (a path, or a name looked up on PATH)
 * @param args its arguments
 * @param timeoutMs the bound; the process group is killed after it
 * @param opts extra environment variables and the working folder
 * @returns exit status and output (`code: -1` when it could not run or ran out of time)
 * @example
 * ```ts
 * import { run } from "./tool_run.ts";
 * const r = await run("/nonexistent/program", [], 1_000);
 * if (r.ok || r.code !== -1) throw new Error("expected a failure");
 * const slow = await run("sleep", ["30"], 200);
 * if (slow.ok || slow.code !== -1 || !slow.stderr.includes("200 ms")) throw new Error(JSON.stringify(slow));
 * ```
 */
export async function run(
  cmd: string,
  args: string[],
  timeoutMs: number,
  opts: RunOptions = {},
): Promise<RunResult> {
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const { child, pgid } = spawnInGroup(cmd, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { PATH: kitPath(), ...opts.env },
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
    });
    reapOnStop({ child, pgid });
    timer = setTimeout(() => {
      timedOut = true;
      if (pgid !== undefined) killGroup(pgid, 500).catch(() => {});
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
    }, timeoutMs);
    const out = await child.output();
    if (timedOut) return { ok: false, code: -1, stdout: "", stderr: `did not finish within ${timeoutMs} ms` };
    const dec = new TextDecoder();
    return {
      ok: out.success,
      code: out.code,
      stdout: dec.decode(out.stdout),
      stderr: dec.decode(out.stderr),
    };
  } catch (e) {
    return { ok: false, code: -1, stdout: "", stderr: errorMessage(e) };
  } finally {
    clearTimeout(timer);
  }
}
