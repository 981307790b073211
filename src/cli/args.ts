/**
 * Command-line parsing for the kit's CLI: flags of `certify` / `chaos` / `selftest`, and a
 * shell-like splitter for `--driver "CMD"`.
 *
 * @module
 */

/**
 * Split a command line into argv, shell-like: whitespace separates, single quotes are literal,
 * double quotes allow `\"`, `\\`, `\$` and `` \` `` escapes, a backslash outside quotes escapes
 * the next character. No globbing, no variables.
 *
 * @param line the command line
 * @returns the argv, or why the line is malformed
 * @example
 * ```ts
 * import { splitCommand } from "./args.ts";
 * const r = splitCommand(`python3 "my driver.py" --x='a b' c\\ d`);
 * if (!r.ok || r.value.join("|") !== "python3|my driver.py|--x=a b|c d") throw new Error(JSON.stringify(r));
 * ```
 */
export function splitCommand(line: string): { ok: true; value: string[] } | { ok: false; error: string } {
  const out: string[] = [];
  let cur = "";
  let has = false;
  let i = 0;
  while (i < line.length) {
    const ch = line[i] ?? "";
    if (/\s/.test(ch)) {
      if (has) out.push(cur);
      cur = "";
      has = false;
      i++;
    } else if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return { ok: false, error: "unterminated single quote" };
      cur += line.slice(i + 1, end);
      has = true;
      i = end + 1;
    } else if (ch === '"') {
      i++;
      let closed = false;
      while (i < line.length) {
        const c = line[i] ?? "";
        if (c === '"') {
          closed = true;
          i++;
          break;
        }
        if (c === "\\" && i + 1 < line.length && '"\\$`'.includes(line[i + 1] ?? "")) {
          cur += line[i + 1];
          i += 2;
          continue;
        }
        cur += c;
        i++;
      }
      if (!closed) return { ok: false, error: "unterminated double quote" };
      has = true;
    } else if (ch === "\\") {
      if (i + 1 >= line.length) return { ok: false, error: "trailing backslash" };
      cur += line[i + 1];
      has = true;
      i += 2;
    } else {
      cur += ch;
      has = true;
      i++;
    }
  }
  if (has) out.push(cur);
  if (out.length === 0) return { ok: false, error: "empty command" };
  return { ok: true, value: out };
}

/**
 * Quote one argument for a POSIX shell (used to print re-run commands).
 *
 * @param s the argument
 * @returns the quoted argument (unchanged when it is safe)
 * @example
 * ```ts
 * import { shellQuote } from "./args.ts";
 * if (shellQuote("a b") !== '"a b"' || shellQuote("ab") !== "ab") throw new Error();
 * ```
 */
export function shellQuote(s: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `"${s.replace(/(["\\$`])/g, "\\$1")}"`;
}

/** Flags of `certify`, `chaos` and `selftest`. */
export interface CertifyFlags {
  /** each `--driver` as given (a command line) */
  drivers: string[];
  /** @default "reports" */
  out: string;
  only: string[];
  expectFail?: string;
  fixExpectations: boolean;
  /** @default a random seed (printed) */
  seed: number;
  seedGiven: boolean;
  json: boolean;
  /** @default 4 */
  concurrency: number;
  /** `--sdk-module URL|PATH`: the SDK as a TypeScript module (for the Deno-worker isolation check) */
  sdkModule?: string;
  help: boolean;
}

const VALUE_FLAGS = new Set([
  "--driver",
  "--out",
  "--only",
  "--expect-fail",
  "--seed",
  "--concurrency",
  "--sdk-module",
]);
const BOOL_FLAGS = new Set(["--fix-expectations", "--json", "--help", "-h"]);

/**
 * A random seed in [1, 2^31).
 *
 * @returns the seed
 * @example
 * ```ts
 * import { randomSeed } from "./args.ts";
 * const s = randomSeed();
 * if (!Number.isInteger(s) || s < 1) throw new Error();
 * ```
 */
export function randomSeed(): number {
  const a = new Uint32Array(1);
  crypto.getRandomValues(a);
  return ((a[0] ?? 1) % 0x7fffffff) + 1;
}

/**
 * Parse the flags of `certify`, `chaos` and `selftest`.
 *
 * @param args the arguments after the subcommand
 * @returns the flags, or a usage error (exit code 2)
 * @example
 * ```ts
 * import { parseCertifyFlags } from "./args.ts";
 * const r = parseCertifyFlags(["--driver", "python3 d.py", "--only=sdk.a.b,sdk.c.d", "--seed", "7"]);
 * if (!r.ok || r.value.seed !== 7 || r.value.only.length !== 2) throw new Error(JSON.stringify(r));
 * ```
 */
export function parseCertifyFlags(args: readonly string[]): { ok: true; value: CertifyFlags } | {
  ok: false;
  error: string;
} {
  const f: CertifyFlags = {
    drivers: [],
    out: "reports",
    only: [],
    fixExpectations: false,
    seed: 0,
    seedGiven: false,
    json: false,
    concurrency: 4,
    help: false,
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    let value: string | undefined;
    if (VALUE_FLAGS.has(name)) {
      if (eq > 0 && arg.startsWith("--")) value = arg.slice(eq + 1);
      else {
        value = args[++i];
        if (value === undefined) return { ok: false, error: `${name} needs a value` };
      }
    } else if (!BOOL_FLAGS.has(name)) {
      return { ok: false, error: `unknown argument: ${arg}` };
    }
    switch (name) {
      case "--driver":
        if (!value || value.trim() === "") return { ok: false, error: "--driver needs a command" };
        f.drivers.push(value);
        break;
      case "--out":
        if (!value) return { ok: false, error: "--out needs a directory" };
        f.out = value;
        break;
      case "--only":
        f.only.push(...(value ?? "").split(",").map((s) => s.trim()).filter((s) => s !== ""));
        break;
      case "--expect-fail":
        if (!value) return { ok: false, error: "--expect-fail needs a file" };
        f.expectFail = value;
        break;
      case "--seed": {
        const n = Number(value);
        if (!Number.isSafeInteger(n) || n < 0) {
          return { ok: false, error: `--seed must be a non-negative integer, got ${value}` };
        }
        f.seed = n;
        f.seedGiven = true;
        break;
      }
      case "--concurrency": {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 1 || n > 64) {
          return { ok: false, error: `--concurrency must be an integer from 1 to 64, got ${value}` };
        }
        f.concurrency = n;
        break;
      }
      case "--sdk-module":
        if (!value) return { ok: false, error: "--sdk-module needs a URL or path" };
        f.sdkModule = value;
        break;
      case "--fix-expectations":
        f.fixExpectations = true;
        break;
      case "--json":
        f.json = true;
        break;
      case "--help":
      case "-h":
        f.help = true;
        break;
    }
  }
  if (f.fixExpectations && !f.expectFail) {
    return { ok: false, error: "--fix-expectations needs --expect-fail FILE" };
  }
  if (!f.seedGiven) f.seed = randomSeed();
  return { ok: true, value: f };
}

/**
 * Turn `--sdk-module` into a module URL: URLs stay, paths are resolved against the working directory.
 *
 * @param value a URL (file:, https:, jsr:, npm:) or a path
 * @param cwd the working directory
 * @returns the URL
 * @example
 * ```ts
 * import { moduleUrl } from "./args.ts";
 * if (moduleUrl("sdk/mod.ts", "/w") !== "file:///w/sdk/mod.ts") throw new Error(moduleUrl("sdk/mod.ts", "/w"));
 * if (moduleUrl("npm:x", "/w") !== "npm:x") throw new Error();
 * ```
 */
export function moduleUrl(value: string, cwd: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(value)) return value;
  return new URL(value, `file://${cwd.replace(/\/+$/, "")}/`).href;
}

/**
 * A file-system-safe directory name for an SDK.
 *
 * @param name e.g. "ron-sdk (python) 1.2"
 * @returns e.g. "ron-sdk-python-1.2"
 * @example
 * ```ts
 * import { sanitizeName } from "./args.ts";
 * if (sanitizeName("../a b/c") !== "a-b-c") throw new Error(sanitizeName("../a b/c"));
 * ```
 */
export function sanitizeName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[.-]+|[.-]+$/g, "").replace(/-+/g, "-");
  return s === "" ? "sdk" : s.slice(0, 80);
}
