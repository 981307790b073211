/**
 * `rpc.handshake.*`: the plugin's handshake line follows go-plugin's grammar, offers a version its
 * host asked for, and names the certificate its server presents (seed 004 § Auto-mTLS with
 * Self-Signed Certificates).
 *
 * @module
 */
import { verdict } from "../../src/engine/types.ts";
import { handshakeOf, type RpcCheck, rpcCheck, sharedReady } from "./_context.ts";
import { describeCall, grpcCall, healthRequest } from "./_grpc.ts";
import { rawBase64 } from "./_handshake.ts";
import { describeHandshake, shown } from "./_host.ts";

const SOURCE = "004 § Auto-mTLS with Self-Signed Certificates";
const HEALTH = "/grpc.health.v1.Health/Check";

const grammar: RpcCheck = rpcCheck({
  id: "rpc.handshake.grammar",
  title:
    "The handshake line is go-plugin's: 6 fields, core version 1, an integer app version, unix|tcp and a usable address, grpc|netrpc, an unpadded base64 DER certificate",
  level: "MUST",
  source: SOURCE,
  rationale:
    "A host that cannot parse the line cannot connect, and one that parses it leniently may connect somewhere else or trust another certificate than the one printed.",
  requires: ["plugin"],
  mutants: ["handshake-padded"],
  async run(ctx) {
    const r = handshakeOf(await ctx.shared(), "line");
    if ("verdict" in r) return r.verdict;
    const notes = [describeHandshake(r.run.handshake)];
    const net = r.hs.endpoint?.network;
    if (net !== undefined && net !== ctx.target.transport) {
      notes.push(`the target file expects transport ${ctx.target.transport}; the plugin serves on ${net}`);
    }
    if (r.hs.problems.length > 0) {
      return verdict.fail(
        `the handshake line ${shown(r.hs.line)} breaks the grammar: ${r.hs.problems.join("; ")}`,
        {
          notes,
        },
      );
    }
    return verdict.pass({ notes });
  },
});

const version: RpcCheck = rpcCheck({
  id: "rpc.handshake.version",
  title: "The handshake's app protocol version is one the host asked for in PLUGIN_PROTOCOL_VERSIONS",
  level: "MUST",
  source: SOURCE,
  rationale: "A plugin that answers a version its host did not ask for speaks a protocol the host does not.",
  requires: ["plugin"],
  mutants: ["wrong-version"],
  async run(ctx) {
    const r = handshakeOf(await ctx.shared(), "line");
    if ("verdict" in r) return r.verdict;
    const asked = ctx.target.protocolVersions;
    const notes = [`asked for ${asked.join(",")}; ${describeHandshake(r.run.handshake)}`];
    if (r.hs.appVersion === undefined) {
      return verdict.fail("the handshake's app version is not an integer", { notes });
    }
    if (!asked.includes(r.hs.appVersion)) {
      return verdict.fail(
        `the plugin answered app protocol version ${r.hs.appVersion}; the host asked for ${asked.join(", ")}`,
        { notes },
      );
    }
    return verdict.pass({ notes });
  },
});

const certMatch: RpcCheck = rpcCheck({
  id: "rpc.handshake.cert-match",
  title:
    "Under AutoMTLS the handshake prints a server certificate, and it is the one the plugin's TLS server presents",
  level: "MUST",
  source: SOURCE,
  rationale:
    "The host pins the printed certificate: if the server presents another one, either the host cannot connect or it was told to trust a certificate that is not the server's.",
  requires: ["plugin"],
  mutants: ["cert-mismatch"],
  async run(ctx) {
    const r = await sharedReady(ctx);
    if ("verdict" in r) return r.verdict;
    if (r.hs.certDer === undefined) {
      if (ctx.target.tls.mode === "files") {
        return verdict.notApplicable("the handshake prints no certificate (TLS configured with files)");
      }
      return verdict.fail(
        "the host sent PLUGIN_CLIENT_CERT (AutoMTLS) but the handshake line prints no server certificate",
        { notes: [describeHandshake(r.run.handshake)] },
      );
    }
    const call = await grpcCall(r.hs.endpoint!, {
      identity: ctx.host,
      path: HEALTH,
      body: healthRequest(ctx.target.healthService),
      timeoutMs: 5000,
    });
    const peer = call.tls?.peerDer;
    const notes = [`with the host's certificate: ${describeCall(call)}`];
    if (peer === undefined) {
      return verdict.error(
        `cannot judge: no TLS session with the host's certificate (${describeCall(call)})`,
        {
          notes,
        },
      );
    }
    if (rawBase64(peer) !== rawBase64(r.hs.certDer)) {
      return verdict.fail(
        `the server presented a certificate (${peer.length} bytes) other than the one in the handshake (${r.hs.certDer.length} bytes)`,
        { notes },
      );
    }
    return verdict.pass({
      notes: [...notes, `the server presented the handshake's certificate (${peer.length} bytes)`],
    });
  },
});

/** The handshake checks. */
export const checks: readonly RpcCheck[] = [grammar, version, certMatch];
