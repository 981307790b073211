/**
 * `rpc.bind.loopback`: every TCP listener the plugin's processes hold is bound to loopback, judged
 * from `/proc` (the sockets in their fds), not from the address the handshake advertises (seed 004
 * § TCP Security).
 *
 * @module
 */
import { verdict } from "../../src/engine/types.ts";
import { type RpcCheck, rpcCheck, sharedReady } from "./_context.ts";
import { listeningSockets, pluginPids } from "./_proc.ts";

const loopback: RpcCheck = rpcCheck({
  id: "rpc.bind.loopback",
  title:
    "Every TCP socket the plugin's processes listen on is bound to a loopback address (read from /proc, not the handshake)",
  level: "MUST",
  source: "004 § TCP Security",
  rationale:
    "A plugin is for its host on the same machine: a listener on 0.0.0.0 serves the network, whatever address the handshake advertises (pyvider-rpcplugin 0.5.5 falls back to 0.0.0.0 when its host setting is empty; with its defaults it binds 127.0.0.1, measured).",
  requires: ["plugin"],
  mutants: ["bind-all"],
  async run(ctx) {
    const r = await sharedReady(ctx);
    if ("verdict" in r) return r.verdict;
    let pids = await pluginPids(r.run.pid, r.run.pgid);
    let held = await listeningSockets(pids);
    if (held?.length === 0 && r.hs.endpoint!.network === "tcp") {
      // read once more before "cannot judge": a loaded machine's /proc read can come back short
      await new Promise((ok) => setTimeout(ok, 200));
      pids = await pluginPids(r.run.pid, r.run.pgid);
      held = await listeningSockets(pids);
    }
    if (held === undefined) return verdict.notApplicable("needs Linux's /proc to see the plugin's sockets");
    const notes = [
      `advertised ${r.hs.endpoint!.network} ${r.hs.endpoint!.address}; processes ${pids.join(", ")}`,
      held.length === 0
        ? "no TCP listener"
        : `TCP listeners: ${held.map((l) => `${l.address} (pid ${l.pid})`).join(", ")}`,
    ];
    const open = held.filter((l) => !l.loopback);
    if (open.length > 0) {
      return verdict.fail(
        `the plugin listens on ${open.map((l) => l.address).join(", ")}, not loopback only (advertised ${
          r.hs.endpoint!.address
        })`,
        { notes },
      );
    }
    const ep = r.hs.endpoint!;
    if (ep.network === "unix" && !(await Deno.lstat(ep.address).then((st) => st.isSocket, () => false))) {
      return verdict.error(`cannot judge: the advertised socket ${ep.address} is not there`, { notes });
    }
    if (ep.network === "tcp" && held.length === 0) {
      return verdict.error(
        `cannot judge: the plugin advertises TCP but /proc shows no listener of its processes (${
          pids.length === 0 ? `none found for pid ${r.run.pid}` : pids.join(", ")
        })`,
        {
          notes,
        },
      );
    }
    return verdict.pass({ notes });
  },
});

/** The bind check. */
export const checks: readonly RpcCheck[] = [loopback];
