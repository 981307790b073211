/**
 * A driver session, as the checks use it.
 *
 * @module
 */
import type { HelloResult, Op, OpResult, SdkError } from "../schema/protocol.ts";
import type { LeakFinding } from "../schema/evidence.ts";

/**
 * A reply too long for one protocol line (over `MAX_LINE_BYTES`, 16 MiB): the kit cannot read it,
 * but it knows the driver answered, with how many bytes, and (from the line's first or last keys)
 * whether it was a success. For a size check, `reply: "success"` means the SDK handed the body
 * over instead of refusing it.
 */
export interface Oversized {
  /** the reply line's length in bytes (so far, when it had no newline yet) */
  bytes: number;
  /** what the line's `ok` said: `success` (ok true), `error` (ok false), or `unknown` */
  reply: "success" | "error" | "unknown";
}

/** The result of one driver call. */
export type CallResult<O extends Op> =
  | { kind: "ok"; result: OpResult<O>; ms: number }
  | { kind: "sdk_error"; error: SdkError; ms: number }
  /** no reply within the call's time limit (the driver is then restarted) */
  | { kind: "no_reply"; ms: number }
  /**
   * the driver broke the protocol, exited or crashed; `detail` says what, with stderr tail
   * (masked). `oversized` is set when the call's reply was too long for one line (the detail then
   * reads e.g. "reply of 67108900 bytes exceeds the 16 MiB line limit; the SDK returned the body
   * instead of refusing it"): a size check may judge that as the SDK not refusing the body.
   */
  | { kind: "driver_fault"; detail: string; ms: number; oversized?: Oversized };

/** One live driver process for one check. */
export interface DriverSession {
  readonly hello: HelloResult;
  /** call an op; never throws for driver behaviour; `timeoutMs` bounds the wait */
  call<O extends Op>(op: O, params: Record<string, unknown>, timeoutMs: number): Promise<CallResult<O>>;
  /** SDK output so far (non-protocol stdout lines and stderr lines), raw */
  output(): string[];
  /** the driver's working directory, HOME and TMPDIR (fresh temporary directories) */
  readonly dirs: { cwd: string; home: string; tmp: string };
  /**
   * the run's CA as a PEM file, also exported in SSL_CERT_FILE, NODE_EXTRA_CA_CERTS,
   * REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE and DENO_CERT (absent when the host was given no CA):
   * give it to the SDK as `configure`'s `ca_cert_file`
   */
  readonly caFile?: string;
  /** scan output, replies and files under `dirs` for these canaries */
  scan(canaries: string[]): Promise<LeakFinding[]>;
  /** what the last `scan` covered: one sentence per folder ("HOME: scanned 3 files …; skipped …") */
  scanCoverage?(): string[];
  /**
   * end the driver (the `shutdown` op, then its process group), then scan, the files its run
   * created in the system temp folder too: finds what the driver writes while it exits or outside
   * TMPDIR; the directories stay until `close()`
   */
  endAndScan?(canaries: string[]): Promise<LeakFinding[]>;
  /**
   * shut down (shutdown op, then SIGTERM and SIGKILL to the driver's process group after grace
   * periods) and remove the directories
   */
  close(): Promise<void>;
}
