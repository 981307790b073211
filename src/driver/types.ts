/**
 * A driver session, as the checks use it.
 *
 * @module
 */
import type { HelloResult, Op, OpResult, SdkError } from "../schema/protocol.ts";
import type { LeakFinding } from "../schema/evidence.ts";

/** The result of one driver call. */
export type CallResult<O extends Op> =
  | { kind: "ok"; result: OpResult<O>; ms: number }
  | { kind: "sdk_error"; error: SdkError; ms: number }
  /** no reply within the call's time limit (the driver is then restarted) */
  | { kind: "no_reply"; ms: number }
  /** the driver broke the protocol, exited or crashed; `detail` says what, with stderr tail (masked) */
  | { kind: "driver_fault"; detail: string; ms: number };

/** One live driver process for one check. */
export interface DriverSession {
  readonly hello: HelloResult;
  /** call an op; never throws for driver behaviour; `timeoutMs` bounds the wait */
  call<O extends Op>(op: O, params: Record<string, unknown>, timeoutMs: number): Promise<CallResult<O>>;
  /** SDK output so far (non-protocol stdout lines and stderr lines), raw */
  output(): string[];
  /** the driver's working directory, HOME and TMPDIR (fresh temporary directories) */
  readonly dirs: { cwd: string; home: string; tmp: string };
  /** scan output, replies and files under `dirs` for these canaries */
  scan(canaries: string[]): Promise<LeakFinding[]>;
  /** shut down (shutdown op, then kill after a grace period) and remove the directories */
  close(): Promise<void>;
}
