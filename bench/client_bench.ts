/**
 * The reference client against raw `fetch`, on the same loopback `Deno.serve` server and the same
 * request (GET with a bearer token, a small JSON body back). The ratio is the client's overhead:
 * URL building, headers, redaction-free fast path, streaming size cap, timers, JSON parsing.
 *
 * Run: `deno bench --allow-all bench/client_bench.ts`
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
