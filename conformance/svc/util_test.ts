import assert from "node:assert/strict";
import type { ProbeResponse } from "./_context.ts";
import { leaksIn, loadInjectionCases, noAnswer, rememberSent } from "./_util.ts";

const res = (status: number, text: string): ProbeResponse => ({ status, headers: {}, text, ms: 1 });
const UNION = "1 UNION SELECT username, password FROM users--";

Deno.test("leaksIn(): the kit's payloads stored and listed back are data, not a leak", async () => {
  await loadInjectionCases();
  const listing = JSON.stringify({ items: [{ name: UNION }, `GET /items?q=${encodeURIComponent(UNION)}`] });
  assert.deepEqual(leaksIn(res(200, listing)), []);
  // even in an error body, and even when this probe sent another payload
  assert.deepEqual(leaksIn(res(400, `{"message":"bad name ${UNION}"}`), ["'"]), []);
  // JSON-escaped twice (a stored JSON text listed as a string)
  const twice = JSON.stringify(JSON.stringify({ name: UNION }));
  assert.deepEqual(leaksIn(res(400, twice)), []);
});

Deno.test("leaksIn(): a database error around the echoed payload is still a leak", async () => {
  await loadInjectionCases();
  const body = JSON.stringify({
    message: `SQL syntax error near ''--' at line 1 in query: SELECT * FROM items WHERE id = 'admin'--'`,
  });
  const hits = leaksIn(res(500, body), ["admin'--"]);
  assert.ok(hits.some((h) => h.pattern === "sql-syntax"), JSON.stringify(hits));
  assert.ok(hits.some((h) => h.pattern === "sql-statement"), JSON.stringify(hits));
});

Deno.test("leaksIn(): a 2xx body is scanned for error signatures only", () => {
  assert.deepEqual(leaksIn(res(200, '{"path":"/var/lib/app/x","host":"10.0.0.7"}')), []);
  assert.equal(leaksIn(res(404, '{"path":"/var/lib/app/x"}'))[0]?.kind, "file-path");
  const trace = '{"items":[],"debug":"    at handler (file:///srv/app/main.ts:12:7)"}';
  assert.equal(leaksIn(res(200, trace))[0]?.kind, "stack-trace");
});

Deno.test("rememberSent(): a generated string that carries a leak signature is stripped from later answers", () => {
  const generated = "x ORA-12345 y";
  assert.equal(leaksIn(res(400, `{"message":"bad: ${generated}"}`))[0]?.kind, "sql-error");
  rememberSent({ note: [generated] });
  assert.deepEqual(leaksIn(res(400, `{"message":"bad: ${generated}"}`)), []);
});

Deno.test("noAnswer() says what happened, with the error's own message", () => {
  assert.match(
    noAnswer({ error: "fetch failed (cause: tcp connect error: Connection refused (os error 111))" }),
    /^connection refused \(fetch failed \(cause: .*Connection refused/,
  );
  assert.match(noAnswer({ error: "probe time limit" }), /^timed out \(probe time limit\)$/);
  assert.match(noAnswer({ error: "check time limit" }), /^timed out/);
  assert.match(noAnswer({ error: 'not an HTTP response: "\\u0000garbage"' }), /^not a valid HTTP response/);
  assert.match(
    noAnswer({ error: "fetch failed (cause: client error (SendRequest): invalid HTTP version parsed)" }),
    /^not a valid HTTP response/,
  );
  assert.match(noAnswer({ error: "the connection closed without a reply" }), /^connection closed or reset/);
  assert.match(noAnswer({ error: "Interrupted: operation canceled" }), /^connection closed or reset/);
  assert.equal(noAnswer({}), "no answer (no HTTP response)");
});
