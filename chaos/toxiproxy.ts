/**
 * Toxiproxy lifecycle for the chaos suite: find (or `go install`) `toxiproxy-server`, start it on
 * 127.0.0.1 on a kit-chosen port, hand out proxies in front of mock-server ports, and stop it.
 *
 * Ports: the API port and every proxy's listen port are picked from 20000–29999 (outside the
 * kernel's ephemeral range, so they never collide with the mock server's or the SDK's sockets),
 * checked free by binding, and re-picked on conflict.
 *
 * @module
 */
import type { ChaosEnv, ChaosProxy, Toxic } from "../src/engine/sdk_context.ts";
import { type ProxyInfo, ToxiproxyClient } from "./_client.ts";
import { type LocateOptions, locateToxiproxy, run } from "./_locate.ts";
import { reapOnStop } from "../src/driver/_reaper.ts";

export { INSTALL_HINT, TOXIPROXY_GO_PACKAGE, TOXIPROXY_VERSION } from "./_locate.ts";

/** The kit's port range for Toxiproxy (API and proxies). */
export const PORT_RANGE = { min: 20000, max: 29999 } as const;

/**
 * A proxy as the kit hands it out: the public {@link ChaosProxy} plus what checks need for
 * evidence and cleanup. All additions are optional-to-use; `ChaosProxy`'s shape is unchanged.
 */
export interface KitChaosProxy extends ChaosProxy {
  /** the proxy's name on the server */
  readonly name: string;
  /** toxics added so far, in order */
  readonly toxics: readonly Toxic[];
  /**
   * TCP clients the proxy accepted so far (from the server's log), or `undefined` when the kit
   * does not own the server (TOXIPROXY_URL). A refused connection (proxy disabled) is not counted.
   */
  connections(): number | undefined;
  /** delete the proxy (idempotent); its listener and open connections close */
  remove(): Promise<void>;
  /** one line for evidence: "proxy ron-…: 127.0.0.1:2xxxx → 127.0.0.1:PORT, toxics: …" */
  describe(): string;
}

/** A view of the env whose proxies are removed together (one per check). */
export interface ScopedChaosEnv extends ChaosEnv {
  createProxy(upstreamPort: number, upstreamHost?: string): Promise<KitChaosProxy>;
  /** remove every proxy created through this scope */
  dispose(): Promise<void>;
}

/**
 * The chaos env the kit builds. Compatible with {@link ChaosEnv}; adds `scope()` so the runner
 * can remove a check's proxies when the check ends (`const s = env.scope(); … await s.dispose()`).
 * Proxies made through the env itself are removed by `close()`.
 */
export interface KitChaosEnv extends ChaosEnv {
  createProxy(upstreamPort: number, upstreamHost?: string): Promise<KitChaosProxy>;
  /** a per-check view whose proxies `dispose()` removes */
  scope(): ScopedChaosEnv;
  /** the Toxiproxy API's base URL (`http://127.0.0.1:PORT`) */
  readonly apiUrl: string;
}

/** Options of {@link startChaos}. */
export interface StartChaosOptions extends LocateOptions {
  /** passed to the server as `-seed` (note: Toxiproxy v2.12.0 does not apply it, see README) */
  seed: number;
  /** a running server to use instead of starting one @default Deno.env TOXIPROXY_URL */
  url?: string;
}

/** The result of {@link startChaos}. */
export type StartChaosResult =
  | { ok: true; env: KitChaosEnv; version: string; close(): Promise<void> }
  | { ok: false; reason: string };

/**
 * A random port in the kit's range that is free right now (checked by binding).
 *
 * @param exclude ports not to pick (e.g. already handed out)
 * @returns the port
 * @example
 * ```ts
 * import { pickFreePort, PORT_RANGE } from "./toxiproxy.ts";
 * const p = pickFreePort();
 * if (p < PORT_RANGE.min || p > PORT_RANGE.max) throw new Error("out of range");
 * ```
 */
export function pickFreePort(exclude: ReadonlySet<number> = new Set()): number {
  for (let i = 0; i < 200; i++) {
    const port = PORT_RANGE.min + Math.floor(Math.random() * (PORT_RANGE.max - PORT_RANGE.min + 1));
    if (exclude.has(port)) continue;
    try {
      const l = Deno.listen({ hostname: "127.0.0.1", port });
      l.close();
      return port;
    } catch {
      // taken: try another
    }
  }
  throw new Error(`no free port in ${PORT_RANGE.min}-${PORT_RANGE.max} after 200 tries`);
}

/** Reads the server's JSON log (zerolog writes it to stdout; stderr is kept too) and counts accepted clients per proxy. */
class ServerLog {
  readonly accepted = new Map<string, number>();
  readonly tail: string[] = [];
  readonly done: Promise<void>;

  constructor(streams: ReadableStream<Uint8Array>[]) {
    this.done = Promise.all(streams.map((s) => this.#read(s))).then(() => {});
  }

  async #read(stream: ReadableStream<Uint8Array>): Promise<void> {
    let buf = "";
    try {
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf("\n")) >= 0) {
          this.#line(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
        }
      }
    } catch {
      // the stream ends when the server is killed
    }
    if (buf.length > 0) this.#line(buf);
  }

  #line(line: string): void {
    this.tail.push(line);
    if (this.tail.length > 40) this.tail.shift();
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      return;
    }
    if (typeof v !== "object" || v === null) return;
    const msg = "message" in v ? v.message : undefined;
    const name = "name" in v ? v.name : undefined;
    if (msg === "Accepted client" && typeof name === "string") {
      this.accepted.set(name, (this.accepted.get(name) ?? 0) + 1);
    }
  }
}

/** A server the kit started (or, with `child` undefined, one it was pointed at). */
interface Server {
  api: ToxiproxyClient;
  child?: Deno.ChildProcess;
  log?: ServerLog;
}

async function waitForVersion(api: ToxiproxyClient, child: Deno.ChildProcess | undefined, boundMs: number) {
  const until = Date.now() + boundMs;
  let exited = false;
  child?.status.then(() => exited = true, () => exited = true);
  let last = "";
  while (Date.now() < until && !exited) {
    const v = await api.version(1000);
    if (v.ok) return { ok: true as const, version: v.value };
    last = v.message;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { ok: false as const, reason: exited ? "server exited" : `no answer on /version (${last})` };
}

async function spawnServer(path: string, seed: number): Promise<
  { ok: true; server: Server; apiVersion: string } | { ok: false; reason: string }
> {
  let lastReason = "";
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = pickFreePort();
    const child = new Deno.Command(path, {
      args: ["-host", "127.0.0.1", "-port", String(port), "-seed", String(Math.trunc(seed))],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { LOG_LEVEL: "info" },
    }).spawn();
    const log = new ServerLog([child.stdout, child.stderr]);
    const api = new ToxiproxyClient(`http://127.0.0.1:${port}`);
    const v = await waitForVersion(api, child, 10_000);
    if (v.ok) return { ok: true, server: { api, child, log }, apiVersion: v.version };
    lastReason = `${v.reason}: ${log.tail.slice(-3).join(" | ")}`;
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
    await child.status;
    await log.done;
  }
  return { ok: false, reason: `toxiproxy-server did not start: ${lastReason}` };
}

/** The module version of a `go install`ed binary ("v2.12.0"), if Go can tell. */
async function moduleVersion(path: string, go: string | null): Promise<string | undefined> {
  if (go === null) return undefined;
  const r = await run(go, ["version", "-m", path], 10_000);
  const m = /\bmod\s+github\.com\/Shopify\/toxiproxy\/v2\s+(v\S+)/.exec(r.stdout);
  return m?.[1];
}

let runCounter = 0;

/**
 * Start the chaos environment: find or install `toxiproxy-server`, start it on 127.0.0.1 (or use
 * `TOXIPROXY_URL`), and return a {@link KitChaosEnv}. `close()` removes every proxy and stops the
 * server; it also runs on SIGINT/SIGTERM (the CLI then exits 130/143) and on `unload`.
 *
 * @param opts the seed and (for tests) where to look
 * @returns the env and the server's version, or `{ok: false, reason}` with an install hint
 * @example
 * ```ts
 * import { startChaos } from "./toxiproxy.ts";
 * const r = await startChaos({ seed: 1, url: "", searchPath: "/nonexistent", go: null, binDir: "/nonexistent" });
 * if (r.ok || !r.reason.includes("go install")) throw new Error("expected the install hint");
 * ```
 */
export async function startChaos(opts: StartChaosOptions): Promise<StartChaosResult> {
  const url = opts.url ?? Deno.env.get("TOXIPROXY_URL") ?? "";
  let server: Server;
  let version: string;
  if (url.length > 0) {
    const api = new ToxiproxyClient(url);
    const v = await waitForVersion(api, undefined, 3000);
    if (!v.ok) return { ok: false, reason: `TOXIPROXY_URL=${url}: ${v.reason}` };
    server = { api };
    version = `toxiproxy-server ${v.version} (external, ${url})`;
  } else {
    const found = await locateToxiproxy(opts);
    if (!found.ok) return found;
    const s = await spawnServer(found.path, opts.seed);
    if (!s.ok) return s;
    server = s.server;
    const mod = s.apiVersion === "git"
      ? await moduleVersion(found.path, opts.go === undefined ? "go" : opts.go)
      : undefined;
    version = mod ? `toxiproxy-server ${mod}` : `toxiproxy-server ${s.apiVersion}`;
  }
  return { ok: true, ...buildEnv(server, version) };
}

function buildEnv(
  server: Server,
  version: string,
): { env: KitChaosEnv; version: string; close(): Promise<void> } {
  const runId = `ron${Deno.pid}x${++runCounter}`;
  const live = new Set<KitChaosProxy>();
  const usedPorts = new Set<number>();
  let proxyCounter = 0;
  let closed = false;

  // upstreamHost: a server target's host (svc.chaos.*); the SDK checks proxy the kit's loopback mock
  const createProxy = async (upstreamPort: number, upstreamHost = "127.0.0.1"): Promise<KitChaosProxy> => {
    if (closed) throw new Error("chaos env is closed");
    let last = "";
    for (let attempt = 0; attempt < 8; attempt++) {
      const port = pickFreePort(usedPorts);
      const name = `${runId}-p${++proxyCounter}`;
      const r = await server.api.createProxy({
        name,
        listen: `127.0.0.1:${port}`,
        upstream: `${upstreamHost.includes(":") ? `[${upstreamHost}]` : upstreamHost}:${upstreamPort}`,
      });
      if (r.ok) {
        usedPorts.add(port);
        const p = makeProxy(server, r.value, port, () => {
          live.delete(p);
          usedPorts.delete(port);
        });
        live.add(p);
        return p;
      }
      last = `${r.status ?? "no status"} ${r.message}`;
      // 409 = name taken, 500 "address already in use" = port taken: pick again; else give up.
      if (r.status !== 409 && !/in use/.test(r.message)) break;
    }
    throw new Error(`could not create a Toxiproxy proxy: ${last}`);
  };

  const scope = (): ScopedChaosEnv => {
    const mine = new Set<KitChaosProxy>();
    return {
      serverVersion: version,
      async createProxy(upstreamPort: number, upstreamHost?: string) {
        const p = await createProxy(upstreamPort, upstreamHost);
        mine.add(p);
        return p;
      },
      async dispose() {
        await Promise.all([...mine].map((p) => p.remove()));
        mine.clear();
      },
    };
  };

  const kill = (sig: Deno.Signal) => {
    try {
      server.child?.kill(sig);
    } catch {
      // already gone
    }
  };
  // On a signal or unload, Toxiproxy is killed at once (the shared reaper); the CLI's own handler
  // (cli/certify.ts stopOnSignals) then ends the drivers and exits 130/143.
  if (server.child) reapOnStop({ child: server.child, pgid: undefined });

  const close = async () => {
    if (closed) return;
    closed = true;
    await Promise.all([...live].map((p) => p.remove()));
    const child = server.child;
    if (child) {
      kill("SIGTERM");
      let timer: ReturnType<typeof setTimeout> | undefined;
      const exited = await Promise.race([
        child.status.then(() => true),
        new Promise<boolean>((r) => timer = setTimeout(() => r(false), 3000)),
      ]);
      clearTimeout(timer);
      if (!exited) {
        kill("SIGKILL");
        await child.status;
      }
      await server.log?.done;
    }
  };

  const env: KitChaosEnv = { serverVersion: version, createProxy, scope, apiUrl: server.api.baseUrl };
  return { env, version, close };
}

function makeProxy(server: Server, info: ProxyInfo, port: number, onRemoved: () => void): KitChaosProxy {
  const toxics: Toxic[] = [];
  let removed = false;
  let enabled = true;
  return {
    listenPort: port,
    name: info.name,
    toxics,
    async addToxic(toxic: Toxic) {
      const r = await server.api.addToxic(info, `${toxic.type}_${toxics.length + 1}`, toxic);
      if (!r.ok) throw new Error(`adding toxic ${toxic.type} failed: ${r.status ?? ""} ${r.message}`);
      toxics.push(toxic);
    },
    async setEnabled(on: boolean) {
      const r = await server.api.setEnabled(info, on);
      if (!r.ok) throw new Error(`setting enabled=${on} failed: ${r.status ?? ""} ${r.message}`);
      enabled = on;
    },
    connections() {
      return server.log ? (server.log.accepted.get(info.name) ?? 0) : undefined;
    },
    async remove() {
      if (removed) return;
      removed = true;
      await server.api.removeProxy(info);
      onRemoved();
    },
    describe() {
      const tx = toxics.map(describeToxic).join("; ") || "none";
      return `proxy ${info.name}: ${info.listen} → ${info.upstream}${
        enabled ? "" : " (disabled)"
      }, toxics: ${tx}`;
    },
  };
}

/**
 * One line describing a toxic, for evidence: `reset_peer upstream toxicity=0.3 {timeout=0}`.
 *
 * @param t the toxic
 * @returns the description
 */
export function describeToxic(t: Toxic): string {
  const attrs = Object.entries(t.attributes).map(([k, v]) => `${k}=${v}`).join(", ");
  return `${t.type} ${t.stream ?? "downstream"} toxicity=${t.toxicity ?? 1} {${attrs}}`;
}
