/**
 * A server run (`certify:server --target FILE`) contacts only the kit's loopback hosts and the hosts
 * its target file names, and never prompts. The tasks allow net to loopback only (with
 * `--no-prompt`), so a target elsewhere (`https://staging.example.com`) would be refused request by
 * request. Instead the command reads the target file first (bounded), computes its hosts, and when
 * they are not allowed yet re-runs itself as a child with `--allow-net=<loopback>,<those hosts>`
 * (same arguments, stdio inherited, exit code passed through, SIGINT/SIGTERM forwarded).
 *
 * @module
 */
import type { FlagSpec } from "../src/engine/profile.ts";
import { errorMessage } from "../src/util/error_message.ts";
import { readTargetFile, TargetError, targetNetHosts } from "../conformance/svc/target.ts";
import { openApiNetHosts } from "../conformance/svc/openapi.ts";
import { parseFlags } from "./flags.ts";

/** The hosts the kit itself uses (its bundled servers, fakes and proxies): every task allows them. */
export const KIT_HOSTS: readonly string[] = ["127.0.0.1", "127.0.0.2", "localhost"];

/**
 * The V8 flags of the kit's run tasks (deno.json) and of the child a target's hosts re-run it in:
 * `--optimize-for-size` keeps a full `certify` (the eight worker isolates of `sdk.iso.workers`
 * among it) under issue 18's 300 MB peak RSS (≈ 260 MB with it, ≈ 315 MB without, measured).
 */
export const KIT_V8_FLAGS = "--v8-flags=--optimize-for-size";

/** Set in the child, so it never re-runs itself again. */
const GUARD_ENV = "RON_KIT_NET_SCOPED";

/** Permissions the child gets when (and only when) this process has them in full. */
const CARRIED = ["read", "write", "run", "env", "sys"] as const;

/**
 * The arguments of the child `deno` process: no prompt, net for the kit's hosts and the target's,
 * the permissions this process holds in full, the kit's config, then the same command line.
 *
 * @param o the target's hosts, the permissions to carry, the config file, main module and arguments
 * @returns the arguments after the `deno` executable
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { childArgs } from "./net_scope.ts";
 * const a = childArgs({ hosts: ["staging.example.com:443"], carried: ["read"], main: "file:///k/cli/main.ts", args: ["certify:server"] });
 * assert.deepEqual(a.slice(0, 3), ["run", "--no-prompt", "--allow-net=127.0.0.1,127.0.0.2,localhost,staging.example.com:443"]);
 * ```
 */
export function childArgs(o: {
  hosts: readonly string[];
  carried: readonly string[];
  config?: string;
  main: string;
  args: readonly string[];
}): string[] {
  const net = [...new Set([...KIT_HOSTS, ...o.hosts])];
  return [
    "run",
    "--no-prompt",
    `--allow-net=${net.join(",")}`,
    ...o.carried.map((p) => `--allow-${p}`),
    "--unstable-worker-options",
    KIT_V8_FLAGS,
    ...(o.config === undefined ? [] : ["--config", o.config]),
    o.main,
    ...o.args,
  ];
}

function guarded(): boolean {
  try {
    return Deno.env.get(GUARD_ENV) === "1";
  } catch {
    return false;
  }
}

function kitConfig(): string | undefined {
  const u = new URL("../deno.json", import.meta.url);
  if (u.protocol !== "file:") return undefined;
  try {
    return Deno.statSync(u).isFile ? decodeURIComponent(u.pathname) : undefined;
  } catch {
    return undefined;
  }
}

async function runChild(args: string[], hosts: readonly string[], file: string): Promise<number> {
  console.error(
    `net: this run may contact ${hosts.join(", ")} (named by ${file}) and the kit's ${KIT_HOSTS.join(", ")}`,
  );
  const child = new Deno.Command(Deno.execPath(), {
    args,
    env: { [GUARD_ENV]: "1" },
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  const forwards: [Deno.Signal, () => void][] = [];
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    const f = () => {
      try {
        child.kill(sig);
      } catch { /* already gone */ }
    };
    try {
      Deno.addSignalListener(sig, f);
      forwards.push([sig, f]);
    } catch { /* signal not supported here */ }
  }
  try {
    return (await child.status).code;
  } finally {
    for (const [sig, f] of forwards) Deno.removeSignalListener(sig, f);
  }
}

/**
 * Before a server run: read the target file (bounded), and when its hosts are not allowed yet,
 * run the command as a child allowed exactly those hosts (plus the kit's) and return its exit code.
 *
 * @param task the task ("certify:server")
 * @param args the arguments after the task
 * @param own the profile's flags (for `--target`)
 * @returns the exit code when the run happened in a child or the target file is bad (2);
 *   undefined when this process runs it (no target file, its hosts already allowed, or a usage
 *   error the pipeline reports)
 */
export async function runNetScoped(
  task: string,
  args: readonly string[],
  own: readonly FlagSpec[],
): Promise<number | undefined> {
  const parsed = parseFlags(args, own);
  if (!parsed.ok || parsed.value.common.help) return undefined;
  const first = (name: string) => {
    const v = parsed.value.profile[name];
    return Array.isArray(v) ? v[0] : undefined;
  };
  const file = first("--target");
  // --openapi: the target file may be partial, and --base-url may name the host instead
  const openapi = first("--openapi") !== undefined;
  const baseUrl = first("--base-url");
  if (file === undefined && (!openapi || baseUrl === undefined)) return undefined;
  let hosts: string[];
  try {
    hosts = openapi
      ? await openApiNetHosts({ ...(file ? { targetFile: file } : {}), ...(baseUrl ? { baseUrl } : {}) })
      : targetNetHosts(await readTargetFile(file ?? ""));
  } catch (e) {
    console.error(
      `target error (${file ?? baseUrl}): ${e instanceof TargetError ? e.message : errorMessage(e)}`,
    );
    return 2;
  }
  const missing: string[] = [];
  for (const host of hosts) {
    if ((await Deno.permissions.query({ name: "net", host })).state !== "granted") missing.push(host);
  }
  if (missing.length === 0) return undefined;
  if (guarded()) {
    console.error(
      `net access to ${missing.join(", ")} (named by ${file ?? baseUrl}) was not granted to this run`,
    );
    return 2;
  }
  const carried: string[] = [];
  for (const name of CARRIED) {
    if ((await Deno.permissions.query({ name })).state === "granted") carried.push(name);
  }
  const config = kitConfig();
  const main = new URL("./main.ts", import.meta.url).href;
  return await runChild(
    childArgs({ hosts, carried, ...(config === undefined ? {} : { config }), main, args: [task, ...args] }),
    hosts,
    file,
  );
}
