/**
 * `rpc.mtls.*`: the plugin's server requires a client certificate, and only its host's: a client
 * with none, or with another CA's, is refused (seed 004 § mTLS Configuration).
 *
 * @module
 */
import { type Verdict, verdict } from "../../src/engine/types.ts";
import { type RpcCheck, rpcCheck, type RpcContext, sharedReady } from "./_context.ts";
import { describeCall, grpcCall, healthRequest, type Identity } from "./_grpc.ts";

const SOURCE = "004 § mTLS Configuration";
const HEALTH = "/grpc.health.v1.Health/Check";

async function clientAuth(ctx: RpcContext, who: "none" | "foreign"): Promise<Verdict> {
  const r = await sharedReady(ctx);
  if ("verdict" in r) return r.verdict;
  const ep = r.hs.endpoint!;
  const call = (identity: Identity | null | undefined) =>
    grpcCall(ep, {
      ...(identity === undefined ? {} : { identity }),
      path: HEALTH,
      body: healthRequest(ctx.target.healthService),
      timeoutMs: 5000,
    });
  const control = await call(ctx.host);
  const notes = [`control, the host's certificate: ${describeCall(control)}`];
  if (control.kind !== "answer") {
    const plain = await call(undefined);
    notes.push(`plaintext: ${describeCall(plain)}`);
    if (plain.kind === "answer") {
      return verdict.fail(
        "the plugin serves gRPC without TLS: a client with no certificate at all was answered",
        {
          notes,
        },
      );
    }
    return verdict.error(
      `cannot judge: a call with the host's certificate was not answered either (${describeCall(control)})`,
      { notes },
    );
  }
  const label = who === "none" ? "a client with no certificate" : "a client with another CA's certificate";
  const probe = await call(who === "none" ? null : ctx.foreign);
  notes.push(`${label}: ${describeCall(probe)}`);
  switch (probe.kind) {
    case "answer":
      return verdict.fail(
        `${label} was answered over ${probe.tls?.protocol ?? "TLS"} (${describeCall(probe)})`,
        { notes },
      );
    case "refused":
      if (probe.stage === "connect") {
        return verdict.error(`cannot judge: the connection itself was refused (${probe.message})`, { notes });
      }
      return verdict.pass({ notes });
    case "timeout":
      return verdict.error(`cannot judge: ${label} got neither an answer nor a refusal in time`, { notes });
    default: {
      const never: never = probe;
      return verdict.error(`unexpected call outcome ${String(never)}`);
    }
  }
}

const required: RpcCheck = rpcCheck({
  id: "rpc.mtls.required",
  title:
    "The plugin refuses a TLS client that presents no certificate (in TLS 1.3 the refusal is read after the handshake)",
  level: "MUST",
  source: SOURCE,
  rationale:
    "Without client authentication anyone who can reach the socket or port drives the plugin; pyvider-rpcplugin 0.5.5 under AutoMTLS asks for no certificate unless PLUGIN_CLIENT_ROOT_CERTS is set.",
  requires: ["plugin"],
  mutants: ["no-client-auth"],
  run: (ctx) => clientAuth(ctx, "none"),
});

const foreignCa: RpcCheck = rpcCheck({
  id: "rpc.mtls.foreign-ca",
  title: "The plugin refuses a client certificate from a CA its host never named",
  level: "MUST",
  source: SOURCE,
  rationale: "A server that asks for a certificate but does not verify it accepts one anyone can mint.",
  requires: ["plugin"],
  mutants: ["accept-any-client-cert", "no-client-auth"],
  run: (ctx) => clientAuth(ctx, "foreign"),
});

/** The mTLS checks. */
export const checks: readonly RpcCheck[] = [required, foreignCa];
