import assert from "node:assert/strict";
import { LEAK_PATTERNS, scanLeaks } from "./leaks.ts";

const POSITIVE: Record<string, string[]> = {
  "js-stack-frame": [
    "    at handler (file:///srv/app/main.ts:12:7)",
    "at Object.<anonymous> (/app/index.js:3:9)",
  ],
  "python-traceback": ["Traceback (most recent call last):", '  File "/app/main.py", line 42, in get'],
  "java-stack-frame": ["\tat com.example.Api.handle(Api.java:57)"],
  "go-panic": ["goroutine 7 [running]:", "panic: runtime error: index out of range"],
  "dotnet-stack": ["   at Api.Controllers.Items.Get(Int32 id) in C:\\src\\Items.cs:line 31"],
  "unix-path": ['{"message":"cannot open /var/lib/app/data.db"}', "ENOENT: /home/deploy/app/config.json"],
  "windows-path": ["could not read C:\\inetpub\\wwwroot\\web.config"],
  "file-url": ["module file:///opt/app/server.ts failed"],
  "source-file-line": ["error in server.ts:118"],
  "sql-syntax": [
    "You have an error in your SQL syntax near ''' at line 1",
    'ERROR: syntax error at or near "OR"',
    'near "x": syntax error',
    "ORA-00933: SQL command not properly ended",
    "SQLITE_ERROR: no such table",
  ],
  "sql-statement": ["SELECT * FROM items WHERE id = '1'", "INSERT INTO users (name) VALUES ('x')"],
  "db-driver": ["psycopg2.errors.UndefinedTable", "SequelizeDatabaseError: relation", "connect ECONNREFUSED"],
  "rfc1918-10": ["upstream 10.0.3.7:5432 refused"],
  "rfc1918-172": ["host 172.20.1.9 unreachable"],
  "rfc1918-192": ["db at 192.168.1.20"],
  "link-local": ["metadata 169.254.169.254"],
  "ipv6-ula": ["peer [fd12:3456:789a::1] reset"],
  "passwd-content": ["root:x:0:0:root:/root:/bin/bash"],
};

const NEGATIVE = [
  '{"code":"not_found","kind":"client","message":"no such route","correlation_id":"5f0c8a8e-1b7a-4c1e-9d1e-2a9b3c4d5e6f","details":{}}',
  '{"code":"validation_failed","message":"field quantity must be an integer","details":{"path":["quantity"]}}',
  "version 1.10.2.3 of the API", // not an address: the dotted run is longer than four octets
  "select a size from the list",
  "the /items route needs a token",
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
