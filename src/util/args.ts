/**
 * Small pure helpers for command lines: a shell-like splitter for `--driver "CMD"`, quoting for
 * re-run commands, seeds, module URLs and file-system-safe names.
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
