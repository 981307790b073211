/**
 * Leak patterns for server responses (seed 002 §7.1: never expose stack traces, database errors or
 * file paths): one named regular expression per kind of leak, and a scanner that reports each hit
 * with a short excerpt around it.
 *
 * Every pattern runs on text the target controls, so every pattern is linear: each quantifier is
 * bounded or cannot overlap what follows it, and the scanner reads at most the first
 * `MAX_SCAN_CHARS` characters. `leaks_test.ts` feeds each pattern 64 KiB of its worst cases under a
 * time bound.
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

/**
 * Where a pattern is a leak: `any` body (it is the signature of an error, or of file content: it never
 * belongs in an answer), or only an `error` body (4xx/5xx): paths, addresses and SQL text can be data
 * a 2xx answer legitimately returns.
 */
export type LeakScope = "any" | "error";

/** One leak pattern: a name, its kind, where it counts, and the (linear) expression. */
export interface LeakPattern {
  name: string;
  kind: LeakKind;
  scope: LeakScope;
  re: RegExp;
}

/** The scanner reads at most this many characters of a text (the prober keeps at most 64 KiB). */
export const MAX_SCAN_CHARS: number = 64 * 1024;

/** Every leak pattern, in scan order. Each one is proven by a test in `leaks_test.ts`. */
export const LEAK_PATTERNS: readonly LeakPattern[] = [
  {
    name: "js-stack-frame",
    kind: "stack-trace",
    scope: "any",
    re:
      /\bat\s{1,8}(?:async\s{1,8})?(?:[\w$.<>[\]]{1,200}(?: [\w$.<>[\]]{1,200}){0,3}\s{1,8})?\(?(?:file:\/\/|node:|ext:|\/|[A-Za-z]:\\)[^\s():]{0,300}:\d{1,9}:\d{1,9}/,
  },
  {
    name: "python-traceback",
    kind: "stack-trace",
    scope: "any",
    re: /Traceback \(most recent call last\)|File "[^"\n]{1,300}", line \d/,
  },
  {
    name: "java-stack-frame",
    kind: "stack-trace",
    scope: "any",
    re: /\bat\s{1,8}[\w$]{1,200}(?:\.[\w$<>]{1,200}){1,30}\([\w$]{1,200}\.(?:java|kt|scala):\d/,
  },
  {
    name: "go-panic",
    kind: "stack-trace",
    scope: "any",
    re: /goroutine \d{1,12} \[running\]|panic: runtime error/,
  },
  {
    name: "dotnet-stack",
    kind: "stack-trace",
    scope: "any",
    re: /\bat\s{1,8}[\w.]{1,200}\([^)]{0,200}\)\s{1,8}in\s{1,8}\S{1,300}:line\s{1,8}\d/,
  },
  {
    name: "unix-path",
    kind: "file-path",
    scope: "error",
    re: /(?:^|[\s"'(=:])\/(?:home|usr|var|srv|opt|app|etc|tmp|root|Users|workspace|code|src)\/[\w.@-]/,
  },
  { name: "windows-path", kind: "file-path", scope: "error", re: /\b[A-Za-z]:\\[\w .-]{1,255}\\/ },
  { name: "file-url", kind: "file-path", scope: "error", re: /file:\/\/\/[\w.@%/-]/ },
  {
    name: "source-file-line",
    kind: "file-path",
    scope: "error",
    re: /(?<![\w-])[\w-]{1,200}\.(?:ts|js|mjs|py|go|rb|php|java|cs|rs):\d{1,9}\b/,
  },
  {
    name: "sql-syntax",
    kind: "sql-error",
    scope: "any",
    re:
      /SQL syntax|syntax error at or near|near "[^"\n]{0,200}": syntax error|unterminated quoted string|Unclosed quotation mark|quoted string not properly terminated|SQLSTATE|ORA-\d{5}|SQLITE_[A-Z]/i,
  },
  {
    name: "sql-statement",
    kind: "sql-error",
    scope: "error",
    re:
      /\b(?:SELECT\s[\w*,.\s]{1,300}?\sFROM|INSERT\s{1,10}INTO|UPDATE\s{1,10}\w{1,100}\s{1,10}SET|DELETE\s{1,10}FROM)\s{1,10}\w/,
  },
  {
    name: "db-driver",
    kind: "driver-error",
    scope: "any",
    re:
      /\b(?:psycopg2?|sqlalchemy|sqlite3\.\w{0,40}Error|(?:Operational|Programming|Integrity)Error|SequelizeDatabaseError|MongoServerError|MongoError|PrismaClient\w{0,40}Error|JDBC|ActiveRecord::\w|PG::\w|mysqli?_\w|pq: |ER_[A-Z_]|ECONNREFUSED)/,
  },
  {
    name: "rfc1918-10",
    kind: "private-address",
    scope: "error",
    re: /(?<![\d.])10\.\d{1,3}\.\d{1,3}\.\d{1,3}(?![\d.])/,
  },
  {
    name: "rfc1918-172",
    kind: "private-address",
    scope: "error",
    re: /(?<![\d.])172\.(?:1[6-9]|2\d|3[01])\.\d{1,3}\.\d{1,3}(?![\d.])/,
  },
  {
    name: "rfc1918-192",
    kind: "private-address",
    scope: "error",
    re: /(?<![\d.])192\.168\.\d{1,3}\.\d{1,3}(?![\d.])/,
  },
  {
    name: "link-local",
    kind: "private-address",
    scope: "error",
    re: /(?<![\d.])169\.254\.\d{1,3}\.\d{1,3}(?![\d.])/,
  },
  { name: "ipv6-ula", kind: "private-address", scope: "error", re: /\bf[cd][0-9a-f]{2}::?[0-9a-f]/i },
  { name: "passwd-content", kind: "file-content", scope: "any", re: /root:[^:\n]{0,100}:0:0:/ },
];

/** The patterns that count in a 2xx/3xx body (data): the signatures of errors and of file content. */
export const DATA_LEAK_PATTERNS: readonly LeakPattern[] = LEAK_PATTERNS.filter((p) => p.scope === "any");

/** One leak found in a text. */
export interface LeakHit {
  pattern: string;
  kind: LeakKind;
  /** up to 120 characters around the match */
  excerpt: string;
}

/**
 * Scan a text (an error body, a header value) for leaks: at most its first `MAX_SCAN_CHARS`
 * characters, every pattern linear, so a hostile body costs milliseconds.
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
  const scanned = text.length > MAX_SCAN_CHARS ? text.slice(0, MAX_SCAN_CHARS) : text;
  const hits: LeakHit[] = [];
  for (const p of patterns) {
    const m = p.re.exec(scanned);
    if (m === null) continue;
    const start = Math.max(0, m.index - 40);
    const around = scanned.slice(start, Math.min(scanned.length, m.index + Math.min(m[0].length, 60) + 40));
    hits.push({ pattern: p.name, kind: p.kind, excerpt: around.replace(/\s+/g, " ").slice(0, 120) });
  }
  return hits;
}
