// Field driver: undici's request() with its defaults (docs/FIELD.md). Wiring: base URL, bearer header,
// per-instance Agent with the kit's connect/read timeouts (connect.timeout, headersTimeout,
// bodyTimeout), max_concurrency as `connections`, max_response_bytes as `maxResponseSize`, total_ms as
// the documented `signal` option (AbortSignal.timeout). The CA comes from NODE_EXTRA_CA_CERTS; the
// command sets NODE_DEBUG=undici, undici's most verbose logging.
import { Agent, request } from "undici";
import { createRequire } from "node:module";
import { error, newHandle, SdkError, serve, statusError, tlsFailure } from "../_node/jsonl_driver.mjs";

const { version } = createRequire(import.meta.url)("undici/package.json");
const clients = new Map();
const TIMEOUTS = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "UND_ERR_CONNECT_TIMEOUT"]);

function client(p) {
  const c = clients.get(p.client);
  if (!c) throw new SdkError({ type: "config", message: "unknown client handle" });
  return c;
}

function configure(p) {
  const t = p.timeouts ?? {};
  const opts = {};
  if (t.connect_ms) opts.connect = { timeout: t.connect_ms };
  if (t.read_ms) Object.assign(opts, { headersTimeout: t.read_ms, bodyTimeout: t.read_ms });
  if (p.max_concurrency) opts.connections = p.max_concurrency;
  if (p.max_response_bytes) opts.maxResponseSize = p.max_response_bytes;
  const handle = newHandle();
  clients.set(handle, {
    base: p.base_url.replace(/\/+$/, ""),
    token: p.token,
    total: t.total_ms,
    agent: new Agent(opts),
  });
  return { client: handle };
}

function classify(e) {
  if (e?.name === "TimeoutError" || TIMEOUTS.has(e?.code)) return "timeout";
  if (e?.code === "UND_ERR_RES_EXCEEDED_MAX_SIZE") return "too_large";
  if (tlsFailure(e)) return "insecure";
  return "network";
}

async function send(p) {
  const c = client(p);
  const query = p.query ? `?${new URLSearchParams(p.query)}` : "";
  const headers = { authorization: `Bearer ${c.token}` };
  const init = { method: p.method, headers, dispatcher: c.agent };
  if (p.json !== undefined) {
    headers["content-type"] = "application/json";
    init.body = JSON.stringify(p.json);
  }
  if (c.total) init.signal = AbortSignal.timeout(c.total);
  let status, text;
  try {
    const res = await request(c.base + p.path + query, init);
    status = res.statusCode;
    text = await res.body.text();
  } catch (e) {
    throw error(classify(e), e);
  }
  let doc, bad;
  try {
    doc = text === "" ? undefined : JSON.parse(text);
  } catch (e) {
    bad = e;
  }
  if (status >= 400) throw statusError(status, bad === undefined, doc, bad);
  if (bad !== undefined) throw error("transport", bad, { status });
  return doc === undefined ? { status } : { status, json: doc };
}

async function close(p) {
  await client(p).agent.close();
  return {};
}

serve({
  hello: () => ({
    protocol: 1,
    name: "undici",
    version,
    language: "javascript",
    capabilities: ["http", "tls", "concurrency"],
  }),
  configure,
  request: send,
  close,
});
