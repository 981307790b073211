/**
 * Leak patterns for server error bodies (seed 002 §7.1: never expose stack traces, database errors or
 * file paths): one named regular expression per kind of leak, and a scanner that reports each hit
 * with a short excerpt around it.
 *
 * @module
 */

/** The kinds of leak the scanner recognises. */
export type LeakKind =
  | "stack-trace"
  | "file-path"
  | "sql-error"
  | "driver-error"
  | "private-address"
  | "file-content";

/** One leak pattern: a name, its kind, and the expression. */
export interface LeakPattern {
  name: string;
  kind: LeakKind;
  re: RegExp;
}

/** Every leak pattern, in scan order. Each one is proven by a test in `leaks_test.ts`. */
export const LEAK_PATTERNS: readonly LeakPattern[] = [
  {
    name: "js-stack-frame",
    kind: "stack-trace",
    re: /\bat\s+(?:async\s+)?[\w$.<>[\] ]*\(?(?:file:\/\/|node:|ext:|\/|[A-Za-z]:\\)[^\s)]*:\d+:\d+\)?/,
  },
  {
    name: "python-traceback",
    kind: "stack-trace",
    re: /Traceback \(most recent call last\)|File "[^"]+", line \d+/,
  },
  {
    name: "java-stack-frame",
    kind: "stack-trace",
    re: /\bat\s+[\w$]+(?:\.[\w$<>]+)+\([\w$]+\.(?:java|kt|scala):\d+\)/,
  },
  { name: "go-panic", kind: "stack-trace", re: /goroutine \d+ \[running\]|panic: runtime error/ },
  { name: "dotnet-stack", kind: "stack-trace", re: /\bat\s+[\w.]+\([^)]*\)\s+in\s+\S+:line\s+\d+/ },
  {
    name: "unix-path",
    kind: "file-path",
    re:
      /(?:^|[\s"'(=:])\/(?:home|usr|var|srv|opt|app|etc|tmp|root|Users|workspace|code|src)\/[\w.@-]+(?:\/[\w.@-]+)*/,
  },
  { name: "windows-path", kind: "file-path", re: /\b[A-Za-z]:\\(?:[\w .-]+\\)+[\w .-]*/ },
  { name: "file-url", kind: "file-path", re: /file:\/\/\/[\w.@%/-]+/ },
  {
    name: "source-file-line",
    kind: "file-path",
    re: /\b[\w-]+\.(?:ts|js|mjs|py|go|rb|php|java|cs|rs):\d+\b/,
  },
  {
    name: "sql-syntax",
    kind: "sql-error",
    re:
      /SQL syntax|syntax error at or near|near "[^"]*": syntax error|unterminated quoted string|Unclosed quotation mark|quoted string not properly terminated|SQLSTATE\[?\w*\]?|ORA-\d{5}|SQLITE_[A-Z]+/i,
  },
  {
    name: "sql-statement",
    kind: "sql-error",
    re: /\b(?:SELECT\s+[\w*,\s]+\s+FROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\s+\w+/,
  },
  {
    name: "db-driver",
    kind: "driver-error",
    re:
      /\b(?:psycopg2?|sqlalchemy|SequelizeDatabaseError|MongoServerError|MongoError|PrismaClient\w*Error|JDBC|ActiveRecord::\w+|PG::\w+|mysqli?_\w+|pq: |ER_[A-Z_]+|ECONNREFUSED)/,
  },
  { name: "rfc1918-10", kind: "private-address", re: /(?<![\d.])10\.\d{1,3}\.\d{1,3}\.\d{1,3}(?![\d.])/ },
  {
    name: "rfc1918-172",
    kind: "private-address",
    re: /(?<![\d.])172\.(?:1[6-9]|2\d|3[01])\.\d{1,3}\.\d{1,3}(?![\d.])/,
  },
  { name: "rfc1918-192", kind: "private-address", re: /(?<![\d.])192\.168\.\d{1,3}\.\d{1,3}(?![\d.])/ },
  { name: "link-local", kind: "private-address", re: /(?<![\d.])169\.254\.\d{1,3}\.\d{1,3}(?![\d.])/ },
  { name: "ipv6-ula", kind: "private-address", re: /\[?\bf[cd][0-9a-f]{2}:(?::?[0-9a-f]{1,4}){1,7}\]?/i },
  { name: "passwd-content", kind: "file-content", re: /root:[^:\n]*:0:0:/ },
];

/** One leak found in a text. */
export interface LeakHit {
  pattern: string;
  kind: LeakKind;
  /** up to 120 characters around the match */
  excerpt: string;
}

/**
 * Scan a text (an error body, a header value) for leaks.
 *
 * @param text the text to scan
 * @param patterns the patterns to use
 * @returns every pattern that matched, with an excerpt
 * @example
 * ```ts
 * import { scanLeaks } from "./leaks.ts";
 * const hits = scanLeaks("TypeError: x\n    at handler (file:///srv/app/main.ts:12:7)");
 * if (!hits.some((h) => h.kind === "stack-trace")) throw new Error("missed");
 * if (scanLeaks('{"code":"not_found","message":"no such item"}').length !== 0) throw new Error("false hit");
 * ```
 */
export function scanLeaks(text: string, patterns: readonly LeakPattern[] = LEAK_PATTERNS): LeakHit[] {
  const hits: LeakHit[] = [];
  for (const p of patterns) {
    const m = p.re.exec(text);
    if (m === null) continue;
    const start = Math.max(0, m.index - 40);
    const excerpt = text.slice(start, Math.min(text.length, m.index + m[0].length + 40)).replace(/\s+/g, " ");
    hits.push({ pattern: p.name, kind: p.kind, excerpt: excerpt.slice(0, 120) });
  }
  return hits;
}
