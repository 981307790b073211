/**
 * The kit's cache of helper programs it builds on demand (`toxiproxy-server` for the chaos suite,
 * `tools/pq_server` for `sdk.tls.pq-hybrid`, the rpc reference plugin): the cache folder
 * (`~/.cache/ron-kit/bin`; the bounded runner of their builds is `src/driver/tool_run.ts`), and an install that is safe under concurrency: each build gets its own
 * temp folder inside the cache, the result goes in with one atomic link (or rename), and a lost
 * race is no failure (whoever moved a valid program in first wins and everyone uses that one).
 *
 * @module
 */
import { errorMessage } from "./error_message.ts";

/**
 * The kit's folder of built helper programs: `$XDG_CACHE_HOME/ron-kit/bin`, else `~/.cache/ron-kit/bin`.
 *
 * @returns the folder (it may not exist yet)
 * @example
 * ```ts
 * import { defaultBinDir } from "./tool_cache.ts";
 * if (!defaultBinDir().endsWith("/ron-kit/bin")) throw new Error(defaultBinDir());
 * ```
 */
export function defaultBinDir(): string {
  const cache = Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME") ?? "."}/.cache`;
  return `${cache}/ron-kit/bin`;
}

/**
 * A short hash of a program's source files (the cached binary's name and its `-version` stamp), or
 * undefined when the source is not on disk (the kit imported from a URL) or a file cannot be read.
 *
 * @param source the source folder (a `file:` URL ending in `/`)
 * @param files the files that make the program, in a fixed order
 * @returns 12 hex digits, or undefined
 * @example
 * ```ts
 * import { sourceHash } from "./tool_cache.ts";
 * const h = await sourceHash(new URL("./", import.meta.url), ["tool_cache.ts"]);
 * if (!/^[0-9a-f]{12}$/.test(h ?? "")) throw new Error(String(h));
 * if (await sourceHash(new URL("https://example.invalid/x/"), ["a"]) !== undefined) throw new Error();
 * ```
 */
export async function sourceHash(source: URL, files: readonly string[]): Promise<string | undefined> {
  if (source.protocol !== "file:") return undefined;
  try {
    const parts = await Promise.all(files.map((f) => Deno.readFile(new URL(f, source))));
    const all = new Uint8Array(parts.reduce((n, p) => n + p.length + 1, 0));
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length + 1;
    }
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
    return [...digest.slice(0, 6)].map((b) => b.toString(16).padStart(2, "0")).join("");
  } catch {
    return undefined;
  }
}

/** How {@link installIntoCache} builds and recognises one program. */
export interface CacheInstall {
  /** the cache folder */
  binDir: string;
  /** the program's file name in `binDir` */
  name: string;
  /** the bound on `build`, also the age after which a leftover temp folder is swept */
  timeoutMs: number;
  /**
   * Build the program inside `tmpDir` (a fresh folder no one else uses).
   *
   * @returns the built file's path, or why the build failed
   */
  build(tmpDir: string): Promise<{ ok: true; path: string } | { ok: false; reason: string }>;
  /**
   * Is the file at `path` the program (a finished, working build)?
   *
   * @returns true when it is
   */
  isValid(path: string): Promise<boolean>;
}

/** The outcome of {@link installIntoCache}: the program's path and how it got there, or why not. */
export type Installed =
  | { ok: true; path: string; how: "built" | "installed concurrently" }
  | { ok: false; reason: string };

/**
 * Build a program into the cache, safely under concurrency (processes and calls alike): a fresh
 * temp folder inside `binDir` per build, an atomic move into place, the temp folder removed
 * whatever happens, and stale temp folders of killed builds swept.
 *
 * @param spec what to build and how to recognise it
 * @returns the installed program, or the reason (the build's own error, cut to 300 characters)
 * @example
 * ```ts
 * import { installIntoCache } from "./tool_cache.ts";
 * const binDir = await Deno.makeTempDir();
 * const r = await installIntoCache({
 *   binDir, name: "hello", timeoutMs: 5_000,
 *   build: async (tmp) => {
 *     await Deno.writeTextFile(`${tmp}/hello`, "#!/bin/sh\necho hello\n");
 *     return { ok: true, path: `${tmp}/hello` };
 *   },
 *   isValid: (p) => Deno.stat(p).then((s) => s.isFile, () => false),
 * });
 * if (!r.ok || r.path !== `${binDir}/hello`) throw new Error(JSON.stringify(r));
 * await Deno.remove(binDir, { recursive: true });
 * ```
 */
export async function installIntoCache(spec: CacheInstall): Promise<Installed> {
  const target = `${spec.binDir}/${spec.name}`;
  const lost: Installed = { ok: true, path: target, how: "installed concurrently" };
  let tmp: string | undefined;
  try {
    await Deno.mkdir(spec.binDir, { recursive: true });
    await sweepStale(spec.binDir, Math.max(2 * spec.timeoutMs, 3_600_000));
    tmp = await Deno.makeTempDir({ dir: spec.binDir, prefix: ".install-" });
    const built = await spec.build(tmp);
    if (!built.ok) {
      if (await spec.isValid(target)) return lost;
      return built;
    }
    await Deno.chmod(built.path, 0o755);
    return (await moveIn(built.path, target, spec.isValid)) ? { ok: true, path: target, how: "built" } : lost;
  } catch (e) {
    if (await spec.isValid(target)) return lost;
    return { ok: false, reason: `installing ${spec.name} failed: ${errorMessage(e)}` };
  } finally {
    if (tmp !== undefined) await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

/**
 * Put `built` at `target` atomically: a hard link (fails if `target` exists, so a program another
 * process moved in first is kept), else a rename. Replaces a `target` that is not a valid program.
 *
 * @returns true when `built` went in, false when a valid program was already there
 */
async function moveIn(
  built: string,
  target: string,
  isValid: (p: string) => Promise<boolean>,
): Promise<boolean> {
  try {
    await Deno.link(built, target);
    return true;
  } catch (e) {
    if (!(e instanceof Deno.errors.AlreadyExists)) {
      // no hard links on this filesystem: rename is atomic too (it replaces an identical program at worst)
      await Deno.rename(built, target);
      return true;
    }
  }
  if (await isValid(target)) return false;
  await Deno.rename(built, target); // something that is not the program is in the way
  return true;
}

/** Remove `.install-*` folders left by killed processes (older than any install can take). */
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
