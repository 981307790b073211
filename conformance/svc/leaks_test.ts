import assert from "node:assert/strict";
import { DATA_LEAK_PATTERNS, LEAK_PATTERNS, MAX_SCAN_CHARS, scanLeaks } from "./leaks.ts";

const POSITIVE: Record<string, string[]> = {
  "js-stack-frame": [
    "    at handler (file:///srv/app/main.ts:12:7)",
    "at Object.<anonymous> (/app/index.js:3:9)",
    "    at async Promise.all (file:///srv/app/main.ts:1:2)",
    "    at new Store (node:internal/store:40:11)",
    "    at file:///srv/app/main.ts:12:7",
  ],
  "python-traceback": ["Traceback (most recent call last):", '  File "/app/main.py", line 42, in get'],
  "java-stack-frame": ["\tat com.example.Api.handle(Api.java:57)"],
  "go-panic": ["goroutine 7 [running]:", "panic: runtime error: index out of range"],
  "dotnet-stack": ["   at Api.Controllers.Items.Get(Int32 id) in C:\\src\\Items.cs:line 31"],
  "unix-path": ['{"message":"cannot open /var/lib/app/data.db"}', "ENOENT: /home/deploy/app/config.json"],
  "windows-path": ["could not read C:\\inetpub\\wwwroot\\web.config"],
  "file-url": ["module file:///opt/app/server.ts failed"],
  "source-file-line": ["error in server.ts:118", "at app.module.js:7"],
  "sql-syntax": [
    "You have an error in your SQL syntax near ''' at line 1",
    'ERROR: syntax error at or near "OR"',
    'near "x": syntax error',
    "ORA-00933: SQL command not properly ended",
    "SQLITE_ERROR: no such table",
    "SQLSTATE[42000]: Syntax error or access violation",
  ],
  "sql-statement": [
    "SELECT * FROM items WHERE id = '1'",
    "SELECT id, name FROM items",
    "INSERT INTO users (name) VALUES ('x')",
    "UPDATE items SET quantity = 1",
    "DELETE FROM items WHERE id = 1",
  ],
  "db-driver": [
    "psycopg2.errors.UndefinedTable",
    "SequelizeDatabaseError: relation",
    "connect ECONNREFUSED",
    "sqlite3.OperationalError: no such table: items",
    "django.db.utils.ProgrammingError: relation does not exist",
    "PrismaClientKnownRequestError: unique constraint",
  ],
  "rfc1918-10": ["upstream 10.0.3.7:5432 refused"],
  "rfc1918-172": ["host 172.20.1.9 unreachable"],
  "rfc1918-192": ["db at 192.168.1.20"],
  "link-local": ["metadata 169.254.169.254"],
  "ipv6-ula": ["peer [fd12:3456:789a::1] reset", "fc00::1"],
  "passwd-content": ["root:x:0:0:root:/root:/bin/bash"],
};

const NEGATIVE = [
  '{"code":"not_found","kind":"client","message":"no such route","correlation_id":"5f0c8a8e-1b7a-4c1e-9d1e-2a9b3c4d5e6f","details":{}}',
  '{"code":"validation_failed","message":"field quantity must be an integer","details":{"path":["quantity"]}}',
  "version 1.10.2.3 of the API", // not an address: the dotted run is longer than four octets
  "select a size from the list",
  "the /items route needs a token",
  "SELECT" + " ".repeat(3000), // the body that made a 15 s check run 109 s
];

Deno.test("every leak pattern has positive cases and matches each of them", async (t) => {
  for (const p of LEAK_PATTERNS) {
    await t.step(p.name, () => {
      const cases = POSITIVE[p.name];
      assert.ok(cases && cases.length > 0, `no positive case for ${p.name}`);
      for (const c of cases) assert.ok(p.re.test(c), `${p.name} should match ${JSON.stringify(c)}`);
    });
  }
});

Deno.test("clean Problem envelopes and prose produce no leak hit", async (t) => {
  for (const text of NEGATIVE) {
    await t.step(text.slice(0, 40), () => {
      assert.deepEqual(scanLeaks(text), [], text);
    });
  }
});

Deno.test("scanLeaks() returns the kind and a bounded excerpt", () => {
  const hits = scanLeaks("x".repeat(500) + " SQL syntax error near 'abc' " + "y".repeat(500));
  assert.equal(hits[0]?.kind, "sql-error");
  assert.ok((hits[0]?.excerpt.length ?? 999) <= 120);
});

Deno.test("in a 2xx body only error signatures count: paths, addresses and SQL text may be data", () => {
  const names = DATA_LEAK_PATTERNS.map((p) => p.name);
  for (const n of ["js-stack-frame", "python-traceback", "sql-syntax", "db-driver", "passwd-content"]) {
    assert.ok(names.includes(n), n);
  }
  for (const n of ["unix-path", "sql-statement", "rfc1918-10", "ipv6-ula"]) assert.ok(!names.includes(n), n);
  const listing = '{"items":[{"name":"1 UNION SELECT username, password FROM users--","host":"10.0.0.7"}]}';
  assert.deepEqual(scanLeaks(listing, DATA_LEAK_PATTERNS), []);
});

Deno.test("scanLeaks() reads at most MAX_SCAN_CHARS characters", () => {
  const late = " ".repeat(MAX_SCAN_CHARS) + "SQL syntax error";
  assert.deepEqual(scanLeaks(late), []);
  assert.equal(scanLeaks(" ".repeat(MAX_SCAN_CHARS - 20) + "SQL syntax error")[0]?.kind, "sql-error");
});

// --- linear time on hostile text ---------------------------------------------------------------

const HOSTILE_CHARS = MAX_SCAN_CHARS;
/** The per-pattern bound on one scan of 64 KiB. Linear patterns take about a millisecond. */
const BOUND_MS = 200;

/** `prefix` then `pump` repeated to 64 KiB, then a character no pattern accepts (so each fails late). */
function pumped(prefix: string, pump: string): string {
  const n = Math.ceil((HOSTILE_CHARS - prefix.length) / pump.length);
  return (prefix + pump.repeat(Math.max(0, n))).slice(0, HOSTILE_CHARS - 1) + "\u0000";
}

const GENERIC_PUMPS = [
  ..." \t\n\r",
  ..."aA1._-/\\:()[]\"'$<>=*,@%",
  "at ",
  "at\t",
  "at a(",
  "at a.",
  "1.",
  "10.",
  "192.168.",
  "a.",
  "a-",
  "a:",
  "1:",
  "a/",
  "a\\",
  "A:\\",
  "SELECT ",
  "SELECT",
  "FROM ",
  "fd",
  "fd12:",
  "root:",
  'File "',
  "in ",
  ":line ",
  "goroutine 1",
];

/**
 * The attack strings: every generic pump from the start, and for each positive case of every pattern,
 * each of its prefixes followed by the next 1, 2 or 3 characters repeated (the classic ReDoS shape:
 * a prefix that reaches an ambiguous state, a long pump, a failing end).
 */
function hostileInputs(): Set<string> {
  const out = new Set<string>();
  for (const g of GENERIC_PUMPS) out.add(pumped("", g));
  for (const cases of Object.values(POSITIVE)) {
    for (const c of cases) {
      for (let i = 0; i < c.length; i++) {
        for (const k of [1, 2, 3]) {
          const pump = c.slice(i, i + k);
          if (pump.length === k) out.add(pumped(c.slice(0, i), pump));
        }
      }
    }
  }
  return out;
}

Deno.test("every leak pattern scans 64 KiB of its worst cases in linear time", async (t) => {
  const inputs = hostileInputs();
  // the bodies that froze runs before the patterns were made linear are among the attack strings
  assert.ok(inputs.has(pumped("SELECT", " ")));
  assert.ok(inputs.has(pumped("    at", " ")));
  for (const p of LEAK_PATTERNS) {
    await t.step(p.name, () => {
      let worst = { ms: 0, input: "" };
      for (const s of inputs) {
        const t0 = performance.now();
        p.re.exec(s);
        const ms = performance.now() - t0;
        if (ms > worst.ms) worst = { ms, input: s };
      }
      assert.ok(
        worst.ms < BOUND_MS,
        `${p.name} took ${worst.ms.toFixed(1)} ms on ${JSON.stringify(worst.input.slice(0, 40))}…`,
      );
    });
  }
});

Deno.test("scanLeaks() on 1 MiB of hostile text stays within the bound", () => {
  for (const body of ["SELECT" + " ".repeat(1 << 20), "at ".repeat(1 << 18), "a-".repeat(1 << 19)]) {
    const t0 = performance.now();
    scanLeaks(body);
    const ms = performance.now() - t0;
    assert.ok(ms < BOUND_MS, `${body.slice(0, 10)}…: ${ms.toFixed(1)} ms`);
  }
});
