/**
 * What a plugin left in its fresh directory: Unix sockets, and files holding a private key (PEM
 * `PRIVATE KEY` blocks), walked bounded (depth, entries, bytes per file). Internal to the rpc
 * profile.
 *
 * @module
 */

/** The most entries walked, and bytes read per file. */
const MAX_ENTRIES = 2000;
const MAX_FILE_BYTES = 1024 * 1024;
const MAX_DEPTH = 8;

/** A PEM private key block of any kind (PKCS#8, encrypted PKCS#8, EC, RSA, OpenSSH). */
export const PRIVATE_KEY_PEM = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/;

/** What the walk found. */
export interface ScanResult {
  /** paths of Unix sockets */
  sockets: string[];
  /** paths of files holding a PEM private key */
  keyFiles: string[];
  /** entries walked */
  entries: number;
  /** the walk stopped at a bound */
  truncated: boolean;
}

/**
 * Walk a directory tree (symlinks not followed), bounded.
 *
 * @param root the directory
 * @returns the sockets and key files under it
 */
export async function scanTree(root: string): Promise<ScanResult> {
  const out: ScanResult = { sockets: [], keyFiles: [], entries: 0, truncated: false };
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH) {
      out.truncated = true;
      return;
    }
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(dir));
    } catch {
      return;
    }
    for (const e of entries) {
      if (++out.entries > MAX_ENTRIES) {
        out.truncated = true;
        return;
      }
      const path = `${dir}/${e.name}`;
      if (e.isDirectory) await walk(path, depth + 1);
      else if (e.isFile) {
        if (await holdsKey(path)) out.keyFiles.push(path);
      } else if (!e.isSymlink) {
        const st = await Deno.lstat(path).catch(() => undefined);
        if (st?.isSocket) out.sockets.push(path);
      }
    }
  };
  await walk(root, 0);
  return out;
}

async function holdsKey(path: string): Promise<boolean> {
  let f: Deno.FsFile | undefined;
  try {
    f = await Deno.open(path, { read: true });
    const buf = new Uint8Array(MAX_FILE_BYTES);
    let n = 0;
    while (n < buf.length) {
      const r = await f.read(buf.subarray(n));
      if (r === null) break;
      n += r;
    }
    return PRIVATE_KEY_PEM.test(new TextDecoder("latin1").decode(buf.subarray(0, n)));
  } catch {
    return false;
  } finally {
    f?.close();
  }
}
