/**
 * Children the kit must not leave behind: each tracked child (and its process group, when it has
 * one) is killed at once when the kit is stopped (SIGINT, SIGTERM) or unloads. The CLI's own
 * handler (cli/certify.ts `stopOnSignals`) then ends the drivers and exits 130/143, so these
 * handlers never exit themselves. Used by the Node children (`src/tls/_node.ts`), the helper
 * programs the kit runs (`go install`, `go build`: `tool_run.ts`) and the Toxiproxy server
 * (`chaos/toxiproxy.ts`).
 *
 * @module
 */
import { signalGroup } from "./_process_group.ts";

/** A tracked child. */
export interface Reaped {
  /** the child */
  child: Deno.ChildProcess;
  /** its own process group, when it has one */
  pgid: number | undefined;
}

const live = new Set<Reaped>();
const handlers: [Deno.Signal, () => void][] = [];

function killAllNow(): void {
  for (const c of live) {
    if (c.pgid !== undefined) signalGroup(c.pgid, "SIGKILL");
    try {
      c.child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
}

/**
 * Track a child until it exits: killed (its group too) if the kit is stopped or unloads first.
 *
 * @param entry the child and its group
 * @returns how many children are tracked now
 * @example
 * ```ts
 * import { reapOnStop } from "./_reaper.ts";
 * const child = new Deno.Command(Deno.execPath(), { args: ["eval", "0"], stdout: "null", stderr: "null" }).spawn();
 * reapOnStop({ child, pgid: undefined });
 * await child.status;
 * ```
 */
export function reapOnStop(entry: Reaped): number {
  if (live.size === 0) {
    globalThis.addEventListener("unload", killAllNow);
    for (const sig of ["SIGINT", "SIGTERM"] as const) {
      try {
        Deno.addSignalListener(sig, killAllNow);
        handlers.push([sig, killAllNow]);
      } catch {
        // not supported on this platform
      }
    }
  }
  live.add(entry);
  entry.child.status.finally(() => forget(entry)).catch(() => {});
  return live.size;
}

function forget(entry: Reaped): void {
  if (!live.delete(entry) || live.size > 0) return;
  globalThis.removeEventListener("unload", killAllNow);
  for (const [sig, h] of handlers.splice(0)) {
    try {
      Deno.removeSignalListener(sig, h);
    } catch {
      // ignore
    }
  }
}
