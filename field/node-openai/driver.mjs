// Field driver: the official openai npm SDK with its defaults (docs/FIELD.md), pointed at the kit's mock
// through baseURL, its raw request methods (client.get/post/... + asResponse()). Wiring: apiKey (an
// async function with token_provider), maxRetries, `timeout` (the SDK's one timeout: ms until the
// response headers, so the kit's read_ms; total_ms when only that is given), logLevel "debug". The CA
// comes from NODE_EXTRA_CA_CERTS (Node's fetch reads it).
import OpenAI from "openai";
import { VERSION } from "openai/version";
import { error, newHandle, SdkError, serve, statusError, tlsFailure } from "../_node/jsonl_driver.mjs";

const clients = new Map();
const tokens = new Map();

function client(p) {
  const c = clients.get(p.client);
  if (!c) throw new SdkError({ type: "config", message: "unknown client handle" });
  return c;
}

function configure(p) {
  const handle = newHandle();
  const opts = { baseURL: p.base_url };
  if (p.token_provider) {
    tokens.set(handle, p.token);
    opts.apiKey = () => Promise.resolve(tokens.get(handle));
  } else {
    opts.apiKey = p.token;
  }
  const t = p.timeouts ?? {};
  if (t.read_ms ?? t.total_ms) opts.timeout = t.read_ms ?? t.total_ms;
  if (p.max_retries !== undefined) opts.maxRetries = p.max_retries;
  if (p.debug) opts.logLevel = "debug";
  clients.set(handle, new OpenAI(opts));
  return { client: handle };
}

async function send(p) {
  const c = client(p);
  const method = p.method.toLowerCase();
  const opts = {};
  if (p.query) opts.query = p.query;
  if (p.json !== undefined) opts.body = p.json;
  let res;
  try {
    res = await c[method](p.path, opts).asResponse();
  } catch (e) {
    if (e instanceof OpenAI.APIConnectionTimeoutError) throw error("timeout", e);
    if (e instanceof OpenAI.APIConnectionError) throw error(tlsFailure(e) ? "insecure" : "network", e);
    if (e instanceof OpenAI.APIError && e.status !== undefined) throw statusError(e.status, true, e.error, e);
    throw e;
  }
  let text;
  try {
    text = await res.text();
  } catch (e) {
    throw error("network", e);
  }
  let doc;
  try {
    doc = text === "" ? undefined : JSON.parse(text);
  } catch (e) {
    throw error("transport", e, { status: res.status });
  }
  return doc === undefined ? { status: res.status } : { status: res.status, json: doc };
}

function rotateToken(p) {
  if (!tokens.has(p.client)) {
    throw new SdkError({ type: "config", message: "not configured with token_provider" });
  }
  tokens.set(p.client, p.token);
  return {};
}

serve({
  hello: () => ({
    protocol: 1,
    name: "openai-node",
    version: VERSION,
    language: "javascript",
    capabilities: ["http", "tls", "retry", "token_provider"],
  }),
  configure,
  request: send,
  rotate_token: rotateToken,
  close: () => ({}),
});
