/**
 * The plugin target file (TOML): what `deno task certify:rpc --target FILE` starts and how the kit
 * plays go-plugin's host for it. Read bounded (a regular file, ≤ 1 MiB, like every file it names),
 * parsed with smol-toml, validated with zod; every error names the field (a TOML error its line).
 * See `example_target.toml` beside this file and docs/RPC.md.
 *
 * @module
 */
import { parse as parseToml } from "smol-toml";
import { z } from "zod";
import { errorMessage } from "../../src/util/error_message.ts";
import { readBounded, ReadBoundedError } from "../../src/util/read_bounded.ts";
import {
  MAX_FILE_BYTES,
  readNamedFile,
  TargetError,
  tomlErrorText,
  validateTargetFile,
} from "../svc/_target_read.ts";

export { TargetError };

const ENV_NAME = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name");
/** Variables the host sets itself: a target may not override them. */
const HOST_VARS = new Set([
  "PLUGIN_MAGIC_COOKIE_KEY",
  "PLUGIN_PROTOCOL_VERSIONS",
  "PLUGIN_MIN_PORT",
  "PLUGIN_MAX_PORT",
  "PLUGIN_UNIX_SOCKET_DIR",
  "PLUGIN_UNIX_SOCKET_GROUP",
  "PLUGIN_CLIENT_CERT",
  "HOME",
  "TMPDIR",
]);

/** The raw target file, as written by a vendor. */
export const RpcTargetFileSchema = z.object({
  name: z.string().min(1).default("plugin"),
  version: z.string().min(1).default("unknown"),
  /** argv: the executable (a path relative to this file when it contains "/", else found on PATH) and its arguments */
  command: z.array(z.string().min(1)).min(1, "give the plugin's executable"),
  /** extra environment for the plugin (the environment is otherwise minimal) */
  env: z.record(ENV_NAME, z.string()).default({}).refine(
    (e) => Object.keys(e).every((k) => !HOST_VARS.has(k)),
    { message: `may not set a variable the host sets (${[...HOST_VARS].join(", ")})` },
  ),
  /** names of the kit's own environment variables passed through unchanged (PATH always is) */
  pass_env: z.array(ENV_NAME).default([]),
  cookie_key: ENV_NAME,
  cookie_value: z.string().min(1),
  /** the app protocol versions the host asks for (PLUGIN_PROTOCOL_VERSIONS) */
  protocol_versions: z.array(z.number().int().positive()).min(1).default([1]),
  /** the network the plugin is expected to serve on */
  transport: z.enum(["unix", "tcp"]).default("unix"),
  /** the RPC protocol it speaks; health and shutdown need grpc */
  protocol: z.enum(["grpc", "netrpc"]).default("grpc"),
  /** TCP port range the host allows (PLUGIN_MIN_PORT / PLUGIN_MAX_PORT) */
  min_port: z.number().int().min(1).max(65535).default(10000),
  max_port: z.number().int().min(1).max(65535).default(25000),
  /** set PLUGIN_UNIX_SOCKET_DIR to a fresh owner-only directory (otherwise the plugin picks, in its TMPDIR) */
  unix_socket_dir: z.boolean().default(false),
  /** set PLUGIN_UNIX_SOCKET_GROUP: a socket mode of 0660 is then allowed */
  unix_socket_group: z.string().min(1).optional(),
  /** the gRPC health service name the plugin reports on */
  health_service: z.string().default("plugin"),
  /** how long the host waits for the handshake line, in ms */
  handshake_timeout_ms: z.number().int().min(100).max(120_000).default(10_000),
  tls: z.object({
    /** "auto": go-plugin AutoMTLS (the host sends PLUGIN_CLIENT_CERT); "files": certificates configured for the plugin */
    mode: z.enum(["auto", "files"]).default("auto"),
    /** files mode: the client certificate (PEM) the plugin trusts, and its key */
    client_cert: z.string().min(1).optional(),
    client_key: z.string().min(1).optional(),
    /** files mode: the CA (PEM) that issued the plugin's server certificate */
    server_ca: z.string().min(1).optional(),
  }).strict().default({ mode: "auto" }).superRefine((t, ctx) => {
    if (t.mode !== "files") return;
    for (const k of ["client_cert", "client_key"] as const) {
      if (t[k] === undefined) {
        ctx.addIssue({ code: "custom", path: [k], message: `required when mode = "files"` });
      }
    }
  }),
}).strict().superRefine((f, ctx) => {
  if (f.min_port > f.max_port) {
    ctx.addIssue({ code: "custom", path: ["max_port"], message: "must be at least min_port" });
  }
});

/** The raw target file type. */
export type RpcTargetFile = z.infer<typeof RpcTargetFileSchema>;

/** A parsed, resolved plugin target. */
export interface RpcTarget {
  name: string;
  version: string;
  /** argv; argv[0] absolute when the file gave a path */
  command: string[];
  env: Record<string, string>;
  passEnv: string[];
  cookieKey: string;
  cookieValue: string;
  protocolVersions: number[];
  transport: "unix" | "tcp";
  protocol: "grpc" | "netrpc";
  minPort: number;
  maxPort: number;
  unixSocketDir: boolean;
  unixSocketGroup?: string;
  healthService: string;
  handshakeTimeoutMs: number;
  tls:
    | { mode: "auto" }
    | { mode: "files"; clientCertPem: string; clientKeyPem: string; serverCaPem?: string };
}

/**
 * Parse and validate a plugin target file's text (no file access).
 *
 * @param text the TOML text
 * @returns the validated raw target
 * @throws TargetError naming the first bad field
 * @example
 * ```ts
 * import { parseRpcTargetFile } from "./target.ts";
 * const f = parseRpcTargetFile('command = ["./plugin"]\ncookie_key = "BASIC_PLUGIN"\ncookie_value = "hello"');
 * if (f.transport !== "unix" || f.protocol_versions[0] !== 1 || f.tls.mode !== "auto") throw new Error();
 * ```
 */
export function parseRpcTargetFile(text: string): RpcTargetFile {
  let raw: unknown;
  try {
    raw = parseToml(text);
  } catch (e) {
    throw new TargetError("", `not valid TOML ${tomlErrorText(e)}`);
  }
  return validateTargetFile(raw, RpcTargetFileSchema);
}

function resolvePath(baseDir: string, p: string): string {
  return p.startsWith("/") ? p : `${baseDir.replace(/\/$/, "")}/${p}`;
}

/**
 * Resolve a validated target: the executable's path (relative to `baseDir` when it has a "/"),
 * and in files mode the certificate and key files (bounded).
 *
 * @param f the validated raw target
 * @param baseDir where relative paths start
 * @param timeoutMs the time limit for reading each named file @default 10000
 * @returns the resolved target
 * @throws TargetError naming the field that could not be resolved
 * @example
 * ```ts
 * import { parseRpcTargetFile, resolveRpcTarget } from "./target.ts";
 * const f = parseRpcTargetFile('command = ["sh", "-c", "exit 1"]\ncookie_key = "K"\ncookie_value = "v"');
 * const t = await resolveRpcTarget(f, "/");
 * if (t.command[0] !== "sh" || t.tls.mode !== "auto") throw new Error();
 * ```
 */
export async function resolveRpcTarget(
  f: RpcTargetFile,
  baseDir: string,
  timeoutMs = 10_000,
): Promise<RpcTarget> {
  const exe = f.command[0] ?? "";
  const command = [exe.includes("/") ? resolvePath(baseDir, exe) : exe, ...f.command.slice(1)];
  if (exe.includes("/")) {
    const st = await Deno.stat(command[0] ?? "").catch(() => undefined);
    if (st === undefined) throw new TargetError("command", `no such file: ${command[0]}`);
    if (!st.isFile || (st.mode !== null && (st.mode & 0o111) === 0)) {
      throw new TargetError("command", `not an executable file: ${command[0]}`);
    }
  }
  let tls: RpcTarget["tls"] = { mode: "auto" };
  if (f.tls.mode === "files") {
    const read = (k: "client_cert" | "client_key" | "server_ca", p: string) =>
      readNamedFile(`tls.${k}`, resolvePath(baseDir, p), timeoutMs);
    const clientCertPem = await read("client_cert", f.tls.client_cert ?? "");
    const clientKeyPem = await read("client_key", f.tls.client_key ?? "");
    tls = { mode: "files", clientCertPem, clientKeyPem };
    if (f.tls.server_ca !== undefined) tls.serverCaPem = await read("server_ca", f.tls.server_ca);
  }
  const t: RpcTarget = {
    name: f.name,
    version: f.version,
    command,
    env: f.env,
    passEnv: f.pass_env,
    cookieKey: f.cookie_key,
    cookieValue: f.cookie_value,
    protocolVersions: f.protocol_versions,
    transport: f.transport,
    protocol: f.protocol,
    minPort: f.min_port,
    maxPort: f.max_port,
    unixSocketDir: f.unix_socket_dir,
    healthService: f.health_service,
    handshakeTimeoutMs: f.handshake_timeout_ms,
    tls,
  };
  if (f.unix_socket_group !== undefined) t.unixSocketGroup = f.unix_socket_group;
  return t;
}

/**
 * Load a plugin target file from disk: read (bounded: a regular file ≤ 1 MiB, in time), parse,
 * validate, resolve its paths against the file's directory.
 *
 * @param path the TOML file
 * @param timeoutMs the time limit of each read @default 10000
 * @returns the resolved target
 * @throws TargetError naming the bad field
 * @example
 * ```ts
 * import { loadRpcTarget, TargetError } from "./target.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/t.toml`, 'command = ["./missing"]\ncookie_key = "K"\ncookie_value = "v"');
 * const err = await loadRpcTarget(`${dir}/t.toml`).catch((e) => e);
 * await Deno.remove(dir, { recursive: true });
 * if (!(err instanceof TargetError) || err.field !== "command") throw new Error(String(err));
 * ```
 */
export async function loadRpcTarget(path: string, timeoutMs = 10_000): Promise<RpcTarget> {
  let text: string;
  try {
    text = await readBounded(path, { field: "--target", maxBytes: MAX_FILE_BYTES, timeoutMs });
  } catch (e) {
    throw new TargetError("", `target file: ${e instanceof ReadBoundedError ? e.detail : errorMessage(e)}`);
  }
  const f = parseRpcTargetFile(text);
  const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : ".";
  return await resolveRpcTarget(f, dir.startsWith("/") ? dir : `${Deno.cwd()}/${dir}`, timeoutMs);
}
