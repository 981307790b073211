/**
 * `rpc.keys.*`: the plugin's private key stays in memory: none is written to its directories and
 * none is printed (seed 004 § Secret Management).
 *
 * @module
 */
import { verdict } from "../../src/engine/types.ts";
import { deadline } from "../../src/util/deadline.ts";
import { handshakeOf, type RpcCheck, rpcCheck } from "./_context.ts";
import { describeCall, grpcCall, healthRequest } from "./_grpc.ts";
import { PRIVATE_KEY_PEM, scanTree } from "./_scan.ts";

const SOURCE = "004 § Secret Management";

const notOnDisk: RpcCheck = rpcCheck({
  id: "rpc.keys.not-on-disk",
  title: "Serving over TLS, the plugin writes no private key into its working, home or temp directory",
  level: "MUST",
  source: SOURCE,
  rationale:
    "AutoMTLS keys are ephemeral: a key on disk outlives the plugin and lets whoever reads it impersonate the plugin to its host.",
  requires: ["plugin"],
  mutants: ["key-on-disk"],
  async run(ctx) {
    const r = handshakeOf(await ctx.start());
    if ("verdict" in r) return r.verdict;
    const call = await grpcCall(r.hs.endpoint!, {
      identity: ctx.host,
      path: "/grpc.health.v1.Health/Check",
      body: healthRequest(ctx.target.healthService),
      timeoutMs: 5000,
    });
    if (call.kind !== "answer") {
      return verdict.error(
        `cannot judge: the plugin did not serve a health call over TLS (${describeCall(call)})`,
      );
    }
    const scan = await scanTree(r.run.root);
    const notes = [
      `after a health call (${
        describeCall(call)
      }): ${scan.entries} entries under the plugin's cwd, HOME and TMPDIR${
        scan.truncated ? " (walk cut at its bound)" : ""
      }`,
    ];
    if (scan.keyFiles.length > 0) {
      return verdict.fail(
        `the plugin wrote a private key to ${
          scan.keyFiles.map((p) => p.slice(r.run.root.length + 1)).join(", ")
        }`,
        { notes },
      );
    }
    return verdict.pass({ notes });
  },
});

const notPrinted: RpcCheck = rpcCheck({
  id: "rpc.keys.not-printed",
  title: "From start to shutdown, the plugin prints no private key on stdout or stderr",
  level: "MUST",
  source: SOURCE,
  rationale: "A host logs its plugins' output: a key printed there is a key in every log collector.",
  requires: ["plugin"],
  mutants: ["key-printed"],
  async run(ctx) {
    const r = handshakeOf(await ctx.start());
    if ("verdict" in r) return r.verdict;
    const ep = r.hs.endpoint!;
    const opts = { identity: ctx.host, timeoutMs: 5000 };
    const health = await grpcCall(ep, {
      ...opts,
      path: "/grpc.health.v1.Health/Check",
      body: healthRequest(ctx.target.healthService),
    });
    if (health.kind !== "answer") {
      return verdict.error(
        `cannot judge: the plugin did not serve a health call over TLS (${describeCall(health)})`,
      );
    }
    const bye = await grpcCall(ep, {
      ...opts,
      path: "/plugin.GRPCController/Shutdown",
      body: new Uint8Array(),
    });
    await deadline(r.run.exited, 3000);
    const o = r.run.output();
    const notes = [
      `health: ${describeCall(health)}; shutdown: ${describeCall(bye)}`,
      `read ${o.stdout.length} characters of stdout, ${o.stderr.length} of stderr${
        o.dropped > 0 ? ` (${o.dropped} bytes past the bound not read)` : ""
      }`,
    ];
    for (const [name, text] of [["stdout", o.stdout], ["stderr", o.stderr]] as const) {
      const m = PRIVATE_KEY_PEM.exec(text);
      if (m) return verdict.fail(`the plugin printed a private key on ${name} (${m[0]})`, { notes });
    }
    return verdict.pass({ notes });
  },
});

/** The private key checks. */
export const checks: readonly RpcCheck[] = [notOnDisk, notPrinted];
