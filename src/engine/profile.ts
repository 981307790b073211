/**
 * A profile is a value: its name, its task, its flags, how it opens a target (capabilities,
 * context, close), its checks and its mutants. One pipeline (`cli/`) runs every profile; adding a
 * profile is one folder that exports a `defineProfile(...)` value, plus one entry in
 * `cli/profiles.ts`.
 *
 * `defineProfile` validates the checks against the profile (ids, capabilities, mutants) when it
 * loads, and hides the profile's context type behind `run()`, so the pipeline handles every
 * profile alike.
 *
 * @module
 */
import { type CheckStart, type ContextLease, runChecks } from "./runner.ts";
import type { BaseContext, Check, CheckResult, Level } from "./types.ts";
import type { LevelRequirements } from "./certification.ts";

/** A result that is either a value or a message for the user (exit code 2). */
export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * How a profile's session started. `unavailable` marks a missing tool (e.g. no Toxiproxy and no
 * Go to install it): the selftest then skips the profile with a note, except in CI.
 */
export type StartResult<T> = { ok: true; value: T } | { ok: false; error: string; unavailable?: boolean };

/** A flag a profile adds to the pipeline's common flags. */
export interface FlagSpec {
  /** e.g. "--driver" */
  name: `--${string}`;
  /** the value's placeholder (`CMD`, `FILE`); absent for a switch */
  value?: string;
  /** may be given more than once (every value is kept) */
  repeat?: boolean;
  /** one line of help */
  help: string;
}

/** Parsed profile flags: a value flag maps to its values (in order), a switch to `true`. */
export type ProfileFlags = Readonly<Record<string, readonly string[] | true>>;

/**
 * The values of a profile's value flag (empty when absent).
 *
 * @param flags the parsed profile flags
 * @param name the flag, e.g. "--driver"
 * @returns its values, in order
 * @example
 * ```ts
 * import { flagValues } from "./profile.ts";
 * if (flagValues({ "--driver": ["a", "b"] }, "--driver").length !== 2) throw new Error();
 * if (flagValues({}, "--driver").length !== 0) throw new Error();
 * ```
 */
export function flagValues(flags: ProfileFlags, name: string): readonly string[] {
  const v = flags[name];
  return Array.isArray(v) ? v : [];
}

/** What every profile's run shares: the seed, the bound on concurrency and where to say things. */
export interface RunEnv {
  /** the run's seed */
  readonly seed: number;
  /** checks at once */
  readonly concurrency: number;
  /** one line for the user (masked by the caller) */
  log(line: string): void;
}

/** The target as a report names it. */
export interface TargetInfo {
  name: string;
  version: string;
  language: string;
  capabilities: string[];
}

/** A target that is open: what it declares, and how to build one check's context. */
export interface OpenTarget<C extends BaseContext> {
  readonly info: TargetInfo;
  /** the target's capabilities plus the kit's pseudo-capabilities for this run */
  readonly capabilities: ReadonlySet<string>;
  /** every secret minted so far (reports mask them) */
  canaries(): string[];
  /** the default per-check time limit, if the profile has its own */
  readonly defaultTimeLimitMs?: number;
  /** why a check cannot judge this target (an element its description lacks), else undefined */
  inapplicable?(id: string): string | undefined;
  makeContext(check: Check<C>, signal: AbortSignal, note: (line: string) => void): Promise<ContextLease<C>>;
  /** stop what the kit started for this target */
  close(): Promise<void>;
}

/** A target a run can open: the user's (from flags), the bundled reference, or a mutant of it. */
export interface TargetSpec<C extends BaseContext> {
  /** how the run names it: "reference client", the --driver text, the target file */
  readonly label: string;
  /** the command that repeats this run (without --only / --seed) */
  readonly command: string;
  open(): Promise<Result<OpenTarget<C>>>;
}

/** What a profile holds for the whole run (chaos: the Toxiproxy server), closed at the end. */
export interface ProfileSession<C extends BaseContext> {
  /** lines to print once the session is up (e.g. "toxiproxy: toxiproxy-server 2.12.0") */
  readonly banner: readonly string[];
  /** the targets the flags name; with none, the bundled reference */
  targets(flags: ProfileFlags): Result<TargetSpec<C>[]>;
  /** the bundled reference, or one of its mutants by name */
  reference(mutant?: string): TargetSpec<C>;
  /** after every target ran: compare them (the sdk profile's interop), if the profile can */
  compare?(targets: readonly { name: string; spec: TargetSpec<C> }[]): Promise<Comparison>;
  close(): Promise<void>;
}

/** Where several targets disagree (one row per fixture). */
export interface Comparison {
  disagreements: { fixture: string; outcomes: Record<string, string> }[];
  canaries: string[];
  lines: string[];
}

/** One mutant of a profile's reference: a name, and what its fault is. */
export interface MutantSpec {
  /** the name checks list in their `mutants` and the selftest row shows, e.g. "no-backoff" */
  name: string;
  /** what the one fault is */
  description?: string;
}

/** A profile, as its folder defines it. `C` is the context its checks run in. */
export interface ProfileSpec<C extends BaseContext> {
  /** the first segment of every check id: "sdk", "svc", "chaos" */
  name: string;
  /** the deno task that runs it: "certify", "certify:server", "chaos" */
  task: string;
  /** one line: what the profile certifies */
  title: string;
  /** 3 for `profile.area.name`; 2 for `profile.name` (the chaos catalogue) */
  idSegments: 2 | 3;
  /** the folder (from the repository root) that holds the area files: `conformance/sdk` */
  home: string;
  /** the capabilities its checks may require (the target's and the kit's pseudo-capabilities) */
  capabilities: readonly string[];
  /** the flags it adds to the common ones */
  flags: readonly FlagSpec[];
  /** @default 4 */
  defaultConcurrency?: number;
  /** how many selftest rows run at once (each row runs its checks with its own concurrency) */
  selftestConcurrency?: number;
  /** every check, by area file */
  areas: Readonly<Record<string, readonly Check<C>[]>>;
  /** the mutants its reference can be built as */
  mutants: readonly MutantSpec[];
  /**
   * the capabilities a target must declare for each level (docs/DESIGN.md "Certification
   * levels"); a level is never awarded while one is missing @default none required
   */
  levels?: LevelRequirements;
  /** validate the flags that need the profile's knowledge (optional) */
  checkFlags?(flags: ProfileFlags): Result<true>;
  /** lines to print under the scorecard (e.g. the svc probe totals) */
  footer?(results: readonly CheckResult[]): string[];
  /** start the run's session (start services the whole run shares) */
  start(env: RunEnv): Promise<StartResult<ProfileSession<C>>>;
}

/** What the pipeline sees of a check: its metadata, without `run`. */
export interface CheckInfo {
  /** `profile.area.name` */
  id: string;
  /** the rule, in one line */
  title: string;
  /** MUST, SHOULD or FUTURE */
  level: Level;
  /** the seed (file and section) or norm the rule comes from */
  source: string;
  /** why the rule matters */
  rationale?: string;
  /** capabilities the target must have, else `not_applicable` */
  requires: readonly string[];
  /** the mutants that must fail it */
  mutants: readonly string[];
  /** its time limit in ms, when it has its own */
  timeLimitMs?: number;
  /** the area file that defines it (`retry` for `conformance/sdk/retry.ts`) */
  area: string;
}

/** Options of one run of a profile's checks against an open target. */
export interface RunSelection {
  /** ids or id prefixes to run (default: every check) */
  only?: readonly string[];
  /** checks at once */
  concurrency: number;
  /** the run's seed */
  seed: number;
  /** called as each check starts (not for a check that is not applicable) */
  onStart?(c: CheckStart): void;
  /** called as each check ends */
  onProgress?(r: CheckResult, done: number, total: number): void;
}

/** An opened target, its context type hidden: run the checks, then close. */
export interface OpenedRun {
  /** the target as reports name it */
  readonly info: TargetInfo;
  /** its capabilities plus the run's pseudo-capabilities */
  readonly capabilities: ReadonlySet<string>;
  /** the secrets minted so far (mask them) */
  canaries(): string[];
  /** run the profile's checks */
  run(sel: RunSelection): Promise<CheckResult[]>;
  /** stop what the kit started for the target */
  close(): Promise<void>;
}

/** A target spec whose context type is hidden. */
export interface RunnableTarget {
  /** how the run names it */
  readonly label: string;
  /** the command that repeats this run */
  readonly command: string;
  /** start it and read what it declares */
  open(): Promise<Result<OpenedRun>>;
}

/** A running profile session whose context type is hidden. */
export interface Session {
  /** lines to print once the session is up */
  readonly banner: readonly string[];
  /** the targets the flags name */
  targets(flags: ProfileFlags): Result<RunnableTarget[]>;
  /** the bundled reference, or one of its mutants */
  reference(mutant?: string): RunnableTarget;
  /** compare several targets, when the profile can */
  compare?(targets: readonly { name: string; spec: RunnableTarget }[]): Promise<Comparison>;
  /** stop what the session started */
  close(): Promise<void>;
}

/**
 * What a profile is, as data: its name, task, flags, checks, mutants and level requirements.
 * This is what a vendor reads (e.g. to list the checks); {@linkcode Profile} adds how to run it.
 */
export interface ProfileInfo {
  /** the first segment of every check id: "sdk", "svc", "chaos" */
  readonly name: string;
  /** the deno task that runs it: "certify", "certify:server", "chaos" */
  readonly task: string;
  /** what it certifies, in one line */
  readonly title: string;
  /** 3 for `profile.area.name`, 2 for `profile.name` */
  readonly idSegments: 2 | 3;
  /** the folder (from the repository root) that holds its area files, e.g. "conformance/sdk" */
  readonly home: string;
  /** the capabilities its checks may require (the target's and the kit's pseudo-capabilities) */
  readonly capabilities: readonly string[];
  /** the flags it adds to the pipeline's common ones */
  readonly flags: readonly FlagSpec[];
  /** checks at once, unless `--concurrency` says otherwise */
  readonly defaultConcurrency: number;
  /** selftest rows at once */
  readonly selftestConcurrency: number;
  /** every check's metadata, sorted by id */
  readonly checks: readonly CheckInfo[];
  /** the mutants its reference can be built as (each named by a check) */
  readonly mutants: readonly MutantSpec[];
  /** the capabilities a target must declare for each level (empty lists: none required) */
  readonly levels: LevelRequirements;
}

/** A profile as the pipeline sees it: its data ({@linkcode ProfileInfo}) plus how to run it. */
export interface Profile extends ProfileInfo {
  /** validate the profile's flags */
  checkFlags(flags: ProfileFlags): Result<true>;
  /** lines under the scorecard */
  footer(results: readonly CheckResult[]): string[];
  /** start the run's session */
  start(env: RunEnv): Promise<StartResult<Session>>;
}

/**
 * The file name (without `.ts`) that holds a check, from its id's second segment (the area of
 * `profile.area.name`, or the name of a two-segment id), `-` written `_`.
 *
 * @param id a check id
 * @returns the area file's base name
 * @example
 * ```ts
 * import { areaFile } from "./profile.ts";
 * if (areaFile("chaos.half-open") !== "half_open" || areaFile("sdk.retry.bounded") !== "retry") throw new Error();
 * ```
 */
export function areaFile(id: string): string {
  return (id.split(".")[1] ?? "").replaceAll("-", "_");
}

const SEGMENT = /^[a-z0-9]+(-[a-z0-9]+)*$/;

function problems<C extends BaseContext>(spec: ProfileSpec<C>): string[] {
  const out: string[] = [];
  const caps = new Set(spec.capabilities);
  const mutants = new Set(spec.mutants.map((m) => m.name));
  const seen = new Set<string>();
  for (const [area, list] of Object.entries(spec.areas)) {
    for (const c of list) {
      const segs = c.id.split(".");
      if (
        segs.length !== spec.idSegments || segs[0] !== spec.name ||
        !segs.slice(1).every((s) => SEGMENT.test(s))
      ) {
        out.push(
          `${c.id}: id must be ${
            spec.idSegments === 3 ? `${spec.name}.area.name` : `${spec.name}.name`
          } in kebab-case`,
        );
      } else if (areaFile(c.id) !== area) {
        out.push(`${c.id}: defined in area file "${area}", its id names "${areaFile(c.id)}"`);
      }
      if (seen.has(c.id)) out.push(`${c.id}: defined twice`);
      seen.add(c.id);
      for (const r of c.requires) if (!caps.has(r)) out.push(`${c.id}: requires unknown capability "${r}"`);
      for (const m of c.mutants) {
        if (!mutants.has(m)) out.push(`${c.id}: names mutant "${m}", which ${spec.name} does not build`);
      }
    }
  }
  return out;
}

function erase<C extends BaseContext>(spec: TargetSpec<C>, checks: readonly Check<C>[]): RunnableTarget {
  return {
    label: spec.label,
    command: spec.command,
    async open(): Promise<Result<OpenedRun>> {
      const t = await spec.open();
      if (!t.ok) return t;
      const target = t.value;
      return {
        ok: true,
        value: {
          info: target.info,
          capabilities: target.capabilities,
          canaries: () => target.canaries(),
          run: (sel) =>
            runChecks(checks, {
              concurrency: sel.concurrency,
              seed: sel.seed,
              capabilities: target.capabilities,
              makeContext: (c, signal, note) => target.makeContext(c, signal, note),
              ...(sel.only && sel.only.length > 0 ? { only: [...sel.only] } : {}),
              ...(target.defaultTimeLimitMs !== undefined
                ? { defaultTimeLimitMs: target.defaultTimeLimitMs }
                : {}),
              ...(target.inapplicable ? { inapplicable: (id: string) => target.inapplicable?.(id) } : {}),
              ...(sel.onProgress ? { onProgress: sel.onProgress } : {}),
              ...(sel.onStart ? { onStart: sel.onStart } : {}),
            }),
          close: () => target.close(),
        },
      };
    },
  };
}

/**
 * Define a profile: validate its checks and hide its context type.
 *
 * Throws (the load fails) when a check's id does not start with the profile's name, has the
 * wrong number of segments, lives in a file its id does not name, is defined twice, requires a
 * capability the profile does not know, or names a mutant the profile does not build.
 *
 * @param spec the profile
 * @returns the profile as the pipeline runs it
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defineProfile } from "./profile.ts";
 * import { verdict } from "./types.ts";
 * const check = {
 *   id: "demo.area.ok", title: "t", level: "MUST" as const, source: "000 §1", requires: [],
 *   mutants: [], run: () => Promise.resolve(verdict.pass()),
 * };
 * const p = defineProfile({
 *   name: "demo", task: "demo", title: "a demo", idSegments: 3, home: "demo", capabilities: [], flags: [],
 *   areas: { area: [check] }, mutants: [],
 *   start: () => Promise.resolve({ ok: false, error: "not here" }),
 * });
 * assert.deepEqual(p.checks.map((c) => c.id), ["demo.area.ok"]);
 * assert.throws(
 *   () =>
 *     defineProfile({
 *       name: "demo", task: "demo", title: "a demo", idSegments: 3, home: "demo", capabilities: [], flags: [],
 *       areas: { other: [check] }, mutants: [], start: () => Promise.resolve({ ok: false, error: "not here" }),
 *     }),
 *   /names "area"/,
 * );
 * ```
 */
export function defineProfile<C extends BaseContext>(spec: ProfileSpec<C>): Profile {
  const bad = problems(spec);
  if (bad.length > 0) throw new Error(`profile ${spec.name}:\n  ${bad.join("\n  ")}`);
  const checks: Check<C>[] = Object.values(spec.areas).flat().sort((a, b) => a.id.localeCompare(b.id));
  const infos: CheckInfo[] = checks.map((c) => ({
    id: c.id,
    title: c.title,
    level: c.level,
    source: c.source,
    ...(c.rationale !== undefined ? { rationale: c.rationale } : {}),
    requires: c.requires,
    mutants: c.mutants,
    ...(c.timeLimitMs !== undefined ? { timeLimitMs: c.timeLimitMs } : {}),
    area: areaFile(c.id),
  }));
  return {
    name: spec.name,
    task: spec.task,
    title: spec.title,
    idSegments: spec.idSegments,
    home: spec.home,
    capabilities: spec.capabilities,
    flags: spec.flags,
    defaultConcurrency: spec.defaultConcurrency ?? 4,
    selftestConcurrency: spec.selftestConcurrency ?? 1,
    checks: infos,
    mutants: spec.mutants,
    levels: spec.levels ?? { "beta-ready": [], hardened: [] },
    checkFlags: (flags) => spec.checkFlags?.(flags) ?? { ok: true, value: true },
    footer: (results) => spec.footer?.(results) ?? [],
    async start(env: RunEnv): Promise<StartResult<Session>> {
      const s = await spec.start(env);
      if (!s.ok) return s;
      const session = s.value;
      const compare = session.compare;
      const byRunnable = new Map<RunnableTarget, TargetSpec<C>>();
      const wrap = (t: TargetSpec<C>): RunnableTarget => {
        const r = erase(t, checks);
        byRunnable.set(r, t);
        return r;
      };
      return {
        ok: true,
        value: {
          banner: session.banner,
          targets(flags) {
            const t = session.targets(flags);
            return t.ok ? { ok: true, value: t.value.map(wrap) } : t;
          },
          reference: (mutant) => wrap(session.reference(mutant)),
          ...(compare
            ? {
              compare: (targets: readonly { name: string; spec: RunnableTarget }[]) => {
                const specs: { name: string; spec: TargetSpec<C> }[] = [];
                for (const t of targets) {
                  const spec = byRunnable.get(t.spec);
                  if (spec) specs.push({ name: t.name, spec });
                }
                return compare.call(session, specs);
              },
            }
            : {}),
          close: () => session.close(),
        },
      };
    },
  };
}
