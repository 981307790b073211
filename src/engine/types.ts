/**
 * The check model shared by every suite: checks, verdicts, evidence and the
 * context a check runs in. See docs/DESIGN.md, "Check model".
 *
 * @module
 */

/**
 * Requirement level of a check: `MUST` (its failure costs every certification level), `SHOULD`
 * (costs `hardened`) or `FUTURE` (seed 000 §9 "Future / God-Tier Hooks": costs only `god-tier`).
 */
export type Level = "MUST" | "SHOULD" | "FUTURE";

/** Every requirement level, strongest first (the order of docs/CHECKS.md and the reports). */
export const LEVELS: readonly Level[] = ["MUST", "SHOULD", "FUTURE"];

/** The capabilities a driver may declare in `hello` (docs/PROTOCOL.md). */
export const DRIVER_CAPABILITIES = [
  "http",
  "tls",
  "retry",
  "idempotency",
  "sse",
  "token_provider",
  "concurrency",
  "problem",
  "dto",
  "secret_uri",
  "manifest",
  "zeroize",
  "tls_pq",
  "audit_context",
] as const;

/**
 * One capability name: a driver's (`DRIVER_CAPABILITIES`) or a kit pseudo-capability a profile
 * declares (`ts_module`, `toxiproxy`, `https_target`, `sse_route`, …). Each profile lists the
 * capabilities its checks may require, and `defineProfile` rejects any other.
 */
export type Capability = string;

export type { Evidence, LeakFinding, RecordedRequest } from "../schema/evidence.ts";
import type { Evidence } from "../schema/evidence.ts";

/** The outcome of one check. A kit or driver fault is `error`, never `pass`. */
export type Verdict =
  | { outcome: "pass"; evidence: Evidence }
  | { outcome: "fail"; reason: string; evidence: Evidence }
  | { outcome: "not_applicable"; reason: string }
  | { outcome: "error"; reason: string; evidence?: Evidence };

/** The outcome names, in report order. */
export type Outcome = Verdict["outcome"];

/** What every check receives. The concrete context is built by the runner for each profile. */
export interface BaseContext {
  /** the run's seed (property suites, jitter); stable for re-runs */
  readonly seed: number;
  /** aborted when the check's time limit is reached */
  readonly signal: AbortSignal;
  /** the check's time limit in ms */
  readonly timeLimitMs: number;
  /** add a line to the check's notes (masked later) */
  note(line: string): void;
}

/** A check: a value registered once, by id. `C` is the profile's context type. */
export interface Check<C extends BaseContext = BaseContext> {
  /** "sdk.retry.bounded": profile.area.name, kebab-case, stable forever */
  id: string;
  /** one line a vendor understands */
  title: string;
  /** MUST (its failure costs every certification level), SHOULD (costs `hardened`) or FUTURE (costs `god-tier`) */
  level: Level;
  /** seed file + section, e.g. "000 §2.3 Bounded retries" */
  source: string;
  /** why the rule matters, in one or two sentences a vendor can act on (docs/CHECKS.md) */
  rationale?: string;
  /** capabilities the target must have, else `not_applicable` */
  requires: readonly Capability[];
  /** mutants (by name) that this check must catch in the selftest */
  mutants: readonly string[];
  /** per-check time limit in ms (default 15000) */
  timeLimitMs?: number;
  /**
   * Judge the rule against the target; the runner aborts `ctx.signal` at the time limit.
   *
   * @param ctx the profile's context for this check (seed, signal, target handles)
   * @returns the verdict (a kit or driver fault is `error`, never `pass`)
   */
  run(ctx: C): Promise<Verdict>;
}

/** A check's result as the runner records it. */
export interface CheckResult {
  /** the check's id, `profile.area.name` */
  id: string;
  /** the check's title: the rule in one line */
  title: string;
  /** the check's level */
  level: Level;
  /** the check's source: seed file and section, or norm */
  source: string;
  /** what the check decided: the outcome, with its reason and evidence */
  verdict: Verdict;
  /** how long the check ran, in ms */
  durationMs: number;
}

/**
 * Certification level: beta-ready = every applicable MUST passes; hardened = MUST and SHOULD;
 * god-tier = MUST, SHOULD and every FUTURE check (seed 000 §9), none of them left unproven.
 */
export type Certification = "god-tier" | "hardened" | "beta-ready" | "none";

/** The certification levels a target can be awarded, lowest first. */
export const CERTIFICATIONS: readonly Exclude<Certification, "none">[] = [
  "beta-ready",
  "hardened",
  "god-tier",
];

/** Helpers to build verdicts. */
export const verdict: {
  /** the target met the rule; the evidence shows it */
  pass(evidence?: Evidence): Verdict;
  /** the target broke the rule: the reason says which and how, with numbers */
  fail(reason: string, evidence?: Evidence): Verdict;
  /** the rule does not apply to this target (a capability it does not declare) */
  notApplicable(reason: string): Verdict;
  /** the kit or the driver broke; never a pass */
  error(reason: string, evidence?: Evidence): Verdict;
} = {
  pass(evidence: Evidence = {}): Verdict {
    return { outcome: "pass", evidence };
  },
  fail(reason: string, evidence: Evidence = {}): Verdict {
    return { outcome: "fail", reason, evidence };
  },
  notApplicable(reason: string): Verdict {
    return { outcome: "not_applicable", reason };
  },
  error(reason: string, evidence?: Evidence): Verdict {
    return evidence ? { outcome: "error", reason, evidence } : { outcome: "error", reason };
  },
};
