/**
 * The flags of every profile's task: the common ones (one meaning, one error text, for every
 * profile) plus the few a profile adds (`--driver`, `--target`, …), parsed in one place.
 *
 * @module
 */
import type { FlagSpec, ProfileFlags, Result } from "../src/engine/profile.ts";
import { randomSeed } from "../src/util/args.ts";
import { parseShard, type Shard } from "./shard.ts";

/** The flags every profile's task takes. */
export interface CommonFlags {
  /** @default "reports" */
  out: string;
  /** ids or id prefixes (`--only a,b` may be repeated) */
  only: string[];
  expectFail?: string;
  fixExpectations: boolean;
  /** @default a random seed (printed) */
  seed: number;
  seedGiven: boolean;
  json: boolean;
  /** @default the profile's */
  concurrency?: number;
  /** `--reporter`: CI progress (default: live lines on a TTY, failures only elsewhere) */
  reporter?: ReporterKind;
  /** `--shard K/N`: run only this shard of the selected checks (see `./shard.ts`) */
  shard?: Shard;
  help: boolean;
}

/** The `--reporter` values. */
export const REPORTER_KINDS: readonly ["dot", "line", "json-stream"] = ["dot", "line", "json-stream"];
/** A `--reporter` value. */
export type ReporterKind = (typeof REPORTER_KINDS)[number];

/** Parsed command line: the common flags and the profile's own. */
export interface ParsedFlags {
  common: CommonFlags;
  profile: ProfileFlags;
}

/** The common flags, as help text shows them. */
export const COMMON_FLAGS: readonly FlagSpec[] = [
  { name: "--out", value: "DIR", help: "report directory (default: reports/)" },
  {
    name: "--only",
    value: "ID[,ID]",
    repeat: true,
    help: "run only these checks (ids or id prefixes such as sdk.retry)",
  },
  { name: "--expect-fail", value: "FILE", help: "expected failures, one check id a line, # comments" },
  { name: "--fix-expectations", help: "rewrite the expected-failures file to match this run" },
  {
    name: "--seed",
    value: "N",
    help: "the run's seed (default: random, printed; every failure replays with it)",
  },
  { name: "--json", help: "print report.json to stdout (human output goes to stderr)" },
  { name: "--concurrency", value: "N", help: "checks run at once (1–64)" },
  {
    name: "--reporter",
    value: "dot|line|json-stream",
    help: "progress for CI logs (json-stream: JSON Lines on stdout, other output on stderr)",
  },
  {
    name: "--shard",
    value: "K/N",
    help:
      "run the K-th of N shards of the checks (sorted ids dealt round-robin; merge with matrix --merge-shards)",
  },
  { name: "--help", help: "this text" },
];

/**
 * Usage text for a task: its own flags first, then the common ones.
 *
 * @param task e.g. "certify"
 * @param own the profile's flags
 * @returns the text
 * @example
 * ```ts
 * import { usage } from "./flags.ts";
 * if (!usage("certify", []).includes("--only ID[,ID]")) throw new Error();
 * ```
 */
export function usage(task: string, own: readonly FlagSpec[]): string {
  const rows = [...own, ...COMMON_FLAGS].map((f) => [`${f.name}${f.value ? ` ${f.value}` : ""}`, f.help]);
  const w = Math.max(...rows.map(([a]) => (a ?? "").length));
  return `usage: deno task ${task} [flags]\n${
    rows.map(([a, b]) => `  ${(a ?? "").padEnd(w)}  ${b}`).join("\n")
  }`;
}

function int(name: string, value: string, min: number, max: number): Result<number> {
  const n = Number(value);
  if (value.trim() === "" || !Number.isSafeInteger(n) || n < min || n > max) {
    return {
      ok: false,
      error: `${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`,
    };
  }
  return { ok: true, value: n };
}

/**
 * Parse a task's command line: `--name value`, `--name=value`, repeated flags, switches.
 * Every usage error is one line naming the flag.
 *
 * @param args the arguments after the task
 * @param own the profile's flags
 * @returns the flags, or the usage error (exit code 2)
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseFlags } from "./flags.ts";
 * const r = parseFlags(["--driver", "python3 d.py", "--only=sdk.a.b,sdk.c", "--seed", "7"], [
 *   { name: "--driver", value: "CMD", repeat: true, help: "" },
 * ]);
 * assert.ok(r.ok);
 * assert.deepEqual(r.value.profile["--driver"], ["python3 d.py"]);
 * assert.deepEqual(r.value.common.only, ["sdk.a.b", "sdk.c"]);
 * assert.equal(r.value.common.seed, 7);
 * assert.equal(parseFlags(["--seed="], []).ok, false);
 * assert.equal(parseFlags(["--only", ""], []).ok, false);
 * ```
 */
export function parseFlags(args: readonly string[], own: readonly FlagSpec[]): Result<ParsedFlags> {
  const common: CommonFlags = {
    out: "reports",
    only: [],
    fixExpectations: false,
    seed: 0,
    seedGiven: false,
    json: false,
    help: false,
  };
  const profile: Record<string, string[] | true> = {};
  const specs = new Map<string, FlagSpec>([...COMMON_FLAGS, ...own].map((f) => [f.name, f]));
  specs.set("-h", { name: "--help", help: "" });
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const spec = specs.get(name);
    if (!spec) return { ok: false, error: `unknown argument: ${JSON.stringify(arg)}` };
    let value = "";
    if (spec.value) {
      const v = eq > 0 ? arg.slice(eq + 1) : args[++i];
      if (v === undefined || v.trim() === "") {
        return { ok: false, error: `${spec.name} needs a value (${spec.value})` };
      }
      value = v;
    } else if (eq > 0) {
      return { ok: false, error: `${spec.name} takes no value` };
    }
    switch (spec.name) {
      case "--out":
        common.out = value;
        break;
      case "--only": {
        const ids = value.split(",").map((s) => s.trim());
        if (ids.some((s) => s === "")) {
          return { ok: false, error: `--only has an empty id: ${JSON.stringify(value)}` };
        }
        common.only.push(...ids);
        break;
      }
      case "--expect-fail":
        common.expectFail = value;
        break;
      case "--fix-expectations":
        common.fixExpectations = true;
        break;
      case "--seed": {
        const n = int("--seed", value, 0, Number.MAX_SAFE_INTEGER);
        if (!n.ok) return n;
        common.seed = n.value;
        common.seedGiven = true;
        break;
      }
      case "--json":
        common.json = true;
        break;
      case "--concurrency": {
        const n = int("--concurrency", value, 1, 64);
        if (!n.ok) return n;
        common.concurrency = n.value;
        break;
      }
      case "--reporter": {
        const kind = REPORTER_KINDS.find((k) => k === value);
        if (kind === undefined) {
          return {
            ok: false,
            error: `--reporter must be one of ${REPORTER_KINDS.join(", ")}, got ${JSON.stringify(value)}`,
          };
        }
        common.reporter = kind;
        break;
      }
      case "--shard": {
        const sh = parseShard(value);
        if (!sh.ok) return sh;
        common.shard = sh.value;
        break;
      }
      case "--help":
        common.help = true;
        break;
      default: {
        if (!spec.value) {
          profile[spec.name] = true;
          break;
        }
        const prev = profile[spec.name];
        if (Array.isArray(prev)) {
          if (!spec.repeat) return { ok: false, error: `${spec.name} may be given once` };
          prev.push(value);
        } else profile[spec.name] = [value];
      }
    }
  }
  if (common.fixExpectations && common.expectFail === undefined) {
    return { ok: false, error: "--fix-expectations needs --expect-fail FILE" };
  }
  if (common.json && common.reporter === "json-stream") {
    return { ok: false, error: "--reporter json-stream and --json both write to stdout: choose one" };
  }
  if (common.fixExpectations && common.shard) {
    return {
      ok: false,
      error: "--fix-expectations takes a whole run, not a --shard (the file describes every check)",
    };
  }
  if (!common.seedGiven) common.seed = randomSeed();
  return { ok: true, value: { common, profile } };
}
