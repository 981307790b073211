/**
 * Finding `toxiproxy-server` for the chaos suite, and installing it with `go install` when it is
 * nowhere to be found. Internal to `chaos/` (see `toxiproxy.ts`).
 *
 * @module
 */
import { errorMessage } from "../src/util/error_message.ts";

/** The Toxiproxy release the kit pins (the one CI installs). */
export const TOXIPROXY_VERSION = "v2.12.0";
/** The `go install` package path of the server. */
export const TOXIPROXY_GO_PACKAGE = "github.com/Shopify/toxiproxy/v2/cmd/server";
/** How to install the server, as shown when it cannot be found. */
export const INSTALL_HINT = `toxiproxy-server not found: install Go (https://go.dev/dl/) and run ` +
  `\`go install ${TOXIPROXY_GO_PACKAGE}@${TOXIPROXY_VERSION}\` then copy "$(go env GOPATH)/bin/server" ` +
  `to a directory on PATH as "toxiproxy-server" (or set TOXIPROXY_URL to a running server)`;

/** Where to look for the server, and how to install it. */
export interface LocateOptions {
  /** the PATH to search for `toxiproxy-server` @default Deno.env PATH */
  searchPath?: string;
  /** the `go` binary, or `null` to act as if Go is missing @default "go" */
  go?: string | null;
  /** where a `go install`ed server is kept @default ~/.cache/ron-kit/bin */
  binDir?: string;
  /** bound on `go install` @default 300000 */
  installTimeoutMs?: number;
}

/** How the server was found. */
export type Located =
  | { ok: true; path: string; how: string }
  | { ok: false; reason: string };

/** The outcome of {@link run}. */
export interface RunResult {
  ok: boolean;
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run a command with a time bound; never throws.
 *
 * @param cmd the program
 * @param args its arguments
 * @param timeoutMs the bound; the process is killed after it
 * @param env extra environment variables
 * @returns exit status and output (`code: -1` when it could not run or ran out of time)
 * @example
 * ```ts
 * import { run } from "./_locate.ts";
 * const r = await run("/nonexistent/program", [], 1_000);
 * if (r.ok || r.code !== -1) throw new Error("expected a failure");
 * ```
 */
export async function run(
  cmd: string,
  args: string[],
  timeoutMs: number,
  env?: Record<string, string>,
): Promise<RunResult> {
  try {
    const out = await new Deno.Command(cmd, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(timeoutMs),
      ...(env ? { env } : {}),
    }).output();
    const dec = new TextDecoder();
    return {
      ok: out.success,
      code: out.code,
      stdout: dec.decode(out.stdout),
      stderr: dec.decode(out.stderr),
    };
  } catch (e) {
    return { ok: false, code: -1, stdout: "", stderr: errorMessage(e) };
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/** Is `path` a Toxiproxy server? (`-version` prints "toxiproxy-server version …") */
async function isToxiproxy(path: string): Promise<boolean> {
  if (!(await isFile(path))) return false;
  const r = await run(path, ["-version"], 10_000);
  return r.ok && /toxiproxy-server version/.test(r.stdout + r.stderr);
}

function defaultBinDir(): string {
  const cache = Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME") ?? "."}/.cache`;
  return `${cache}/ron-kit/bin`;
}

/**
 * Find `toxiproxy-server`: PATH, the kit's bin dir, `$(go env GOPATH)/bin`; else `go install` it
 * into the kit's bin dir (bounded); else say how to install it.
 *
 * @param opts where to look and how to install
 * @returns the server's path and how it was found, or the reason with {@link INSTALL_HINT}
 * @example
 * ```ts
 * import { INSTALL_HINT, locateToxiproxy } from "./_locate.ts";
 * const r = await locateToxiproxy({ searchPath: "/nonexistent", go: null, binDir: "/nonexistent" });
 * if (r.ok || r.reason !== INSTALL_HINT) throw new Error("expected the install hint");
 * ```
 */
export async function locateToxiproxy(opts: LocateOptions): Promise<Located> {
  const searchPath = opts.searchPath ?? Deno.env.get("PATH") ?? "";
  for (const dir of searchPath.split(":").filter((d) => d.length > 0)) {
    const p = `${dir}/toxiproxy-server`;
    if (await isToxiproxy(p)) return { ok: true, path: p, how: "PATH" };
  }
  const binDir = opts.binDir ?? defaultBinDir();
  const kitBin = `${binDir}/toxiproxy-server`;
  if (await isToxiproxy(kitBin)) return { ok: true, path: kitBin, how: "kit bin dir" };
  const go = opts.go === undefined ? "go" : opts.go;
  if (go === null) return { ok: false, reason: INSTALL_HINT };
  const gopath = await run(go, ["env", "GOPATH"], 20_000);
  if (!gopath.ok) return { ok: false, reason: INSTALL_HINT };
  const gobin = gopath.stdout.trim().split(":")[0] + "/bin";
  for (const name of ["toxiproxy-server", "server"]) {
    if (await isToxiproxy(`${gobin}/${name}`)) {
      return { ok: true, path: `${gobin}/${name}`, how: "GOPATH/bin" };
    }
  }
  return await goInstall(go, binDir, opts.installTimeoutMs ?? 300_000);
}

/**
 * `go install` the server into a fresh temp dir inside `binDir` (its own GOBIN, so concurrent
 * installs, even from one process, never share a folder), then move it in as `toxiproxy-server`.
 * A lost race is no failure: whoever moved a server in first wins and everyone uses that one.
 * The temp dir is removed whatever happens.
 */
async function goInstall(go: string, binDir: string, timeoutMs: number): Promise<Located> {
  const kitBin = `${binDir}/toxiproxy-server`;
  const won: Located = { ok: true, path: kitBin, how: `go install ${TOXIPROXY_VERSION}` };
  const lost: Located = { ok: true, path: kitBin, how: "kit bin dir (installed concurrently)" };
  let tmp: string | undefined;
  try {
    await Deno.mkdir(binDir, { recursive: true });
    await sweepStale(binDir, Math.max(2 * timeoutMs, 3_600_000));
    tmp = await Deno.makeTempDir({ dir: binDir, prefix: ".install-" });
    const r = await run(go, ["install", `${TOXIPROXY_GO_PACKAGE}@${TOXIPROXY_VERSION}`], timeoutMs, {
      GOBIN: tmp,
    });
    if (!r.ok) {
      if (await isToxiproxy(kitBin)) return lost;
      return { ok: false, reason: `go install failed (${r.stderr.trim().slice(-300)}); ${INSTALL_HINT}` };
    }
    const built = `${tmp}/server`;
    await Deno.chmod(built, 0o755);
    return (await moveIn(built, kitBin)) ? won : lost;
  } catch (e) {
    if (await isToxiproxy(kitBin)) return lost;
    return { ok: false, reason: `installing toxiproxy-server failed: ${errorMessage(e)}; ${INSTALL_HINT}` };
  } finally {
    if (tmp !== undefined) await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

/**
 * Put `built` at `target` atomically: a hard link (fails if `target` exists, so a server another
 * process moved in first is kept), else a rename. Replaces a `target` that is not a server.
 *
 * @returns true when `built` went in, false when a server was already there
 */
async function moveIn(built: string, target: string): Promise<boolean> {
  try {
    await Deno.link(built, target);
    return true;
  } catch (e) {
    if (!(e instanceof Deno.errors.AlreadyExists)) {
      // no hard links on this filesystem: rename is atomic too (it replaces an identical binary at worst)
      await Deno.rename(built, target);
      return true;
    }
  }
  if (await isToxiproxy(target)) return false;
  await Deno.rename(built, target); // something that is not a server is in the way
  return true;
}

/** Remove `.install-*` dirs left by killed processes (older than any install can take). */
async function sweepStale(binDir: string, olderThanMs: number): Promise<void> {
  try {
    for await (const e of Deno.readDir(binDir)) {
      if (!e.isDirectory || !e.name.startsWith(".install-")) continue;
      const path = `${binDir}/${e.name}`;
      const mtime = (await Deno.stat(path)).mtime?.getTime() ?? Date.now();
      if (Date.now() - mtime > olderThanMs) await Deno.remove(path, { recursive: true }).catch(() => {});
    }
  } catch {
    // a sweep is best effort
  }
}
