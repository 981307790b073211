/**
 * `rpc.shutdown.graceful`: asked over GRPCController.Shutdown (go-plugin's host does this when it
 * closes a plugin), the plugin exits within 5 s and removes its socket.
 *
 * @module
 */
import { verdict } from "../../src/engine/types.ts";
import { deadline } from "../../src/util/deadline.ts";
import { handshakeOf, type RpcCheck, rpcCheck } from "./_context.ts";
import { describeCall, grpcCall } from "./_grpc.ts";

/** How long the plugin has to exit after Shutdown. */
export const SHUTDOWN_MS = 5000;

const graceful: RpcCheck = rpcCheck({
  id: "rpc.shutdown.graceful",
  title: "Asked over plugin.GRPCController/Shutdown, the plugin exits within 5 s and removes its Unix socket",
  level: "MUST",
  source: "004 § Operational Security",
  rationale:
    "A plugin that outlives its host keeps serving on a socket nobody watches; one that leaves its socket behind leaves a path another process can take over.",
  requires: ["plugin", "grpc"],
  mutants: ["slow-shutdown", "socket-left"],
  async run(ctx) {
    const r = handshakeOf(await ctx.start());
    if ("verdict" in r) return r.verdict;
    const ep = r.hs.endpoint!;
    const t0 = performance.now();
    const call = await grpcCall(ep, {
      identity: ctx.host,
      path: "/plugin.GRPCController/Shutdown",
      body: new Uint8Array(),
      timeoutMs: SHUTDOWN_MS,
    });
    const notes = [`Shutdown: ${describeCall(call)}`];
    if (call.kind === "refused" && call.stage === "connect") {
      return verdict.error(`cannot judge: could not connect to ask for shutdown (${call.message})`, {
        notes,
      });
    }
    if (call.kind === "answer" && call.grpcStatus !== 0 && call.grpcStatus !== undefined) {
      notes.push(`the plugin answered Shutdown with gRPC status ${call.grpcStatus}`);
    }
    const left = Math.max(0, SHUTDOWN_MS - (performance.now() - t0));
    const exited = await deadline(r.run.exited, left);
    const ms = Math.round(performance.now() - t0);
    if (!exited.ok) {
      return verdict.fail(
        `the plugin was still running ${SHUTDOWN_MS} ms after Shutdown (${describeCall(call)})`,
        {
          notes,
        },
      );
    }
    notes.push(`exited with code ${exited.value.code} after ${ms} ms`);
    if (ep.network === "unix") {
      const still = await Deno.lstat(ep.address).then(() => true, () => false);
      if (still) return verdict.fail(`the plugin exited but left its socket ${ep.address}`, { notes });
    }
    return verdict.pass({ notes });
  },
});

/** The shutdown check. */
export const checks: readonly RpcCheck[] = [graceful];
