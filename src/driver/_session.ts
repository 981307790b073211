/**
 * One live driver: the JSON Lines exchange (pipelined, every reply validated), its output kept
 * as bounded evidence and scanned for canaries, and its end (the whole process group, the
 * temporary directories). Internal to the driver host; see `host.ts`.
 *
 * @module
 */
import { type HelloResult, type Op, OP_RESULTS, ReplySchema } from "../schema/protocol.ts";
import { formatIssues } from "../schema/issues.ts";
import type { LeakFinding } from "../schema/evidence.ts";
import type { CallResult, DriverSession } from "./types.ts";
import { BoundedLog } from "./_bounded_log.ts";
import { leakFindings, maskCanaries, type TaggedFinding, taggedLeakFindings } from "./canary.ts";
import { describeScan, scanDir } from "./_scan_tree.ts";
import { deadline } from "../util/deadline.ts";
import { errorMessage } from "../util/error_message.ts";
import { classifyLine, encodeRequest, LineSplitter, type Split } from "./jsonl.ts";
import { describeOversized, LongLine } from "./_long_line.ts";
import { endProcess } from "./_process_group.ts";

/** Longest quote of an offending line in a fault detail. */
const QUOTE_MAX = 300;
/** Replies kept for canary scans (UTF-16 code units). */
const MAX_REPLY_CHARS = 4 * 1024 * 1024;
/** Findings kept from output that was dropped before a scan. */
const MAX_DROPPED_FINDINGS = 200;
/** Findings returned by one scan, per place and in total. */
const MAX_FINDINGS_PER_WHERE = 20;
const MAX_FINDINGS = 500;

/** Whether `p` settled (resolved or rejected) within `ms`. */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  return (await deadline(p.then(() => {}, () => {}), ms)).ok;
}

interface Entry {
  where: string;
  text: string;
  found: TaggedFinding[];
}

interface Pending {
  op: Op;
  t0: number;
  timer: ReturnType<typeof setTimeout>;
  settle: (r: CallResult<Op>) => void;
}

/** What a session needs from the host. */
export interface SessionParts {
  child: Deno.ChildProcess;
  /** the driver's own process group, when it has one */
  pgid: number | undefined;
  /** the temporary directory holding `dirs` and the CA file (removed at close) */
  base: string;
  dirs: { cwd: string; home: string; tmp: string };
  caFile: string | undefined;
  canaries: () => string[];
  callTimeoutMs: number;
  maxOutputBytes: number;
  closeGraceMs: number;
  /** called once the session has ended and its directories are gone */
  onClosed: () => void;
}

/** A live driver session (see `DriverSession`). */
export class Session implements DriverSession {
  #hello: HelloResult | undefined;
  readonly dirs: { cwd: string; home: string; tmp: string };
  readonly caFile?: string;
  readonly #p: SessionParts;
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #readers: ReadableStreamDefaultReader<Uint8Array>[] = [];
  readonly #enc = new TextEncoder();
  readonly #pending = new Map<number, Pending>();
  readonly #timedOut = new Set<number>();
  /** ids answered, and the op each answered */
  readonly #answered = new Map<number, Op>();
  readonly #output: BoundedLog<Entry>;
  readonly #replies = new BoundedLog<Entry>(MAX_REPLY_CHARS);
  readonly #stdoutSplit = new LineSplitter();
  #long: LongLine | undefined;
  #droppedFindings: TaggedFinding[] = [];
  #nextId = 0;
  #broken: string | undefined;
  #exit: Deno.CommandStatus | undefined;
  #stdinDead = false;
  #closing = false;
  #closed = false;
  #closePromise: Promise<void> | undefined;
  readonly #pumps: Promise<void>;
  readonly #exitWatch: Promise<void>;

  /** when the driver started (ms since the epoch): files in the system temp folder older than this are not its */
  readonly #startedAt = Date.now();
  /** what the last file scan covered, one sentence per folder */
  #coverage: string[] = [];

  constructor(parts: SessionParts) {
    this.#p = parts;
    this.#child = parts.child;
    this.dirs = parts.dirs;
    if (parts.caFile !== undefined) this.caFile = parts.caFile;
    this.#output = new BoundedLog(parts.maxOutputBytes);
    this.#writer = parts.child.stdin.getWriter();
    this.#writer.closed.catch(() => {});
    this.#pumps = Promise.all([
      this.#pump(parts.child.stdout, "stdout", this.#stdoutSplit),
      this.#pump(parts.child.stderr, "stderr", new LineSplitter()),
    ]).then(() => {});
    this.#exitWatch = parts.child.status.then(async (status) => {
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
    return maskCanaries(text, this.#p.canaries());
  }

  #quote(line: string): string {
    const m = this.#mask(line.length > QUOTE_MAX * 4 ? line.slice(0, QUOTE_MAX * 4) : line);
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
    const masked = this.#mask(detail);
    this.#broken ??= masked;
    for (const [id, p] of this.#pending) this.#settle(id, p, { kind: "driver_fault", detail: masked });
  }

  /** Settle one call in flight (the result without its `ms`). */
  #settle(id: number, p: Pending, r: DistributiveOmit<CallResult<Op>, "ms">): void {
    this.#pending.delete(id);
    this.#answered.set(id, p.op);
    clearTimeout(p.timer);
    p.settle({ ...r, ms: performance.now() - p.t0 } as CallResult<Op>);
  }

  async #pump(
    stream: ReadableStream<Uint8Array>,
    src: "stdout" | "stderr",
    split: LineSplitter,
  ): Promise<void> {
    const reader = stream.getReader();
    this.#readers.push(reader);
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        for (const s of split.push(value)) this.#onSplit(src, s);
      }
    } catch {
      // cancelled or broken pipe: the end of the stream
    } finally {
      reader.releaseLock();
    }
    for (const s of split.end()) this.#onSplit(src, s);
  }

  #keep(log: BoundedLog<Entry>, where: string, text: string): void {
    const found = taggedLeakFindings(text, this.#p.canaries(), where);
    for (const gone of log.push({ where, text, found })) {
      if (this.#droppedFindings.length < MAX_DROPPED_FINDINGS) this.#droppedFindings.push(...gone.found);
    }
  }

  #onSplit(src: "stdout" | "stderr", s: Split): void {
    if (s.kind === "line") {
      if (src === "stdout") {
        const c = classifyLine(s.text);
        if (c.kind === "reply") return this.#onReply(c.id, c.value, s.text);
      }
      return this.#keep(this.#output, `driver ${src}`, s.text);
    }
    if (src === "stderr") return this.#keep(this.#output, "driver stderr", s.text);
    if (s.at === "first") this.#long = new LongLine(s.text, (id) => this.#pending.get(id)?.op);
    const long = this.#long;
    if (!long) return this.#keep(this.#output, "driver stdout", s.text);
    this.#keep(long.where === "driver stdout" ? this.#output : this.#replies, long.where, s.text);
    const done = long.piece(s);
    if (s.at === "last") this.#long = undefined;
    if (done) this.#onOversized(done.id, done.ok, done.bytes, true);
  }

  /** A reply too long for one line: the call it answers ends with a driver fault that says so. */
  #onOversized(id: number | undefined, ok: boolean | undefined, bytes: number, ended: boolean): void {
    if (this.#closed) return;
    const { what, limit, oversized } = describeOversized(bytes, ok, ended);
    if (id !== undefined) {
      const p = this.#pending.get(id);
      if (p) return this.#settle(id, p, { kind: "driver_fault", detail: `${what} ${limit}`, oversized });
      if (this.#timedOut.has(id)) return; // late reply of a call given up
      const op = this.#answered.get(id);
      if (op) return this.#fault(`duplicate reply for id ${id} (${op} was answered already): ${what}`);
      return this.#fault(`${what} with unknown id ${id} (no call with that id is in flight) ${limit}`);
    }
    const only = this.#pending.size === 1 ? [...this.#pending][0] : undefined;
    if (!only) return this.#fault(`${what} whose id could not be read ${limit}`);
    const detail = `${what} (its id could not be read) ${limit}`;
    this.#settle(only[0], only[1], { kind: "driver_fault", detail, oversized });
  }

  #onReply(id: number, value: unknown, line: string): void {
    const p = this.#pending.get(id);
    this.#keep(this.#replies, p ? `reply to ${p.op}` : `reply (id ${id})`, line);
    if (this.#closed) return;
    if (!p) {
      if (this.#timedOut.has(id) || this.#broken !== undefined) return; // late reply of a call given up
      const op = this.#answered.get(id);
      if (op) {
        return this.#fault(`duplicate reply for id ${id} (${op} was answered already): ${this.#quote(line)}`);
      }
      return this.#fault(
        `reply with unknown id ${id} (no call with that id is in flight): ${this.#quote(line)}`,
      );
    }
    const parsed = ReplySchema.safeParse(value);
    if (!parsed.success) {
      return this.#fault(
        `malformed reply to ${p.op} (id ${id}): ${formatIssues(parsed.error.issues, value)}; line: ${
          this.#quote(line)
        }`,
      );
    }
    const reply = parsed.data;
    if (!reply.ok) return this.#settle(id, p, { kind: "sdk_error", error: reply.error });
    const result = OP_RESULTS[p.op].safeParse(reply.result);
    if (!result.success) {
      return this.#fault(
        `reply to ${p.op} (id ${id}) does not match the ${p.op} result schema: ${
          formatIssues(result.error.issues, reply.result)
        }; line: ${this.#quote(line)}`,
      );
    }
    this.#settle(id, p, { kind: "ok", result: result.data });
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

  /** A call's time is up: no reply, or a reply still arriving on one over-long line. */
  #onTimeout(id: number, op: Op, ms: number): void {
    const p = this.#pending.get(id);
    if (!p) return;
    const long = this.#long;
    if (long?.object && (long.id === id || (long.id === undefined && this.#pending.size === 1))) {
      long.id = id; // its end, when it comes, is then a late reply
      this.#onOversized(id, long.ok, this.#stdoutSplit.pendingBytes, false);
      this.#broken ??= `a reply to ${op} (id ${id}) longer than the line limit had no newline after ${ms} ms`;
      this.#timedOut.add(id);
      return;
    }
    this.#pending.delete(id);
    clearTimeout(p.timer);
    this.#timedOut.add(id);
    this.#broken ??= `no reply to ${op} (id ${id}) within ${ms} ms`;
    p.settle({ kind: "no_reply", ms: performance.now() - p.t0 });
  }

  #send<O extends Op>(
    op: O,
    params: Record<string, unknown>,
    timeoutMs: number,
    t0: number,
  ): Promise<CallResult<O>> {
    const ms = Number.isFinite(timeoutMs) && timeoutMs > 0 ? timeoutMs : this.#p.callTimeoutMs;
    const id = ++this.#nextId;
    const line = encodeRequest(id, op, params);
    const result = new Promise<CallResult<O>>((resolve) => {
      const timer = setTimeout(() => this.#onTimeout(id, op, ms), ms);
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

  scan(canaries: string[]): Promise<LeakFinding[]> {
    return this.#scan(canaries, false);
  }

  async #scan(canaries: string[], systemTemp: boolean): Promise<LeakFinding[]> {
    const all: LeakFinding[] = [];
    if (canaries.length === 0) return all;
    const wanted = new Set(canaries);
    for (const t of this.#droppedFindings) if (wanted.has(t.canary)) all.push(t.finding);
    for (const e of [...this.#output.entries(), ...this.#replies.entries()]) {
      all.push(...leakFindings(e.text, canaries, e.where));
    }
    const coverage: string[] = [];
    const folders: [string, string, number | undefined][] = [
      [this.dirs.cwd, "cwd", undefined],
      [this.dirs.home, "HOME", undefined],
      [this.dirs.tmp, "TMPDIR", undefined],
    ];
    if (systemTemp) {
      // A driver may ignore TMPDIR and write to the system temp folder. Only the entries made since
      // it started are read (a shared /tmp holds other programs' trees: walking it is not bounded).
      for (const [path, label, isDir] of newTempEntries(this.#startedAt - 1000, 50)) {
        if (isDir) folders.push([path, label, undefined]);
        else {
          const text = await readHead(path, 8 * 1024 * 1024);
          if (text !== undefined) all.push(...leakFindings(text, canaries, `file ${label}`));
          coverage.push(`${label}: scanned (new since the driver started)`);
        }
      }
    }
    for (const [dir, label, since] of folders) {
      const r = await scanDir(
        dir,
        canaries,
        label,
        since !== undefined ? { since, maxFiles: 2_000, maxDirs: 500 } : {},
      );
      all.push(...r.findings);
      coverage.push(describeScan(r, label));
    }
    this.#coverage = coverage;
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

  scanCoverage(): string[] {
    return [...this.#coverage];
  }

  async endAndScan(canaries: string[]): Promise<LeakFinding[]> {
    if (!this.#closed) await this.#end(false).catch(() => {});
    return await this.#scan(canaries, true);
  }

  close(): Promise<void> {
    this.#closePromise ??= this.#shutdown(false);
    return this.#closePromise;
  }

  /**
   * End at once (the kit is being stopped): no `shutdown` op, SIGTERM to the group, SIGKILL
   * after a short grace, directories removed. Joins a close already under way.
   *
   * @returns when the session has ended
   */
  terminate(): Promise<void> {
    this.#closePromise ??= this.#shutdown(true);
    return this.#closePromise;
  }

  /**
   * The last resort when the process exits with this session still open: SIGKILL the driver's
   * group (or the driver) and remove the directories, synchronously.
   */
  killNow(): void {
    if (this.#closed) return;
    const pgid = this.#p.pgid;
    try {
      if (pgid !== undefined) Deno.kill(-pgid, "SIGKILL");
      else this.#child.kill("SIGKILL");
    } catch {
      // already gone
    }
    try {
      Deno.removeSync(this.#p.base, { recursive: true });
    } catch {
      // already gone
    }
  }

  /** Stop the driver: with `fast`, no shutdown op and a short grace. */
  async #end(fast: boolean): Promise<void> {
    const grace = fast ? Math.min(300, this.#p.closeGraceMs) : this.#p.closeGraceMs;
    if (!fast && this.#exit === undefined && !this.#stdinDead) {
      const bye = this.#send("shutdown", {}, grace, performance.now());
      this.#closing = true;
      await within(Promise.race([bye, this.#child.status]), grace + 50);
    }
    this.#closing = true;
    const writerClosed = this.#writer.close().catch(() => {});
    await endProcess(this.#child, this.#p.pgid, { graceMs: grace, fast });
    await within(writerClosed, 500);
  }

  async #shutdown(fast: boolean): Promise<void> {
    try {
      await this.#end(fast);
      if (!(await within(this.#pumps, 500))) {
        // a process outside the group may hold the pipes open: stop reading
        await Promise.all(this.#readers.map((r) => r.cancel().catch(() => {})));
        await within(this.#pumps, 1000);
      }
      await within(this.#exitWatch, 1000);
      this.#fault("driver session is closed");
      this.#closed = true;
    } finally {
      await Deno.remove(this.#p.base, { recursive: true }).catch(() => {});
      this.#p.onClosed();
    }
  }
}

/** `Omit` over each member of a union. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * The entries of the system temp folder made since `since` (ms), at most `max`, excluding the
 * kit's own `ron-driver-*` folders: `[path, label]` pairs to scan.
 */
function newTempEntries(since: number, max: number): [string, string, boolean][] {
  const dir = systemTempDir();
  if (dir === undefined) return [];
  const out: [string, string, boolean][] = [];
  try {
    for (const e of Deno.readDirSync(dir)) {
      if (out.length >= max) break;
      if (e.name.startsWith("ron-driver-") || e.isSymlink) continue;
      try {
        const st = Deno.lstatSync(`${dir}/${e.name}`);
        const made = Math.max(st.birthtime?.getTime() ?? 0, st.mtime?.getTime() ?? 0);
        if (made >= since && (st.isFile || st.isDirectory)) {
          out.push([`${dir}/${e.name}`, `system temp/${e.name}`, st.isDirectory]);
        }
      } catch {
        // gone
      }
    }
  } catch {
    // unreadable
  }
  return out;
}

/** The first `max` bytes of a regular file as text (lossy), or undefined when it cannot be read. */
async function readHead(path: string, max: number): Promise<string | undefined> {
  try {
    const f = await Deno.open(path, { read: true });
    try {
      const buf = new Uint8Array(max);
      let n = 0;
      while (n < max) {
        const r = await f.read(buf.subarray(n));
        if (r === null) break;
        n += r;
      }
      return new TextDecoder().decode(buf.subarray(0, n));
    } finally {
      f.close();
    }
  } catch {
    return undefined;
  }
}

/** The system temp folder (`/tmp` on Linux), if it exists and is not the driver's own TMPDIR. */
function systemTempDir(): string | undefined {
  try {
    const dir = "/tmp";
    return Deno.statSync(dir).isDirectory ? dir : undefined;
  } catch {
    return undefined;
  }
}
