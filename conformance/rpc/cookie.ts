/**
 * `rpc.cookie.*`: the plugin refuses to start without its host's magic cookie, or with a wrong one,
 * and never prints the expected value (seed 004 § Magic Cookie Authentication).
 *
 * @module
 */
import { type Verdict, verdict } from "../../src/engine/types.ts";
import { handshakeOf, type RpcCheck, rpcCheck, type RpcContext } from "./_context.ts";
import { type CookieMode, describeHandshake, type PluginRun, shown } from "./_host.ts";
import { listeningSockets, pluginPids } from "./_proc.ts";
import { scanTree } from "./_scan.ts";

const SOURCE = "004 § Magic Cookie Authentication";

async function refusal(ctx: RpcContext, mode: CookieMode): Promise<Verdict> {
  const run = await ctx.start({ cookie: mode });
  const what = mode === "missing"
    ? `without ${ctx.target.cookieKey}`
    : `with a wrong ${ctx.target.cookieKey}`;
  const h = run.handshake;
  const evidence = { notes: [`started ${what}: ${describeHandshake(h, run)}`] };
  switch (h.kind) {
    case "spawn-error":
      return verdict.error(`cannot judge: ${h.message}`);
    case "line":
      return verdict.fail(`started ${what}: it printed a handshake line ${shown(h.line)}`, evidence);
    case "overlong":
      return verdict.error(`cannot judge: started ${what}, it flooded stdout without a line`, evidence);
    case "timeout": {
      const held = await listeningSockets(await pluginPids(run.pid, run.pgid)) ?? [];
      const socks = (await scanTree(run.root)).sockets;
      if (held.length > 0 || socks.length > 0) {
        const where = [...held.map((l) => `TCP ${l.address}`), ...socks.map((s) => `socket ${s}`)].join(", ");
        return verdict.fail(`started ${what}: it did not exit and it listens (${where})`, evidence);
      }
      return verdict.error(
        `cannot judge: started ${what}, it neither exited nor printed a handshake within ${h.ms} ms`,
        evidence,
      );
    }
    case "exited": {
      const socks = (await scanTree(run.root)).sockets;
      if (h.code === 0) return verdict.fail(`started ${what}: it exited 0, not with an error`, evidence);
      if (socks.length > 0) {
        return verdict.fail(
          `started ${what}: it exited ${h.code} but left a socket (${socks.join(", ")})`,
          evidence,
        );
      }
      return verdict.pass(evidence);
    }
    default: {
      const never: never = h;
      return verdict.error(`unexpected handshake read ${String(never)}`);
    }
  }
}

const required: RpcCheck = rpcCheck({
  id: "rpc.cookie.required",
  title:
    "Started without its host's magic cookie, the plugin exits non-zero, prints no handshake and opens no socket",
  level: "MUST",
  source: SOURCE,
  rationale:
    "The cookie is how a plugin knows its host started it; a plugin that serves without one can be started by anything, and serves whoever finds its socket.",
  requires: ["plugin"],
  mutants: ["no-cookie-check"],
  run: (ctx) => refusal(ctx, "missing"),
});

const wrong: RpcCheck = rpcCheck({
  id: "rpc.cookie.wrong",
  title:
    "Started with a wrong magic cookie (same length, last character changed), the plugin exits non-zero, prints no handshake and opens no socket",
  level: "MUST",
  source: SOURCE,
  rationale: "A cookie check that only tests presence accepts any value: the cookie must be compared.",
  requires: ["plugin"],
  mutants: ["no-cookie-check"],
  run: (ctx) => refusal(ctx, "wrong"),
});

function leaks(run: PluginRun, value: string): string | undefined {
  const o = run.output();
  if (o.stdout.includes(value)) return "stdout";
  if (o.stderr.includes(value)) return "stderr";
  return undefined;
}

const notPrinted: RpcCheck = rpcCheck({
  id: "rpc.cookie.not-printed",
  title: "The plugin never prints the expected cookie value (refusing a missing or wrong cookie, or serving)",
  level: "MUST",
  source: SOURCE,
  rationale:
    "A refusal that prints the expected value hands the secret to whoever can start the plugin and read its output (pyvider-rpcplugin 0.5.5 does).",
  requires: ["plugin"],
  mutants: ["cookie-echoed"],
  async run(ctx) {
    const value = ctx.target.cookieValue;
    const notes: string[] = [];
    for (const mode of ["missing", "wrong", "right"] as const) {
      const run = await ctx.start({ cookie: mode });
      if (run.handshake.kind === "spawn-error") {
        return verdict.error(`cannot judge: ${run.handshake.message}`);
      }
      if (run.handshake.kind === "line") await new Promise((r) => setTimeout(r, 200)); // let it log
      else await Promise.race([run.exited, new Promise((r) => setTimeout(r, 200))]);
      const serving = mode === "right" ? handshakeOf(run) : undefined;
      if (serving !== undefined && "verdict" in serving) {
        return verdict.error(
          `cannot judge the serving plugin's output: ${describeHandshake(run.handshake, run)}`,
          {
            notes,
          },
        );
      }
      const where = leaks(run, value);
      notes.push(
        `cookie ${mode}: ${describeHandshake(run.handshake)}; ${run.output().stderr.length} bytes on stderr`,
      );
      if (where !== undefined) {
        return verdict.fail(
          `with the cookie ${mode}, the plugin printed the expected cookie value on ${where}`,
          { notes },
        );
      }
    }
    return verdict.pass({ notes });
  },
});

/** The cookie checks. */
export const checks: readonly RpcCheck[] = [required, wrong, notPrinted];
