/**
 * The rpc profile's session: the targets `--target FILE` names (or the bundled reference plugin,
 * or one of its mutants), each opened with the run's host identity, a foreign identity and a shared
 * plugin, and a context per check that ends every plugin the check started. Internal to the rpc
 * profile.
 *
 * @module
 */
import type {
  OpenTarget,
  ProfileFlags,
  ProfileSession,
  Result,
  TargetSpec,
} from "../../src/engine/profile.ts";
import { flagValues } from "../../src/engine/profile.ts";
import type { ContextLease } from "../../src/engine/runner.ts";
import type { Check } from "../../src/engine/types.ts";
import { generateCa, issueLeaf } from "../../src/mock/ca.ts";
import { shellQuote } from "../../src/util/args.ts";
import { errorMessage } from "../../src/util/error_message.ts";
import type { RpcContext } from "./_context.ts";
import type { Identity } from "./_grpc.ts";
import { type PluginRun, startPlugin } from "./_host.ts";
import { locateRefPlugin, referenceTarget } from "./_ref_plugin.ts";
import { loadRpcTarget, type RpcTarget, TargetError } from "./target.ts";

/** The default time limit of an rpc check, in ms (a handshake may take 10 s). */
export const RPC_TIME_LIMIT_MS = 30_000;

/** The flags of the rpc profile. */
export const RPC_FLAGS = [
  {
    name: "--target",
    value: "FILE",
    repeat: true,
    help:
      "a plugin target file (TOML; see conformance/rpc/example_target.toml); default: the bundled reference plugin",
  },
] as const;

/** The capabilities a target gets from its file. */
export function rpcCapabilities(t: RpcTarget): Set<string> {
  const caps = new Set<string>(["plugin"]);
  if (t.protocol === "grpc") caps.add("grpc");
  if (t.transport === "unix") caps.add("unix_socket");
  if (t.tls.mode === "auto") caps.add("auto_mtls");
  return caps;
}

async function identities(t: RpcTarget): Promise<{ host: Identity; foreign: Identity }> {
  const foreignCa = await generateCa({ commonName: "ron-kit rpc foreign CA" });
  const f = await issueLeaf(foreignCa, { usages: ["clientAuth"], commonName: "ron-kit rpc foreign client" });
  const foreign = { certPem: f.certPem, keyPem: f.keyPem };
  if (t.tls.mode === "files") {
    return { host: { certPem: t.tls.clientCertPem, keyPem: t.tls.clientKeyPem }, foreign };
  }
  // like go-plugin's host: a fresh self-signed certificate per run, sent as PLUGIN_CLIENT_CERT
  const own = await issueLeaf(foreignCa, {
    selfSigned: true,
    usages: ["clientAuth"],
    commonName: "ron-kit rpc host",
    dns: ["localhost"],
  });
  return { host: { certPem: own.certPem, keyPem: own.keyPem }, foreign };
}

/**
 * Open a plugin target: mint the identities; the shared plugin starts on first use.
 *
 * @param t the target
 * @param seed the run's seed
 * @param unavailable why no check can run (every check is then `not_applicable` with this reason)
 * @returns the open target
 */
export async function openRpcTarget(
  t: RpcTarget,
  seed: number,
  unavailable?: string,
): Promise<Result<OpenTarget<RpcContext>>> {
  let ids: { host: Identity; foreign: Identity };
  try {
    ids = await identities(t);
  } catch (e) {
    return { ok: false, error: `the kit could not mint its client certificates: ${errorMessage(e)}` };
  }
  const clientCert = t.tls.mode === "auto" ? { clientCertPem: ids.host.certPem } : {};
  let shared: Promise<PluginRun> | undefined;
  const capabilities = rpcCapabilities(t);
  const makeContext = (
    check: Check<RpcContext>,
    signal: AbortSignal,
    note: (line: string) => void,
  ): Promise<ContextLease<RpcContext>> => {
    const runs: PluginRun[] = [];
    const ctx: RpcContext = {
      seed,
      signal,
      timeLimitMs: check.timeLimitMs ?? RPC_TIME_LIMIT_MS,
      note,
      target: t,
      ...(unavailable !== undefined ? { unavailable } : {}),
      host: ids.host,
      foreign: ids.foreign,
      shared: () => shared ??= startPlugin(t, clientCert),
      async start(opts = {}) {
        const run = await startPlugin(t, { ...clientCert, ...opts });
        runs.push(run);
        if (signal.aborted) throw new Error("plugin started after the check's time limit");
        return run;
      },
    };
    return Promise.resolve({
      ctx,
      dispose: async () => void await Promise.all(runs.splice(0).map((r) => r.close())),
    });
  };
  return {
    ok: true,
    value: {
      info: { name: t.name, version: t.version, language: "plugin", capabilities: [...capabilities].sort() },
      capabilities,
      // the cookie is a shared secret: reports mask it (a value too short to mask safely is left)
      canaries: () => t.cookieValue.length >= 8 ? [t.cookieValue] : [],
      defaultTimeLimitMs: RPC_TIME_LIMIT_MS,
      makeContext,
      close: async () => {
        if (shared) await (await shared).close();
      },
    },
  };
}

function fileSpec(file: string, seed: number): TargetSpec<RpcContext> {
  return {
    label: file,
    command: `deno task certify:rpc --target ${shellQuote(file)}`,
    async open() {
      try {
        return await openRpcTarget(await loadRpcTarget(file), seed);
      } catch (e) {
        if (e instanceof TargetError) return { ok: false, error: `--target ${file}: ${e.message}` };
        return { ok: false, error: `--target ${file}: ${errorMessage(e)}` };
      }
    },
  };
}

function referenceSpec(seed: number, mutant?: string): TargetSpec<RpcContext> {
  return {
    label: mutant === undefined ? "reference plugin" : `reference plugin (mutant ${mutant})`,
    command: "deno task certify:rpc",
    async open() {
      const loc = await locateRefPlugin();
      if (!loc.ok && loc.kind === "broken") return { ok: false, error: loc.reason };
      if (!loc.ok) return await openRpcTarget(referenceTarget("ref-plugin", mutant), seed, loc.reason);
      return await openRpcTarget(referenceTarget(loc.path, mutant), seed);
    },
  };
}

/**
 * The rpc profile's session.
 *
 * @param seed the run's seed
 * @returns the session
 */
export function rpcSession(seed: number): ProfileSession<RpcContext> {
  return {
    banner: [],
    targets(flags: ProfileFlags): Result<TargetSpec<RpcContext>[]> {
      const files = flagValues(flags, "--target");
      if (files.length === 0) return { ok: true, value: [referenceSpec(seed)] };
      return { ok: true, value: files.map((f) => fileSpec(f, seed)) };
    },
    reference: (mutant?: string) => referenceSpec(seed, mutant),
    close: () => Promise.resolve(),
  };
}
