/**
 * `rpc.socket.*`: the plugin's Unix socket is not group- or world-writable (0660 only when a group
 * is configured), and sits in a directory others cannot write (seed 004 § Unix Socket Security).
 *
 * @module
 */
import { verdict } from "../../src/engine/types.ts";
import { type RpcCheck, rpcCheck, sharedReady } from "./_context.ts";

const SOURCE = "004 § Unix Socket Security";

function octal(mode: number): string {
  return `0${(mode & 0o7777).toString(8)}`;
}

const perms: RpcCheck = rpcCheck({
  id: "rpc.socket.perms",
  title:
    "The plugin's Unix socket is owned by its user and not group- or world-writable (0660 only with PLUGIN_UNIX_SOCKET_GROUP)",
  level: "MUST",
  source: SOURCE,
  rationale:
    "Connecting to a Unix socket needs write permission on it: a world-writable socket lets every local user reach the plugin.",
  requires: ["plugin"],
  mutants: ["socket-0777"],
  async run(ctx) {
    const r = await sharedReady(ctx);
    if ("verdict" in r) return r.verdict;
    const ep = r.hs.endpoint!;
    if (ep.network !== "unix") return verdict.notApplicable(`the plugin serves on TCP (${ep.address})`);
    const st = await Deno.lstat(ep.address).catch(() => undefined);
    if (st === undefined) return verdict.fail(`the advertised socket ${ep.address} does not exist`);
    if (!st.isSocket) return verdict.fail(`the advertised path ${ep.address} is not a socket`);
    const mode = st.mode ?? 0;
    const notes = [`${ep.address}: mode ${octal(mode)}, uid ${st.uid}, gid ${st.gid}`];
    if (st.uid !== Deno.uid()) {
      return verdict.fail(`the socket is owned by uid ${st.uid}, not the plugin's user`, { notes });
    }
    if (mode & 0o002) return verdict.fail(`the socket is world-writable (mode ${octal(mode)})`, { notes });
    if ((mode & 0o020) && ctx.target.unixSocketGroup === undefined) {
      return verdict.fail(`the socket is group-writable (mode ${octal(mode)}) and no group was configured`, {
        notes,
      });
    }
    return verdict.pass({ notes });
  },
});

const dir: RpcCheck = rpcCheck({
  id: "rpc.socket.dir",
  title: "The plugin's Unix socket is in a directory owned by its user (or root) that others cannot write",
  level: "MUST",
  source: SOURCE,
  rationale:
    "Whoever can write the socket's directory can replace the socket with their own before the host connects, and read what the host sends.",
  requires: ["plugin"],
  mutants: ["socket-dir-shared"],
  async run(ctx) {
    const r = await sharedReady(ctx);
    if ("verdict" in r) return r.verdict;
    const ep = r.hs.endpoint!;
    if (ep.network !== "unix") return verdict.notApplicable(`the plugin serves on TCP (${ep.address})`);
    if (!(await Deno.lstat(ep.address).then((st) => st.isSocket, () => false))) {
      return verdict.error(`cannot judge: the advertised socket ${ep.address} is not there`);
    }
    const parent = ep.address.slice(0, ep.address.lastIndexOf("/")) || "/";
    const st = await Deno.lstat(parent).catch(() => undefined);
    if (st === undefined || !st.isDirectory) return verdict.error(`cannot judge: cannot stat ${parent}`);
    const mode = st.mode ?? 0;
    const sticky = (mode & 0o1000) !== 0 ? " (sticky)" : "";
    const notes = [
      `${parent}: mode ${octal(mode)}${sticky}, uid ${st.uid}; the host gave the plugin an owner-only TMPDIR${
        ctx.target.unixSocketDir ? " and PLUGIN_UNIX_SOCKET_DIR" : ""
      }`,
    ];
    if (st.uid !== Deno.uid() && st.uid !== 0) {
      return verdict.fail(`the socket's directory ${parent} is owned by uid ${st.uid}`, { notes });
    }
    if (mode & 0o002) {
      return verdict.fail(
        `the socket's directory ${parent} is world-writable (mode ${octal(mode)}${sticky})`,
        { notes },
      );
    }
    if ((mode & 0o020) && ctx.target.unixSocketGroup === undefined) {
      return verdict.fail(`the socket's directory ${parent} is group-writable (mode ${octal(mode)})`, {
        notes,
      });
    }
    return verdict.pass({ notes });
  },
});

/** The Unix socket checks. */
export const checks: readonly RpcCheck[] = [perms, dir];
