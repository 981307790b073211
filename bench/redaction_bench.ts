/**
 * Redaction throughput: scrubbing headers and bodies for the debug log (known token in raw, URL-encoded
 * and base64 form, plus the cap-like patterns) against the naive baseline (a plain header copy, a
 * token-only `replaceAll`).
 *
 * Run: `deno bench --allow-all bench/redaction_bench.ts`
 *
 * @module
 */
import { redactHeaders, redactText, Secret } from "../src/client/mod.ts";
import { findCanaries, maskCanaries, newCanary } from "../src/driver/canary.ts";
import { maskTree } from "../src/engine/mask.ts";

const TOKEN = "ronc_" + "0123456789abcdef".repeat(2);
const HEADERS: Record<string, string> = {
  "authorization": `Bearer ${TOKEN}`,
  "accept": "application/json",
  "content-type": "application/json",
  "x-request-id": crypto.randomUUID(),
  "idempotency-key": crypto.randomUUID(),
  "cookie": "sid=abc; theme=dark",
  "user-agent": "bench",
};
const item = { id: "42", name: "widget", note: "plain text without secrets", tags: ["a", "b"] };
const SMALL = JSON.stringify({ ...item, token: TOKEN });
const LARGE = JSON.stringify({
  items: Array.from({ length: 200 }, (_, i) => ({ ...item, id: String(i) })),
  token: TOKEN,
});
const secret = new Secret(TOKEN);

Deno.bench("copy headers", { group: "headers", baseline: true }, () => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(HEADERS)) out[k.toLowerCase()] = v;
});

Deno.bench("redactHeaders", { group: "headers" }, () => {
  redactHeaders(HEADERS, ["x-custom-secret"]);
});

Deno.bench("token-only replaceAll, small body (~120 B)", { group: "small-body", baseline: true }, () => {
  SMALL.replaceAll(TOKEN, "[REDACTED]");
});

Deno.bench("redactText small body (~120 B)", { group: "small-body" }, () => {
  redactText(SMALL, [TOKEN]);
});

const KIB = Math.round(LARGE.length / 1024);

Deno.bench(`token-only replaceAll, large body (~${KIB} KiB)`, { group: "large-body", baseline: true }, () => {
  LARGE.replaceAll(TOKEN, "[REDACTED]");
});

Deno.bench(`redactText large body (~${KIB} KiB)`, { group: "large-body" }, () => {
  redactText(LARGE, [TOKEN]);
});

Deno.bench("secret.reveal()", { group: "secret", baseline: true }, () => {
  secret.reveal();
});

Deno.bench("String(secret) + JSON.stringify(secret)", { group: "secret" }, () => {
  String(secret);
  JSON.stringify({ secret });
});

// ---- canary scan (the driver host and the reports): throughput on a 4 MiB log with 10 canaries
const CANARIES = Array.from({ length: 10 }, newCanary);
const LOG_LINE = "2026-01-01T00:00:00Z DEBUG request GET https://127.0.0.1:1234/items?page=2 status=200\n";
// decoded, as the driver host's text is (a flat string; `repeat` alone would build a slower rope)
const LOG = new TextDecoder().decode(
  new TextEncoder().encode(LOG_LINE.repeat(Math.ceil((4 * 1024 * 1024) / LOG_LINE.length))),
);
const LOG_MIB = (LOG.length / (1024 * 1024)).toFixed(0);
findCanaries("warm", CANARIES);

Deno.bench(`indexOf one canary, ${LOG_MIB} MiB log`, { group: "canary-scan", baseline: true }, () => {
  LOG.indexOf(CANARIES[0] ?? "");
});

Deno.bench(`findCanaries, ${LOG_MIB} MiB log, 10 canaries`, { group: "canary-scan" }, () => {
  findCanaries(LOG, CANARIES);
});

Deno.bench(`maskCanaries, ${LOG_MIB} MiB log, 10 canaries`, { group: "canary-scan" }, () => {
  maskCanaries(LOG, CANARIES);
});

const TREE = {
  results: Array.from(
    { length: 50 },
    (_, i) => ({ id: `sdk.a.${i}`, output: LOG_LINE.repeat(40).split("\n") }),
  ),
};

Deno.bench("maskTree, 50 results x 40 log lines", { group: "canary-tree" }, () => {
  maskTree(TREE, CANARIES);
});
