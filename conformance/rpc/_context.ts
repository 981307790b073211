/**
 * The context an `rpc.*` check runs in, and the helpers every check shares: the run's host
 * identity, a foreign identity, the target's shared plugin (started once per target, for read-only
 * probes) and fresh plugins of the check's own. Internal to the rpc profile.
 *
 * @module
 */
import type { BaseContext, Check, Verdict } from "../../src/engine/types.ts";
import { verdict } from "../../src/engine/types.ts";
import { defineCheck } from "../../src/engine/registry.ts";
import { describeHandshake, type PluginRun, type StartOptions } from "./_host.ts";
import { type Handshake, readHandshake } from "./_handshake.ts";
import type { Identity } from "./_grpc.ts";
import type { RpcTarget } from "./target.ts";

/** The context of an rpc check. Every plugin it starts is ended when it ends. */
export interface RpcContext extends BaseContext {
  /** the target (its command, cookie, transport, TLS mode) */
  readonly target: RpcTarget;
  /** why no check can run (the reference plugin cannot be built here), with the install hint */
  readonly unavailable?: string;
  /** the host's client identity: AutoMTLS's per-run certificate, or the target's files */
  readonly host: Identity;
  /** a client certificate from a CA the plugin was never told about */
  readonly foreign: Identity;
  /** the target's shared plugin, started once with the right cookie (do not stop it) */
  shared(): Promise<PluginRun>;
  /** a fresh plugin of this check's own (the right cookie and the host's certificate by default) */
  start(opts?: Omit<StartOptions, "clientCertPem">): Promise<PluginRun>;
}

/** The rpc profile's check type. */
export type RpcCheck = Check<RpcContext>;

/**
 * A check whose `run` first says `not_applicable` (with the install hint) when the plugin cannot
 * be had at all.
 *
 * @param c the check
 * @returns the same check, guarded and registered (`defineCheck`)
 */
export function rpcCheck(c: RpcCheck): RpcCheck {
  const run = c.run;
  return defineCheck<RpcContext>({
    ...c,
    run: (ctx) =>
      ctx.unavailable !== undefined ? Promise.resolve(verdict.notApplicable(ctx.unavailable)) : run(ctx),
  });
}

/** A started plugin whose handshake line was read. */
export interface Ready {
  run: PluginRun;
  hs: Handshake;
}

/**
 * The plugin's handshake, or the `error` verdict that says why there is none (a plugin that hangs,
 * exits or prints garbage cannot be judged by a probe that needs it).
 *
 * @param run the started plugin
 * @param need `endpoint`: the network and address must be usable too
 * @returns the handshake, or the verdict
 */
export function handshakeOf(
  run: PluginRun,
  need: "line" | "endpoint" = "endpoint",
): Ready | { verdict: Verdict } {
  if (run.handshake.kind !== "line") {
    return { verdict: verdict.error(`cannot judge: ${describeHandshake(run.handshake, run)}`) };
  }
  const hs = readHandshake(run.handshake.line);
  if (need === "endpoint" && hs.endpoint === undefined) {
    return {
      verdict: verdict.error(
        `cannot judge: the handshake line names no usable address (${hs.problems.join("; ")}): ${
          describeHandshake(run.handshake)
        }`,
      ),
    };
  }
  const ep = hs.endpoint;
  if (need === "endpoint" && ep?.network === "tcp" && !loopbackHost(ep.address)) {
    return {
      verdict: verdict.error(
        `cannot judge: the handshake advertises ${ep.address}; the kit connects to a plugin on loopback only`,
      ),
    };
  }
  return { run, hs };
}

/** Whether a `host:port` names a loopback host (127.0.0.0/8, ::1, localhost). */
export function loopbackHost(address: string): boolean {
  const host = address.slice(0, address.lastIndexOf(":")).replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * The shared plugin's handshake (see {@linkcode handshakeOf}).
 *
 * @param ctx the check's context
 * @returns the handshake, or the verdict
 */
export async function sharedReady(ctx: RpcContext): Promise<Ready | { verdict: Verdict }> {
  return handshakeOf(await ctx.shared());
}
