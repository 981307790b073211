/**
 * `rpc.tls.*`: the plugin refuses TLS 1.0 and 1.1 (seed 004 § Transport Security: TLS 1.2+),
 * probed with Node's OpenSSL, which can still offer them; the probe first proves it can complete a
 * handshake of that version at all, then completes a TLS 1.2+ handshake with the plugin.
 *
 * @module
 */
import { type Verdict, verdict } from "../../src/engine/types.ts";
import { probeTls, type ProbeTlsOptions } from "../../src/tls/node_probe.ts";
import { selfTest } from "../svc/_tls_probe.ts";
import { type RpcCheck, rpcCheck, type RpcContext, sharedReady } from "./_context.ts";

const SOURCE = "004 § Transport Security";
const NAMES = { "TLSv1": "TLS 1.0", "TLSv1.1": "TLS 1.1" } as const;

async function legacy(ctx: RpcContext, v: "TLSv1" | "TLSv1.1"): Promise<Verdict> {
  const name = NAMES[v];
  const r = await sharedReady(ctx);
  if ("verdict" in r) return r.verdict;
  const ep = r.hs.endpoint!;
  const self = await selfTest(v);
  if (!self.ok) {
    return verdict.notApplicable(
      `the kit cannot offer ${name} here, so a refusal would prove nothing: ${self.why}`,
    );
  }
  const i = ep.address.lastIndexOf(":");
  const base: ProbeTlsOptions = {
    ...(ep.network === "unix"
      ? { host: "localhost", port: 0, path: ep.address }
      : { host: ep.address.slice(0, i).replace(/^\[|\]$/g, ""), port: Number(ep.address.slice(i + 1)) }),
    servername: "localhost",
    clientCertPem: ctx.host.certPem,
    clientKeyPem: ctx.host.keyPem,
    alpn: ["h2"],
    timeoutMs: 5000,
  };
  const notes = [`self-test: this Node completes a ${name} handshake with a local ${name} server`];
  const control = await probeTls({ ...base, minVersion: "TLSv1.2" });
  if (control.kind === "unavailable") return verdict.notApplicable(control.hint);
  if (control.kind !== "handshake") {
    return verdict.error(
      `cannot judge: the probe could not complete a TLS 1.2+ handshake with the plugin either (${control.stage}: ${control.message})`,
      { notes },
    );
  }
  notes.push(`control: ${control.protocol} ${control.cipher}`);
  const probe = await probeTls({ ...base, minVersion: v, maxVersion: v, secLevel0: true });
  switch (probe.kind) {
    case "handshake":
      return verdict.fail(
        `the plugin completed a ${probe.protocol} handshake (${probe.cipher}) with a client offering only ${name}`,
        { notes },
      );
    case "refused":
      notes.push(`${name} only: ${probe.stage}: ${probe.message}`);
      if (probe.stage === "handshake") return verdict.pass({ notes });
      return verdict.error(
        `cannot judge: the ${name} probe got no handshake answer (${probe.stage}: ${probe.message})`,
        {
          notes,
        },
      );
    case "unavailable":
      return verdict.notApplicable(probe.hint);
    default: {
      const never: never = probe;
      return verdict.error(`unexpected probe result ${String(never)}`);
    }
  }
}

const noTls10: RpcCheck = rpcCheck({
  id: "rpc.tls.no-tls10",
  title: "The plugin refuses a TLS 1.0 handshake",
  level: "MUST",
  source: SOURCE,
  rationale: "TLS 1.0 is deprecated (RFC 8996); the seed asks for TLS 1.2 or later.",
  requires: ["plugin"],
  mutants: ["tls10-allowed"],
  timeLimitMs: 40_000,
  run: (ctx) => legacy(ctx, "TLSv1"),
});

const noTls11: RpcCheck = rpcCheck({
  id: "rpc.tls.no-tls11",
  title: "The plugin refuses a TLS 1.1 handshake",
  level: "MUST",
  source: SOURCE,
  rationale: "TLS 1.1 is deprecated (RFC 8996); the seed asks for TLS 1.2 or later.",
  requires: ["plugin"],
  mutants: ["tls11-allowed", "tls10-allowed"],
  timeLimitMs: 40_000,
  run: (ctx) => legacy(ctx, "TLSv1.1"),
});

/** The TLS version checks. */
export const checks: readonly RpcCheck[] = [noTls10, noTls11];
