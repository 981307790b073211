/**
 * The rpc profile's reference plugin (`tools/ref_plugin`, Go with go-plugin v1.8.0 from the Go
 * module proxy): found in, or built on demand into, the kit's cache (`~/.cache/ron-kit/bin`, like
 * `tools/pq_server`), and the targets that start it as the reference or one of its mutants.
 * Internal to the rpc profile.
 *
 * @module
 */
import { defaultBinDir, installIntoCache, sourceHash } from "../../src/util/tool_cache.ts";
import { run } from "../../src/driver/tool_run.ts";
import type { RpcTarget } from "./target.ts";

/** What to install when the reference plugin cannot be built. */
export const REF_PLUGIN_HINT =
  "the rpc profile's reference plugin needs Go 1.25 or later (https://go.dev/dl/) on PATH and the Go " +
  "module proxy (or a module cache with github.com/hashicorp/go-plugin v1.8.0): the kit builds " +
  "tools/ref_plugin into ~/.cache/ron-kit/bin on first use; `deno run -A cli/ref_plugin.ts` builds it ahead";

/** The magic cookie the reference plugin expects (tools/ref_plugin/main.go). */
export const REF_COOKIE = {
  key: "RON_RPC_PLUGIN",
  value: "9f3c2a7d1e5b48c6a0f2d4e6b8c1a3e5f7092b4d6e8f0a1c3e5b7d9f1a2c4e6b",
} as const;

/** The reference plugin's mutants: each is one fault (tools/ref_plugin/faults.go). */
export const RPC_MUTANTS: readonly { name: string; description: string }[] = [
  { name: "no-client-auth", description: "TLS asks for no client certificate" },
  { name: "accept-any-client-cert", description: "any client certificate is accepted, unverified" },
  { name: "tls10-allowed", description: "TLS minimum version 1.0" },
  { name: "tls11-allowed", description: "TLS minimum version 1.1" },
  { name: "socket-0777", description: "the Unix socket is world-writable" },
  { name: "socket-dir-shared", description: "the Unix socket is in a world-writable directory" },
  { name: "bind-all", description: "TCP transport: listens on 0.0.0.0 while it advertises 127.0.0.1" },
  { name: "no-cookie-check", description: "starts without the magic cookie" },
  { name: "cookie-echoed", description: "a wrong cookie's message prints the expected value" },
  { name: "key-on-disk", description: "writes its server private key to its temp directory" },
  { name: "key-printed", description: "prints its server private key on stderr" },
  { name: "no-health", description: "serves no grpc.health.v1 service" },
  { name: "slow-shutdown", description: "exits 8 s after GRPCController.Shutdown" },
  { name: "socket-left", description: "leaves its socket file behind when it exits" },
  { name: "wrong-version", description: "answers an app protocol version the host did not ask for" },
  { name: "handshake-padded", description: "prints the certificate as padded base64" },
  { name: "cert-mismatch", description: "the handshake names another certificate than the one served" },
  { name: "weak-cert", description: "an RSA-1024 server key" },
  { name: "long-lived-cert", description: "a server certificate valid 30 years" },
];

const SOURCE = new URL("../../tools/ref_plugin/", import.meta.url);
const SOURCE_FILES = ["go.mod", "go.sum", "main.go", "listen.go", "cert.go", "faults.go"] as const;

/** Where the plugin is, or why not (`unavailable`: no Go or no source; `broken`: the build failed). */
export type RefPluginLocation =
  | { ok: true; path: string; how: string }
  | { ok: false; kind: "unavailable" | "broken"; reason: string };

const memo = new Map<string, Promise<RefPluginLocation>>();

/**
 * Find the reference plugin in the kit's cache, else build it there with Go (bounded, safe under
 * concurrency); memoised per process.
 *
 * @param opts `go`: the program, or null to act as if Go is missing; `binDir`: the cache folder
 * @returns the plugin's path, or why there is none
 * @example
 * ```ts
 * import { locateRefPlugin } from "./_ref_plugin.ts";
 * const r = await locateRefPlugin({ go: null, binDir: "/nonexistent" });
 * if (r.ok || r.kind !== "unavailable") throw new Error("no Go: nothing to build with");
 * ```
 */
export function locateRefPlugin(
  opts: { go?: string | null; binDir?: string } = {},
): Promise<RefPluginLocation> {
  const key = JSON.stringify([opts.go, opts.binDir ?? defaultBinDir()]);
  let p = memo.get(key);
  if (!p) {
    p = locate(opts);
    memo.set(key, p);
  }
  return p;
}

async function locate(opts: { go?: string | null; binDir?: string }): Promise<RefPluginLocation> {
  const hash = await sourceHash(SOURCE, SOURCE_FILES);
  if (hash === undefined) {
    return {
      ok: false,
      kind: "unavailable",
      reason: `the plugin's source is not on disk; ${REF_PLUGIN_HINT}`,
    };
  }
  const binDir = opts.binDir ?? defaultBinDir();
  const name = `ref-plugin-${hash}`;
  const stamp = `ron-kit ref_plugin ${hash}`;
  const isValid = async (path: string) => (await run(path, ["-version"], 10_000)).stdout.trim() === stamp;
  if (await isValid(`${binDir}/${name}`)) return { ok: true, path: `${binDir}/${name}`, how: "kit cache" };
  const go = opts.go === undefined ? "go" : opts.go;
  if (go === null) return { ok: false, kind: "unavailable", reason: `Go not found; ${REF_PLUGIN_HINT}` };
  const env = await run(go, ["env", "GOVERSION"], 20_000);
  if (!env.ok) {
    return {
      ok: false,
      kind: "unavailable",
      reason: `Go not found (${env.stderr.trim().slice(0, 200)}); ${REF_PLUGIN_HINT}`,
    };
  }
  const timeoutMs = 240_000;
  const r = await installIntoCache({
    binDir,
    name,
    timeoutMs,
    isValid,
    build: async (tmp) => {
      const out = await run(
        go,
        ["build", "-trimpath", "-ldflags", `-X main.version=${hash}`, "-o", `${tmp}/${name}`, "."],
        timeoutMs,
        {
          cwd: SOURCE.pathname,
          env: { GOTOOLCHAIN: "local", GOWORK: "off", GOFLAGS: "-mod=readonly", CGO_ENABLED: "0" },
        },
      );
      if (!out.ok) return { ok: false, reason: `go build failed (${out.stderr.trim().slice(-300)})` };
      return { ok: true, path: `${tmp}/${name}` };
    },
  });
  if (!r.ok) return { ok: false, kind: "broken", reason: `${r.reason}; ${REF_PLUGIN_HINT}` };
  return { ok: true, path: r.path, how: r.how === "built" ? `built with ${env.stdout.trim()}` : "kit cache" };
}

/**
 * The target that starts the reference plugin, or one of its mutants (`bind-all` serves on TCP,
 * where its fault is; every other one on a Unix socket, like go-plugin).
 *
 * @param path the built plugin
 * @param mutant the mutant's name, if any
 * @param transport the transport to serve on @default "tcp" for bind-all, else "unix"
 * @returns the target
 * @example
 * ```ts
 * import { referenceTarget } from "./_ref_plugin.ts";
 * const t = referenceTarget("/bin/plugin", "bind-all");
 * if (t.transport !== "tcp" || t.env.RON_RPC_MUTANT !== "bind-all") throw new Error();
 * ```
 */
export function referenceTarget(path: string, mutant?: string, transport?: "unix" | "tcp"): RpcTarget {
  const tr = transport ?? (mutant === "bind-all" ? "tcp" : "unix");
  const env: Record<string, string> = {};
  if (mutant !== undefined) env.RON_RPC_MUTANT = mutant;
  if (tr === "tcp") env.RON_RPC_TRANSPORT = "tcp";
  return {
    name: mutant === undefined ? "ron-kit reference plugin" : `ron-kit reference plugin (mutant ${mutant})`,
    version: "0.1.0",
    command: [path],
    env,
    passEnv: [],
    cookieKey: REF_COOKIE.key,
    cookieValue: REF_COOKIE.value,
    protocolVersions: [1],
    transport: tr,
    protocol: "grpc",
    minPort: 10000,
    maxPort: 25000,
    unixSocketDir: false,
    healthService: "plugin",
    handshakeTimeoutMs: 10_000,
    tls: { mode: "auto" },
  };
}
