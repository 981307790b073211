/**
 * The driver host: starts a driver (the SDK's testee program) in fresh
 * temporary directories, speaks the JSON Lines protocol with it (pipelined,
 * every reply validated), keeps its output as bounded evidence, scans
 * everything for canaries and never leaves a process behind.
 * See docs/PROTOCOL.md.
 *
 * @module
 */
import { type HelloResult, type Op, OP_RESULTS, PROTOCOL_VERSION, ReplySchema } from "../schema/protocol.ts";
import type { LeakFinding } from "../schema/evidence.ts";
import type { CallResult, DriverSession } from "./types.ts";
import { BoundedLog } from "./_bounded_log.ts";
import { leakFindings, maskCanaries, scanTree, type TaggedFinding, taggedLeakFindings } from "./canary.ts";
import { deadline } from "../util/deadline.ts";
import { errorMessage } from "../util/error_message.ts";
import { classifyLine, encodeRequest, LineSplitter } from "./jsonl.ts";

/** Options of {@link startDriver}. */
export interface DriverHostOptions {
  /** the driver's argv; a relative program path or a relative path argument that exists is made absolute */
  command: string[];
  /** extra environment variables (over the minimal environment) */
  env?: Record<string, string>;
  /** every canary the kit knows now: used to mask details and to scan output as it arrives */
  canaries: () => string[];
  /**
   * bound for a call whose `timeoutMs` is not a positive finite number
   * @default 30000
   */
  callTimeoutMs?: number;
  /**
   * bound for the `hello` exchange
   * @default 10000
   */
  helloTimeoutMs?: number;
  /**
   * SDK output kept (the newest); more is counted and dropped. Measured in UTF-16 code units (bytes for ASCII).
   * @default 1048576
   */
  maxOutputBytes?: number;
  /**
   * grace for `shutdown`'s reply and then for the exit after stdin is closed, before SIGKILL
   * @default 1000
   */
  closeGraceMs?: number;
}

/** What {@link startDriver} returns: a live session after `hello`, or why there is none. */
export type StartDriverResult = { ok: true; session: DriverSession } | { ok: false; detail: string };

/** Environment variables passed through to the driver when set. */
const PASS_ENV = [
  "PATH",
  "LANG",
  "LC_ALL",
  "PYTHONPATH",
  "PYTHONUSERBASE",
  "VIRTUAL_ENV",
  "PYENV_ROOT",
  "PYENV_VERSION",
  "GOPATH",
  "GOCACHE",
  "GOMODCACHE",
  "NO_COLOR",
  "SYSTEMROOT",
] as const;

/** Longest quote of an offending line in a fault detail. */
const QUOTE_MAX = 300;
/** Replies kept for canary scans (UTF-16 code units). */
const MAX_REPLY_CHARS = 4 * 1024 * 1024;
/** Findings kept from output that was dropped before a scan. */
const MAX_DROPPED_FINDINGS = 200;
/** Findings returned by one scan, per place and in total. */
const MAX_FINDINGS_PER_WHERE = 20;
const MAX_FINDINGS = 500;

function defaultDenoDir(): string | undefined {
  const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE");
  switch (Deno.build.os) {
    case "darwin":
      return home ? `${home}/Library/Caches/deno` : undefined;
    case "windows": {
      const local = Deno.env.get("LOCALAPPDATA");
      return local ? `${local}\\deno` : undefined;
    }
    default: {
      const xdg = Deno.env.get("XDG_CACHE_HOME");
      return xdg ? `${xdg}/deno` : home ? `${home}/.cache/deno` : undefined;
    }
  }
}

/** The minimal driver environment: pass-through, caches that do not depend on HOME, fresh HOME/TMPDIR. */
function driverEnv(
  dirs: { home: string; tmp: string },
  extra: Record<string, string>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of PASS_ENV) {
    const v = Deno.env.get(k);
    if (v !== undefined) env[k] = v;
  }
  env.LANG ??= "C.UTF-8";
  const denoDir = Deno.env.get("DENO_DIR") ?? defaultDenoDir();
  if (denoDir !== undefined) env.DENO_DIR = denoDir;
  env.DENO_NO_UPDATE_CHECK = "1";
  const realHome = Deno.env.get("HOME");
  // pip --user installs live under the real HOME: keep them importable
  if (env.PYTHONUSERBASE === undefined && realHome) env.PYTHONUSERBASE = `${realHome}/.local`;
  // pyenv shims find their versions under the real HOME
  if (env.PYENV_ROOT === undefined && realHome && existsHere(`${realHome}/.pyenv`)) {
    env.PYENV_ROOT = `${realHome}/.pyenv`;
  }
  env.HOME = dirs.home;
  env.USERPROFILE = dirs.home;
  env.TMPDIR = dirs.tmp;
  env.TEMP = dirs.tmp;
  env.TMP = dirs.tmp;
  return { ...env, ...extra };
}

function isAbsolute(p: string): boolean {
  return p.startsWith("/") || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith("\\\\");
}

function existsHere(p: string): boolean {
  try {
    Deno.statSync(p);
    return true;
  } catch {
    return false;
  }
}

/** The driver runs in a fresh directory: make the program and path-like arguments that exist absolute. */
function resolveCommand(command: readonly string[]): [string, string[]] {
  const cwd = Deno.cwd();
  const abs = (p: string) => `${cwd}/${p.replace(/^\.\//, "")}`;
  const [program = "", ...args] = command;
  const prog = /[\\/]/.test(program) && !isAbsolute(program) ? abs(program) : program;
  const resolved = args.map((a) =>
    !a.startsWith("-") && !isAbsolute(a) && /[\\/]|\.[A-Za-z0-9]+$/.test(a) && existsHere(a) ? abs(a) : a
  );
  return [prog, resolved];
}

/** Whether `p` settled (resolved or rejected) within `ms`. */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  return (await deadline(p.then(() => {}, () => {}), ms)).ok;
}

interface Entry {
  where: string;
  text: string;
}

interface Pending {
  op: Op;
  t0: number;
  timer: ReturnType<typeof setTimeout>;
  settle: (r: CallResult<Op>) => void;
}

function issuesOf(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`)
    .join("; ");
}

class Session implements DriverSession {
  #hello: HelloResult | undefined;
  readonly dirs: { cwd: string; home: string; tmp: string };
  readonly #base: string;
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #readers: ReadableStreamDefaultReader<Uint8Array>[] = [];
  readonly #opts: DriverHostOptions;
  readonly #enc = new TextEncoder();
  readonly #pending = new Map<number, Pending>();
  readonly #timedOut = new Set<number>();
  readonly #output: BoundedLog<Entry & { found: TaggedFinding[] }>;
  readonly #replies = new BoundedLog<Entry & { found: TaggedFinding[] }>(MAX_REPLY_CHARS);
  #droppedFindings: TaggedFinding[] = [];
  #nextId = 0;
  #broken: string | undefined;
  #exit: Deno.CommandStatus | undefined;
  #stdinDead = false;
  #closing = false;
  #closed = false;
  #closePromise: Promise<void> | undefined;
  #writerClosed: Promise<unknown> | undefined;
  readonly #pumps: Promise<void>;
  readonly #exitWatch: Promise<void>;

  constructor(child: Deno.ChildProcess, base: string, dirs: Session["dirs"], opts: DriverHostOptions) {
    this.#child = child;
    this.#base = base;
    this.dirs = dirs;
    this.#opts = opts;
    this.#output = new BoundedLog(opts.maxOutputBytes ?? 1024 * 1024);
    this.#writer = child.stdin.getWriter();
    this.#writer.closed.catch(() => {});
    this.#pumps = Promise.all([this.#pump(child.stdout, "stdout"), this.#pump(child.stderr, "stderr")]).then(
      () => {},
    );
    this.#exitWatch = child.status.then(async (status) => {
      this.#exit = status;
      // let the last lines (a final reply, the stderr tail) arrive before judging
      await within(this.#pumps, 500);
      if (!this.#closing) this.#fault(this.#exitDetail());
    }, () => {});
  }

  get hello(): HelloResult {
    if (!this.#hello) throw new Error("hello not done");
    return this.#hello;
  }

  set helloResult(h: HelloResult) {
    this.#hello = h;
  }

  #mask(text: string): string {
    return maskCanaries(text, this.#opts.canaries());
  }

  #quote(line: string): string {
    const m = this.#mask(line);
    return JSON.stringify(m.length > QUOTE_MAX ? m.slice(0, QUOTE_MAX) + "…" : m);
  }

  /** @returns the last stderr lines, masked */
  stderrTail(): string {
    const lines = this.#output.entries().filter((e) => e.where === "driver stderr").slice(-20).map((e) =>
      e.text
    );
    const tail = this.#mask(lines.join("\n"));
    return tail.length > 1000 ? "…" + tail.slice(-1000) : tail;
  }

  #exitDetail(): string {
    const st = this.#exit;
    const how = st
      ? `driver exited with code ${st.code}${st.signal ? ` (signal ${st.signal})` : ""}`
      : "driver stopped";
    const tail = this.stderrTail();
    return `${how}; stderr tail: ${tail ? JSON.stringify(tail) : "(empty)"}`;
  }

  /** Mark the session broken and fail every call in flight. */
  #fault(detail: string): void {
    this.#broken ??= detail;
    for (const [id, p] of this.#pending) {
      this.#pending.delete(id);
      clearTimeout(p.timer);
      p.settle({ kind: "driver_fault", detail, ms: performance.now() - p.t0 });
    }
  }

  async #pump(stream: ReadableStream<Uint8Array>, src: "stdout" | "stderr"): Promise<void> {
    const reader = stream.getReader();
    this.#readers.push(reader);
    const split = new LineSplitter();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        for (const line of split.push(value)) this.#onLine(src, line);
      }
    } catch {
      // cancelled or broken pipe: the end of the stream
    } finally {
      reader.releaseLock();
    }
    for (const line of split.end()) this.#onLine(src, line);
  }

  #keep(log: BoundedLog<Entry & { found: TaggedFinding[] }>, where: string, text: string): void {
    const found = taggedLeakFindings(text, this.#opts.canaries(), where);
    for (const gone of log.push({ where, text, found })) {
      if (this.#droppedFindings.length < MAX_DROPPED_FINDINGS) this.#droppedFindings.push(...gone.found);
    }
  }

  #onLine(src: "stdout" | "stderr", line: string): void {
    if (src === "stdout") {
      const c = classifyLine(line);
      if (c.kind === "reply") return this.#onReply(c.id, c.value, line);
    }
    this.#keep(this.#output, `driver ${src}`, line);
  }

  #onReply(id: number, value: unknown, line: string): void {
    const p = this.#pending.get(id);
    this.#keep(this.#replies, p ? `reply to ${p.op}` : `reply (id ${id})`, line);
    if (this.#closed) return;
    if (!p) {
      if (this.#timedOut.has(id) || this.#broken !== undefined) return; // late reply of a call given up
      return this.#fault(
        `reply with unknown id ${id} (no call with that id is in flight): ${this.#quote(line)}`,
      );
    }
    const parsed = ReplySchema.safeParse(value);
    if (!parsed.success) {
      return this.#fault(
        `malformed reply to ${p.op} (id ${id}): ${issuesOf(parsed.error)}; line: ${this.#quote(line)}`,
      );
    }
    const reply = parsed.data;
    if (!reply.ok) {
      this.#pending.delete(id);
      clearTimeout(p.timer);
      p.settle({ kind: "sdk_error", error: reply.error, ms: performance.now() - p.t0 });
      return;
    }
    const result = OP_RESULTS[p.op].safeParse(reply.result);
    if (!result.success) {
      return this.#fault(
        `reply to ${p.op} (id ${id}) does not match the ${p.op} result schema: ${
          issuesOf(result.error)
        }; line: ${this.#quote(line)}`,
      );
    }
    this.#pending.delete(id);
    clearTimeout(p.timer);
    p.settle({ kind: "ok", result: result.data, ms: performance.now() - p.t0 });
  }

  call<O extends Op>(op: O, params: Record<string, unknown>, timeoutMs: number): Promise<CallResult<O>> {
    const t0 = performance.now();
    if (this.#closed || this.#closing) {
      return Promise.resolve({ kind: "driver_fault", detail: "driver session is closed", ms: 0 });
    }
    if (this.#broken !== undefined) {
      return Promise.resolve({
        kind: "driver_fault",
        detail: `driver session is broken: ${this.#broken}`,
        ms: 0,
      });
    }
    return this.#send(op, params, timeoutMs, t0);
  }

  #send<O extends Op>(
    op: O,
    params: Record<string, unknown>,
    timeoutMs: number,
    t0: number,
  ): Promise<CallResult<O>> {
    const ms = Number.isFinite(timeoutMs) && timeoutMs > 0 ? timeoutMs : this.#opts.callTimeoutMs ?? 30_000;
    const id = ++this.#nextId;
    const line = encodeRequest(id, op, params);
    const result = new Promise<CallResult<O>>((resolve) => {
      const timer = setTimeout(() => {
        if (!this.#pending.delete(id)) return;
        this.#timedOut.add(id);
        this.#broken ??= `no reply to ${op} (id ${id}) within ${ms} ms`;
        resolve({ kind: "no_reply", ms: performance.now() - t0 });
      }, ms);
      // settle() only ever receives the result of this op (validated with OP_RESULTS[op])
      this.#pending.set(id, { op, t0, timer, settle: (r) => resolve(r as CallResult<O>) });
    });
    if (this.#stdinDead) {
      this.#fault(this.#exit ? this.#exitDetail() : "driver stdin is closed");
    } else {
      this.#writer.write(this.#enc.encode(line)).catch(async (e: unknown) => {
        this.#stdinDead = true;
        // a write fails when the driver is gone: prefer its exit code and stderr to the pipe error
        await within(this.#child.status, 500);
        this.#fault(this.#exit ? this.#exitDetail() : `cannot write to driver stdin: ${errorMessage(e)}`);
      });
    }
    return result;
  }

  output(): string[] {
    const lines = this.#output.entries().map((e) => e.text);
    const dropped = this.#output.dropped;
    return dropped > 0 ? [`[… ${dropped} bytes dropped …]`, ...lines] : lines;
  }

  async scan(canaries: string[]): Promise<LeakFinding[]> {
    const all: LeakFinding[] = [];
    if (canaries.length === 0) return all;
    const wanted = new Set(canaries);
    for (const t of this.#droppedFindings) if (wanted.has(t.canary)) all.push(t.finding);
    for (const e of [...this.#output.entries(), ...this.#replies.entries()]) {
      all.push(...leakFindings(e.text, canaries, e.where));
    }
    for (
      const [dir, label] of [[this.dirs.cwd, "cwd"], [this.dirs.home, "HOME"], [this.dirs.tmp, "TMPDIR"]]
    ) {
      if (dir !== undefined && label !== undefined) all.push(...await scanTree(dir, canaries, label));
    }
    const seen = new Set<string>();
    const perWhere = new Map<string, number>();
    const out: LeakFinding[] = [];
    for (const f of all) {
      const key = JSON.stringify([f.where, f.form, f.excerpt]);
      const n = perWhere.get(f.where) ?? 0;
      if (seen.has(key) || n >= MAX_FINDINGS_PER_WHERE || out.length >= MAX_FINDINGS) continue;
      seen.add(key);
      perWhere.set(f.where, n + 1);
      out.push(f);
    }
    return out;
  }

  close(): Promise<void> {
    this.#closePromise ??= this.#shutdown();
    return this.#closePromise;
  }

  async #shutdown(): Promise<void> {
    const grace = this.#opts.closeGraceMs ?? 1000;
    if (this.#exit === undefined && !this.#stdinDead) {
      const bye = this.#send("shutdown", {}, grace, performance.now());
      this.#closing = true;
      await within(Promise.race([bye, this.#child.status]), grace + 50);
    }
    this.#closing = true;
    this.#writerClosed = this.#writer.close().catch(() => {});
    if (!(await within(this.#child.status, grace))) {
      try {
        this.#child.kill("SIGKILL");
      } catch {
        // already gone
      }
    }
    await this.#child.status.catch(() => {});
    await within(this.#writerClosed, 500);
    if (!(await within(this.#pumps, 500))) {
      // a grandchild may hold the pipes open: stop reading
      await Promise.all(this.#readers.map((r) => r.cancel().catch(() => {})));
      await this.#pumps;
    }
    await this.#exitWatch;
    this.#fault("driver session is closed");
    this.#closed = true;
    await Deno.remove(this.#base, { recursive: true }).catch(() => {});
  }
}

/**
 * Start a driver in fresh temporary directories (cwd, HOME, TMPDIR under one
 * temporary directory), with a minimal environment, and exchange `hello`.
 *
 * @param opts the command, environment, canaries and bounds
 * @returns the live session, or why the driver could not be started
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const r = await startDriver({ command: ["/nonexistent/driver"], canaries: () => [] });
 * assert.equal(r.ok, false);
 * ```
 */
export async function startDriver(opts: DriverHostOptions): Promise<StartDriverResult> {
  if (opts.command.length === 0 || opts.command[0] === "") {
    return { ok: false, detail: "empty driver command" };
  }
  const base = await Deno.makeTempDir({ prefix: "ron-driver-" });
  const dirs = { cwd: `${base}/cwd`, home: `${base}/home`, tmp: `${base}/tmp` };
  for (const d of Object.values(dirs)) await Deno.mkdir(d);
  const [program, args] = resolveCommand(opts.command);
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(program, {
      args,
      cwd: dirs.cwd,
      env: driverEnv(dirs, opts.env ?? {}),
      clearEnv: true,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    await Deno.remove(base, { recursive: true }).catch(() => {});
    const mask = (s: string) => maskCanaries(s, opts.canaries());
    return { ok: false, detail: mask(`cannot start driver ${JSON.stringify(program)}: ${errorMessage(e)}`) };
  }
  const session = new Session(child, base, dirs, opts);
  const helloMs = opts.helloTimeoutMs ?? 10_000;
  const r = await session.call("hello", { protocol: PROTOCOL_VERSION }, helloMs);
  let detail: string;
  switch (r.kind) {
    case "ok":
      session.helloResult = r.result;
      return { ok: true, session };
    case "sdk_error":
      detail = `hello failed: ${r.error.type}${r.error.message ? `: ${r.error.message}` : ""}`;
      break;
    case "no_reply":
      detail = `no reply to hello within ${helloMs} ms; stderr tail: ${JSON.stringify(session.stderrTail())}`;
      break;
    case "driver_fault":
      detail = r.detail;
      break;
    default: {
      const _x: never = r;
      detail = String(_x);
    }
  }
  await session.close();
  return { ok: false, detail: maskCanaries(detail, opts.canaries()) };
}
