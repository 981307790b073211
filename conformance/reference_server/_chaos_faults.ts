/**
 * The reference server's chaos mutants (`svc.chaos.*`): which protection of the front
 * (`_front.ts`) each one removes. The SSE and write mutants live in `_sse_live.ts` and `server.ts`.
 *
 * @module
 */
import type { FrontOptions } from "./_front.ts";
import type { ServerFault } from "./faults.ts";

/** The cap of the `idle-exhaustion` mutant: a fixed pool of connection workers, as a threaded server has. */
export const IDLE_EXHAUSTION_CAP = 64;

/**
 * The front's options a fault changes.
 *
 * @param fault the server's fault, if any
 * @returns the options to spread into the front's
 * @example
 * ```ts
 * import { frontFaults } from "./_chaos_faults.ts";
 * if (frontFaults("no-head-timeout").noHeadTimeout !== true) throw new Error();
 * if (Object.keys(frontFaults(undefined)).length !== 0) throw new Error();
 * ```
 */
export function frontFaults(
  fault: ServerFault | undefined,
): Pick<FrontOptions, "noHeadTimeout" | "noBodyTimeout" | "maxConnections"> {
  switch (fault) {
    case "no-head-timeout":
      return { noHeadTimeout: true };
    case "no-body-timeout":
      return { noBodyTimeout: true };
    case "idle-exhaustion":
      return { maxConnections: IDLE_EXHAUSTION_CAP };
    default:
      return {};
  }
}
