/**
 * Finding `toxiproxy-server` for the chaos suite, and installing it with `go install` when it is
 * nowhere to be found. Internal to `chaos/` (see `toxiproxy.ts`).
 *
 * @module
 */
import { defaultBinDir, installIntoCache } from "../src/util/tool_cache.ts";
import { run } from "../src/driver/tool_run.ts";

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

export { run, type RunResult } from "../src/driver/tool_run.ts";

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
 * `go install` the server into the kit's bin dir through {@link installIntoCache} (a fresh temp
 * folder as its own GOBIN, so concurrent installs, even from one process, never share a folder,
 * then one atomic move in as `toxiproxy-server`).
 */
async function goInstall(go: string, binDir: string, timeoutMs: number): Promise<Located> {
  const r = await installIntoCache({
    binDir,
    name: "toxiproxy-server",
    timeoutMs,
    isValid: isToxiproxy,
    build: async (tmp) => {
      const out = await run(go, ["install", `${TOXIPROXY_GO_PACKAGE}@${TOXIPROXY_VERSION}`], timeoutMs, {
        env: { GOBIN: tmp },
      });
      if (!out.ok) return { ok: false, reason: `go install failed (${out.stderr.trim().slice(-300)})` };
      return { ok: true, path: `${tmp}/server` };
    },
  });
  if (!r.ok) return { ok: false, reason: `${r.reason}; ${INSTALL_HINT}` };
  return r.how === "built"
    ? { ok: true, path: r.path, how: `go install ${TOXIPROXY_VERSION}` }
    : { ok: true, path: r.path, how: "kit bin dir (installed concurrently)" };
}
