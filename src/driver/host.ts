/**
 * The driver host: starts a driver (the SDK's testee program) in fresh temporary directories
 * and its own process group, with the run's CA exported the standard ways, speaks the JSON Lines
 * protocol with it (pipelined, every reply validated), keeps its output as bounded evidence,
 * scans everything for canaries and never leaves a process or a directory behind, also when
 * the kit is stopped ({@link closeAll}). See docs/PROTOCOL.md.
 *
 * @module
 */
import { PROTOCOL_VERSION } from "../schema/protocol.ts";
import type { DriverSession } from "./types.ts";
import { maskCanaries } from "./canary.ts";
import { errorMessage } from "../util/error_message.ts";
import { deadline } from "../util/deadline.ts";
import { CA_ENV, driverEnv, resolveCommand } from "./_env.ts";

/** The environment variables the kit exports its CA file in (unless `exportCaEnv` is false). */
export const CA_ENV_VARS: readonly string[] = CA_ENV;
import { type Spawned, spawnInGroup } from "./_process_group.ts";
import { Session } from "./_session.ts";

/** Options of {@link startDriver}. */
export interface DriverHostOptions {
  /** the driver's argv; a relative program path or a relative path argument that exists is made absolute */
  command: string[];
  /** extra environment variables (over the minimal environment and the CA variables) */
  env?: Record<string, string>;
  /**
   * the run's CA (PEM): written to a file in the driver's temporary directory (`session.caFile`)
   * and, unless `exportCaEnv` is false, exported in SSL_CERT_FILE, NODE_EXTRA_CA_CERTS,
   * REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE and DENO_CERT, for SDKs that take no CA parameter.
   * Absent: no file, nothing exported.
   */
  caCertPem?: string;
  /**
   * export the CA file in the standard variables (a check that must prove `ca_cert_pem` alone is
   * honoured turns this off)
   * @default true
   */
  exportCaEnv?: boolean;
  /** every canary the kit knows now: used to mask details and to scan output as it arrives */
  canaries: () => string[];
  /**
   * bound for a call whose `timeoutMs` is not a positive finite number
   * @default 30000
   */
  callTimeoutMs?: number;
  /**
   * bound for the `hello` exchange
   * @default 10000
   */
  helloTimeoutMs?: number;
  /**
   * SDK output kept (the newest); more is counted and dropped. Measured in UTF-16 code units (bytes for ASCII).
   * @default 1048576
   */
  maxOutputBytes?: number;
  /**
   * grace for `shutdown`'s reply, then for the exit after stdin is closed, then for the process
   * group after SIGTERM, before SIGKILL
   * @default 1000
   */
  closeGraceMs?: number;
}

/** What {@link startDriver} returns: a live session after `hello`, or why there is none. */
export type StartDriverResult = { ok: true; session: DriverSession } | { ok: false; detail: string };

/** Sessions not yet ended, and temporary directories not yet owned by a session. */
const live = new Set<Session>();
const startingDirs = new Set<string>();
let stopping = false;

let unloadHook = false;

/** Whatever way the process exits (even a `Deno.exit` elsewhere), no driver and no folder outlives it. */
function hookUnload(): void {
  if (unloadHook) return;
  unloadHook = true;
  globalThis.addEventListener("unload", () => {
    for (const s of live) s.killNow();
    for (const d of startingDirs) {
      try {
        Deno.removeSync(d, { recursive: true });
      } catch {
        // already gone
      }
    }
  });
}

/**
 * End every driver session this process still has (SIGTERM to each process group, SIGKILL after
 * a short grace; no `shutdown` op) and remove their temporary directories. After it, `startDriver`
 * refuses to start more: call it when the kit is being stopped (SIGINT, SIGTERM).
 *
 * @param timeoutMs how long to wait for the sessions to end before removing what is left
 * @returns the number of sessions that were live
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { closeAll } from "./host.ts";
 * assert.equal(typeof closeAll, "function"); // ending every session also stops new ones: not run here
 * ```
 */
export async function closeAll(timeoutMs: number = 3000): Promise<number> {
  stopping = true;
  const sessions = [...live];
  await deadline(Promise.all(sessions.map((s) => s.terminate().catch(() => {}))), timeoutMs);
  const dirs = [...startingDirs];
  await Promise.all(dirs.map((d) => Deno.remove(d, { recursive: true }).catch(() => {})));
  return sessions.length;
}

/**
 * Start a driver in fresh temporary directories (cwd, HOME, TMPDIR under one
 * temporary directory), in its own process group (through `setsid` where there is one), with a
 * minimal environment and the run's CA exported (see `caCertPem`), and exchange `hello`.
 *
 * @param opts the command, environment, canaries and bounds
 * @returns the live session, or why the driver could not be started
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const r = await startDriver({ command: ["/nonexistent/driver"], canaries: () => [] });
 * assert.equal(r.ok, false);
 * ```
 */
export async function startDriver(opts: DriverHostOptions): Promise<StartDriverResult> {
  if (opts.command.length === 0 || opts.command[0] === "") {
    return { ok: false, detail: "empty driver command" };
  }
  if (stopping) return { ok: false, detail: "the kit is stopping: no driver is started" };
  const mask = (s: string) => maskCanaries(s, opts.canaries());
  hookUnload();
  const base = await Deno.makeTempDir({ prefix: "ron-driver-" });
  startingDirs.add(base);
  const dirs = { cwd: `${base}/cwd`, home: `${base}/home`, tmp: `${base}/tmp` };
  let spawned: Spawned;
  let caFile: string | undefined;
  const [program, args] = resolveCommand(opts.command);
  try {
    for (const d of Object.values(dirs)) await Deno.mkdir(d);
    if (opts.caCertPem !== undefined) {
      caFile = `${base}/ca.pem`;
      await Deno.writeTextFile(caFile, opts.caCertPem);
    }
    const env = driverEnv(dirs, opts.exportCaEnv === false ? undefined : caFile, opts.env ?? {});
    if (stopping) throw new Error("the kit is stopping");
    spawned = spawnInGroup(program, {
      args,
      cwd: dirs.cwd,
      env,
      clearEnv: true,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    });
  } catch (e) {
    await Deno.remove(base, { recursive: true }).catch(() => {});
    startingDirs.delete(base);
    return { ok: false, detail: mask(`cannot start driver ${JSON.stringify(program)}: ${errorMessage(e)}`) };
  }
  const session: Session = new Session({
    child: spawned.child,
    pgid: spawned.pgid,
    base,
    dirs,
    caFile,
    canaries: opts.canaries,
    callTimeoutMs: opts.callTimeoutMs ?? 30_000,
    maxOutputBytes: opts.maxOutputBytes ?? 1024 * 1024,
    closeGraceMs: opts.closeGraceMs ?? 1000,
    onClosed: () => live.delete(session),
  });
  live.add(session);
  startingDirs.delete(base);
  const helloMs = opts.helloTimeoutMs ?? 10_000;
  const r = await session.call("hello", { protocol: PROTOCOL_VERSION }, helloMs);
  let detail: string;
  switch (r.kind) {
    case "ok":
      session.helloResult = r.result;
      return { ok: true, session };
    case "sdk_error":
      detail = `hello failed: ${r.error.type}${r.error.message ? `: ${r.error.message}` : ""}`;
      break;
    case "no_reply":
      detail = `no reply to hello within ${helloMs} ms; stderr tail: ${JSON.stringify(session.stderrTail())}`;
      break;
    case "driver_fault":
      detail = r.detail;
      break;
    default: {
      const _x: never = r;
      detail = String(_x);
    }
  }
  await session.close();
  return { ok: false, detail: maskCanaries(detail, opts.canaries()) };
}
