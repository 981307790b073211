/**
 * The reference client against raw `fetch`, and against the peers a user would pick instead (`ky`
 * and `ofetch`, each with its defaults), on the same loopback `Deno.serve` server and the same
 * request (a bearer token, a small JSON body back). `RonClient` runs with every safety feature on:
 * connect/read/total timeouts, bounded retries, redaction, the streaming size cap, Problem parsing.
 * `ky` and `ofetch` use the global `fetch` (Deno's default HTTP client), the others a
 * `Deno.createHttpClient` of their own.
 *
 * Run: `deno bench --allow-all bench/client_bench.ts`
 *
 * Where the time went (issue 18 part 1; V8 `--prof` of a 20 000-request loop processed with
 * `node --prof-process`, as this Deno has no `--cpu-prof`; plus `process.cpuUsage()` per request):
 * at the start the client cost ~2.8× the CPU of raw fetch (243 vs 86 µs per GET, one loop).
 * 1. The body race's `dispose()` ran `AbortController.abort()` without a reason: each call built a
 *    `DOMException` (a captured stack) and ran the listeners; the largest single self cost of the
 *    profile (≈ 5% of all ticks, 11% of the native ones). Now it only removes its listener.
 * 2. `AbortSignal.any([request, local])` per fetch: weak references plus a finalization registration
 *    per call (`WeakRefConstructor`, `FinalizationRegistryRegister` in the profile). Now one
 *    controller fed by a listener.
 * 3. A small declared body went through the general race (a controller, a second promise,
 *    `Promise.race`, an async wrapper); now one promise with the read timer and the abort listener.
 * 4. Smaller: the async token chain for a static token (three nested `async` calls), two URL
 *    copies per attempt, a fresh strict `TextDecoder` per response, a copy of a one-chunk body, the
 *    audit and query loops when unset.
 * After: ≈ 1.9× raw CPU (114 vs 61 µs per GET in a quiet loop), and the ratios below.
 *
 * What remains (measured with a hand-built raw fetch that adds only the safety mechanics): the
 * three timers a request holds (total, connect + read up to the headers, read for the body) and the
 * abort signal `fetch` must be given so they can cancel it cost ≈ 1.3× raw fetch on their own
 * (min 58 vs 42.5 µs); Deno's `fetch` with a `signal` builds a dependent signal per request. The
 * rest (≈ 25 µs, by difference; no single function stands out in the profile) is the pipeline's
 * JavaScript: building the URL and headers, a `crypto.randomUUID()`
 * request id, the retry loop's promises, reading the headers into a record. ≤ 1.10× was not reached
 * without removing a timeout. Tried and dropped: one timer per request for all its deadlines (primed
 * at the smallest timeout, re-armed only when it fires early: 1 `setTimeout` instead of 3); two
 * loops of 3 000 GETs showed no gain above the noise of the shared machine (1.79× and 1.98×).
 *
 * One run, Thu 2026-12-03 06:58 UTC, Deno 2.9.6, Intel Xeon, 2 cores shared with four other agents
 * (load average ≈ 3.6; the averages move ±30% between runs), time/iter avg:
 * raw fetch GET 71.8 µs; RonClient GET 123.7 µs (1.72×); ky GET 437.6 µs (6.09×); ofetch GET
 * 136.6 µs (1.90×); RonClient GET with maxConcurrency 4: 190.0 µs (2.65×). POST: raw 91.6 µs;
 * RonClient POST idempotent 156.9 µs (1.71× raw POST); ky POST 208.8 µs (2.28×); ofetch POST
 * 84.9 µs (0.93×). Before these changes, same machine, one run: RonClient GET 2.97×, POST 2.82×.
 * A second look at the signal and timers (2026-12-03 10:20 UTC, a `deno bench` of raw fetch with and
 * without them, 20 000 iterations after 3 000 warm-up each): minimum 35.9 µs raw, 35.0 µs with a
 * controller's signal, 38.8 µs with a signal and a timer, 42.0 µs with three timers; the averages were
 * within the noise (a second raw run differed from the first by 15%). So the mechanics cost less than the
 * 1.3× above, and the gap is mostly the pipeline's JavaScript.
 * The README's run (a whole `deno task bench`, 2026-12-03 10:56 UTC, load average ≈ 2): raw GET 79.5 µs,
 * RonClient GET 165.5 µs (2.08×), ky 2.09×, ofetch 1.26×; raw POST 84.8 µs, RonClient POST 153.0 µs
 * (1.80×), ky 3.67×, ofetch 0.96×. Between runs these averages move more than the gap to 1.10×; the
 * CPU-time ratio above (≈ 1.9×) is the steadier figure.
 *
 * @module
 */
import ky from "ky";
import { ofetch } from "ofetch";
import { RonClient } from "../src/client/mod.ts";

const TOKEN = "ronc_" + "0123456789abcdef".repeat(2);
const BODY = JSON.stringify({ id: "42", name: "widget", tags: ["a", "b", "c"], n: 12345 });

const server = Deno.serve(
  { hostname: "127.0.0.1", port: 0, onListen: () => {} },
  () => new Response(BODY, { headers: { "content-type": "application/json" } }),
);
const base = `http://127.0.0.1:${server.addr.port}`;
const client = new RonClient({ baseUrl: base, token: TOKEN, allowInsecureHttp: true });
const limited = new RonClient({ baseUrl: base, token: TOKEN, allowInsecureHttp: true, maxConcurrency: 4 });
const http = Deno.createHttpClient({});

// warm up both connection pools
await (await fetch(`${base}/warm`, { client: http })).text();
await client.request({ method: "GET", path: "/warm" });
await ky.get(`${base}/warm`).text();
await ofetch(`${base}/warm`);

Deno.bench("raw fetch GET + json()", { group: "request", baseline: true }, async () => {
  const res = await fetch(`${base}/items/42`, {
    headers: { authorization: `Bearer ${TOKEN}`, accept: "application/json" },
    client: http,
  });
  await res.json();
});

Deno.bench("RonClient.request GET", { group: "request" }, async () => {
  await client.request({ method: "GET", path: "/items/42" });
});

Deno.bench("ky GET .json() (defaults)", { group: "request" }, async () => {
  await ky.get(`${base}/items/42`, { headers: { authorization: `Bearer ${TOKEN}` } }).json();
});

Deno.bench("ofetch GET (defaults)", { group: "request" }, async () => {
  await ofetch(`${base}/items/42`, { headers: { authorization: `Bearer ${TOKEN}` } });
});

Deno.bench("RonClient.request GET (maxConcurrency 4)", { group: "request" }, async () => {
  await limited.request({ method: "GET", path: "/items/42" });
});

Deno.bench("raw fetch POST + json()", { group: "request" }, async () => {
  const res = await fetch(`${base}/items`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${TOKEN}`,
      accept: "application/json",
      "content-type": "application/json",
    },
    body: JSON.stringify({ name: "w" }),
    client: http,
  });
  await res.json();
});

Deno.bench("RonClient.request POST idempotent", { group: "request" }, async () => {
  await client.request({ method: "POST", path: "/items", json: { name: "w" }, idempotent: true });
});

Deno.bench("ky POST .json() (defaults)", { group: "request" }, async () => {
  await ky.post(`${base}/items`, { headers: { authorization: `Bearer ${TOKEN}` }, json: { name: "w" } })
    .json();
});

Deno.bench("ofetch POST (defaults)", { group: "request" }, async () => {
  await ofetch(`${base}/items`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}` },
    body: { name: "w" },
  });
});

globalThis.addEventListener("unload", () => {
  client.close();
  limited.close();
  http.close();
  void server.shutdown();
});
