/**
 * The kit's post-quantum TLS test server (`tools/pq_server`, Go standard library only), for
 * `sdk.tls.pq-hybrid`: found in, or built on demand into, the kit's cache (`~/.cache/ron-kit/bin`,
 * the way Toxiproxy is installed), then started as a TLS 1.3 front on 127.0.0.1 that accepts only
 * the X25519MLKEM768 group and pipes plaintext to a kit listener. It reports the negotiated group
 * of every connection and, before it serves anything, refuses a classical (X25519-only) client of
 * its own: the negative control. Internal to the conformance suite.
 *
 * @module
 */
import { defaultBinDir, installIntoCache, sourceHash } from "../../src/util/tool_cache.ts";
import { run } from "../../src/driver/tool_run.ts";
import { deadline } from "../../src/util/deadline.ts";
import { errorMessage } from "../../src/util/error_message.ts";

/** The oldest Go that can build it (`tls.X25519MLKEM768` is 1.24, `ConnectionState.CurveID` 1.25). */
export const PQ_GO_MIN: readonly [number, number] = [1, 25];

/** What to install when the server cannot be built. */
export const PQ_SERVER_HINT =
  "sdk.tls.pq-hybrid needs Go 1.25 or later (https://go.dev/dl/) on PATH: the kit " +
  "builds its X25519MLKEM768-only test server (tools/pq_server, standard library only) into " +
  "~/.cache/ron-kit/bin on first use; `deno run -A cli/pq_server.ts` builds it ahead of a run";

const SOURCE = new URL("../../tools/pq_server/", import.meta.url);
const SOURCE_FILES = ["go.mod", "main.go"] as const;

/**
 * How the server was found: its path, or why not (`unavailable`: no Go, a Go too old, no source on
 * disk, so the check does not apply; `broken`: the kit's own build failed, a kit fault).
 */
export type PqServerLocation =
  | { ok: true; path: string; how: string }
  | { ok: false; kind: "unavailable" | "broken"; reason: string };

/** Where to look and how to build (tests point these elsewhere). */
export interface LocatePqOptions {
  /** the `go` program, or null to act as if Go is missing @default "go" */
  go?: string | null;
  /** the cache folder @default ~/.cache/ron-kit/bin */
  binDir?: string;
  /** the bound on the build @default 150000 */
  buildTimeoutMs?: number;
}

/** `go1.26.8` → [1, 26]; undefined when it is not a release version. */
function goVersion(text: string): [number, number] | undefined {
  const m = /go(\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

const memo = new Map<string, Promise<PqServerLocation>>();

/**
 * Find the PQ test server in the kit's cache, else build it there with Go (bounded, safe under
 * concurrency); memoised per process and cache folder.
 *
 * @param opts where to look and how to build
 * @returns the server's path and how it was found, or why there is none
 * @example
 * ```ts
 * import { locatePqServer } from "./_pq_server.ts";
 * const r = await locatePqServer({ go: null, binDir: "/nonexistent" });
 * if (r.ok || r.kind !== "unavailable") throw new Error("no Go: the check does not apply");
 * ```
 */
export function locatePqServer(opts: LocatePqOptions = {}): Promise<PqServerLocation> {
  const key = JSON.stringify([opts.go, opts.binDir ?? defaultBinDir()]);
  let p = memo.get(key);
  if (!p) {
    p = locate(opts);
    memo.set(key, p);
  }
  return p;
}

async function locate(opts: LocatePqOptions): Promise<PqServerLocation> {
  const hash = await sourceHash(SOURCE, SOURCE_FILES);
  if (hash === undefined) {
    return {
      ok: false,
      kind: "unavailable",
      reason: `the server's source is not on disk (${SOURCE.href}); ${PQ_SERVER_HINT}`,
    };
  }
  const binDir = opts.binDir ?? defaultBinDir();
  const name = `pq-server-${hash}`;
  const stamp = `ron-kit pq_server ${hash}`;
  const isValid = async (path: string) => (await run(path, ["-version"], 10_000)).stdout.trim() === stamp;
  if (await isValid(`${binDir}/${name}`)) return { ok: true, path: `${binDir}/${name}`, how: "kit cache" };
  const go = opts.go === undefined ? "go" : opts.go;
  if (go === null) return { ok: false, kind: "unavailable", reason: `Go not found; ${PQ_SERVER_HINT}` };
  const env = await run(go, ["env", "GOVERSION"], 20_000);
  if (!env.ok) {
    return {
      ok: false,
      kind: "unavailable",
      reason: `Go not found (${env.stderr.trim().slice(0, 200)}); ${PQ_SERVER_HINT}`,
    };
  }
  const v = goVersion(env.stdout);
  if (v !== undefined && (v[0] < PQ_GO_MIN[0] || (v[0] === PQ_GO_MIN[0] && v[1] < PQ_GO_MIN[1]))) {
    return { ok: false, kind: "unavailable", reason: `${env.stdout.trim()} is too old; ${PQ_SERVER_HINT}` };
  }
  const timeoutMs = opts.buildTimeoutMs ?? 150_000;
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
        // the Go found, never a downloaded toolchain; no workspace or user flags from outside
        { cwd: SOURCE.pathname, env: { GOTOOLCHAIN: "local", GOWORK: "off", GOFLAGS: "", CGO_ENABLED: "0" } },
      );
      if (!out.ok) return { ok: false, reason: `go build failed (${out.stderr.trim().slice(-300)})` };
      return { ok: true, path: `${tmp}/${name}` };
    },
  });
  if (!r.ok) return { ok: false, kind: "broken", reason: `${r.reason}; ${PQ_SERVER_HINT}` };
  return { ok: true, path: r.path, how: r.how === "built" ? `built with ${env.stdout.trim()}` : "kit cache" };
}

/** One connection as the server saw it. */
export type PqEvent =
  | {
    event: "handshake";
    group: string;
    version: string;
    cipher: string;
    alpn?: string;
    offered_groups: string[];
    probe?: boolean;
  }
  | { event: "tls_error"; message: string; offered_groups: string[]; probe?: boolean };

/** A running PQ front. */
export interface PqFront {
  /** its port on 127.0.0.1 */
  readonly port: number;
  /** the negative control: did the server refuse its own X25519-only client? */
  readonly classicalProbe: { refused: boolean; error?: string };
  /** the connections reported so far (the probe's excluded), in order */
  events(): PqEvent[];
  /** wait until `n` connections were reported (or `ms` passed) */
  waitForEvents(n: number, ms: number): Promise<PqEvent[]>;
  /** stop the server (it also stops by itself when the kit's end of its stdin closes) */
  close(): Promise<void>;
}

/** Options of {@link startPqFront}. */
export interface StartPqFrontOptions {
  /** the server program ({@link locatePqServer}) */
  serverPath: string;
  /** the leaf and its chain, PEM (passed over stdin, never written to disk) */
  certChainPem: string;
  /** the leaf's key, PKCS#8 PEM (passed over stdin) */
  keyPem: string;
  /** the plain TCP port on 127.0.0.1 that gets each connection's plaintext */
  upstreamPort: number;
  /** the bound on start-up @default 10000 */
  timeoutMs?: number;
}

const MAX_LINE = 64 * 1024;
const MAX_EVENTS = 200;

/**
 * Start the PQ front: spawn the server, hand it its certificate over stdin, read its port.
 *
 * @param opts the server, certificate and upstream
 * @returns the running front, or why it did not start (a kit fault)
 */
export async function startPqFront(
  opts: StartPqFrontOptions,
): Promise<{ ok: true; front: PqFront } | { ok: false; reason: string }> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(opts.serverPath, { stdin: "piped", stdout: "piped", stderr: "piped" }).spawn();
  } catch (e) {
    return { ok: false, reason: `the PQ server did not start: ${errorMessage(e)}` };
  }
  const stdin = child.stdin.getWriter();
  const events: PqEvent[] = [];
  const waiters = new Set<() => void>();
  let first: ((v: unknown) => void) | undefined;
  const firstLine = new Promise<unknown>((resolve) => first = resolve);
  const stderrTail: string[] = [];
  const onLine = (line: string) => {
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      return;
    }
    if (typeof v !== "object" || v === null) return;
    if (first && ("port" in v || "error" in v)) {
      first(v);
      first = undefined;
      return;
    }
    if (!("event" in v) || (v as { probe?: boolean }).probe) return;
    if (events.length < MAX_EVENTS) events.push(v as PqEvent);
    for (const w of [...waiters]) w();
  };
  const reading = Promise.all([
    readLines(child.stdout, onLine),
    readLines(child.stderr, (l) => stderrTail.push(l) > 20 && stderrTail.shift()),
  ]).then(() => first?.(undefined));
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await stdin.close().catch(() => {});
    const exited = await deadline(child.status, 2_000);
    if (!exited.ok) {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
      await child.status;
    }
    await reading;
  };
  try {
    await stdin.write(new TextEncoder().encode(
      JSON.stringify({
        cert_chain_pem: opts.certChainPem,
        key_pem: opts.keyPem,
        upstream_port: opts.upstreamPort,
      }) +
        "\n",
    ));
  } catch (e) {
    await close();
    return { ok: false, reason: `the PQ server did not take its configuration: ${errorMessage(e)}` };
  }
  const got = await deadline(firstLine, opts.timeoutMs ?? 10_000);
  const hello = got.ok ? got.value : undefined;
  if (typeof hello !== "object" || hello === null || !("port" in hello) || typeof hello.port !== "number") {
    await close();
    const said = hello === undefined ? "nothing" : JSON.stringify(hello).slice(0, 300);
    return {
      ok: false,
      reason: `the PQ server did not report its port (it said ${said}; ${stderrTail.join(" | ")})`,
    };
  }
  const probe =
    "classical_probe" in hello && typeof hello.classical_probe === "object" && hello.classical_probe
      ? hello.classical_probe as { refused: boolean; error?: string }
      : { refused: false, error: "the server reported no classical probe" };
  const port = hello.port;
  const front: PqFront = {
    port,
    classicalProbe: probe,
    events: () => [...events],
    waitForEvents: (n, ms) =>
      new Promise((resolve) => {
        const done = () => {
          if (events.length < n && !timer.fired) return;
          clearTimeout(timer.id);
          waiters.delete(done);
          resolve([...events]);
        };
        const timer = { fired: false, id: setTimeout(() => (timer.fired = true, done()), ms) };
        waiters.add(done);
        done();
      }),
    close,
  };
  return { ok: true, front };
}

/** Read a stream as lines (each cut to {@link MAX_LINE}); never throws. */
async function readLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => unknown,
): Promise<void> {
  let buf = "";
  try {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        onLine(buf.slice(0, Math.min(nl, MAX_LINE)));
        buf = buf.slice(nl + 1);
      }
      if (buf.length > MAX_LINE) buf = buf.slice(0, MAX_LINE);
    }
  } catch {
    // the stream ends when the server is killed
  }
  if (buf.length > 0) onLine(buf);
}
