// Field driver (secrets profile, KV only): node-vault with its defaults (docs/FIELD.md). Wiring: the vault
// address and token as nodeVault({endpoint, token}), the kit's timeout as requestOptions.timeout (an axios
// option node-vault forwards); the CA comes from NODE_EXTRA_CA_CERTS, which Node reads at start. node-vault
// has no KV v2 helper: get_secret splits the secret URI the way an application would (mount, path, version,
// fragment) and calls vault.read("<mount>/data/<path>?version=N"); with wrap_ttl_s it passes the
// X-Vault-Wrap-TTL header through the read's requestOptions and unwraps with vault.unwrap({token}).
// node-vault guards nothing: what it sends is what the kit judges. debug: true enables the `debug` module's
// node-vault and follow-redirects namespaces (stderr).
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { error, newHandle, SdkError, serve, tlsFailure } from "../_node/jsonl_driver.mjs";

const require = createRequire(import.meta.url);
const nodeVault = require("node-vault");
const createDebug = require("debug");
const { version } = require("node-vault/package.json");

const clients = new Map();

function client(p) {
  const c = clients.get(p.client);
  if (!c) {
    throw new SdkError({ type: "config", message: "unknown client handle" });
  }
  return c;
}

function configure(p) {
  if (p.debug) createDebug.enable("node-vault,follow-redirects");
  const s = p.secrets ?? {};
  const t = p.timeouts ?? {};
  const total = t.total_ms ??
    (t.read_ms === undefined ? undefined : t.read_ms + (t.connect_ms ?? 0));
  const config = { endpoint: s.vault_addr, token: s.token };
  if (total !== undefined) config.requestOptions = { timeout: total };
  const handle = newHandle();
  clients.set(handle, { vault: nodeVault(config), wrapTtlS: s.wrap_ttl_s });
  return { client: handle };
}

/** mount, path, version and fragment of `provider[+engine]://mount/path[#frag][?query]`. */
function splitUri(uri) {
  const rest = uri.slice(uri.indexOf("://") + 3);
  const cut = Math.min(
    ...[rest.indexOf("#"), rest.indexOf("?"), rest.length].filter((i) => i >= 0),
  );
  const where = rest.slice(0, cut);
  let fragment;
  let query = "";
  for (
    const part of rest.slice(cut).replaceAll("?", "\0?").replaceAll("#", "\0#")
      .split("\0")
  ) {
    if (part.startsWith("#")) fragment = part.slice(1);
    else if (part.startsWith("?")) query = part.slice(1);
  }
  const params = new URLSearchParams(query);
  const slash = where.indexOf("/");
  return {
    mount: slash < 0 ? where : where.slice(0, slash),
    path: slash < 0 ? "" : where.slice(slash + 1),
    version: params.has("version") ? Number.parseInt(params.get("version"), 10) : undefined,
    fragment,
  };
}

const CODES = { 404: "not_found", 403: "permission_denied", 503: "sealed" };

/** node-vault's ApiResponseError carries the status; axios errors are transport failures. */
function typed(e) {
  const status = e?.response?.statusCode;
  if (typeof status === "number") {
    return new SdkError({
      type: "secret",
      code: CODES[status] ?? "provider",
      status,
      message: e.constructor?.name ?? "Error",
      rendered: String(e),
    });
  }
  if (tlsFailure(e)) return error("insecure", e);
  if (e?.code === "ECONNABORTED" || e?.code === "ETIMEDOUT") {
    return error("timeout", e);
  }
  if (e?.isAxiosError) return error("network", e);
  return error("other", e);
}

async function read(c, { mount, path, version }) {
  const target = `${mount}/data/${path}${version === undefined ? "" : `?version=${version}`}`;
  if (!c.wrapTtlS) return await c.vault.read(target);
  const wrapped = await c.vault.read(target, {
    headers: { "X-Vault-Wrap-TTL": `${c.wrapTtlS}s` },
  });
  return await c.vault.unwrap({ token: wrapped.wrap_info.token });
}

async function getSecret(p) {
  const c = client(p);
  const where = splitUri(p.uri);
  let doc;
  try {
    doc = await read(c, where);
  } catch (e) {
    throw typed(e);
  }
  const data = doc?.data?.data;
  let value = data;
  if (where.fragment !== undefined) {
    if (
      data === null || typeof data !== "object" || !(where.fragment in data)
    ) {
      throw new SdkError({
        type: "secret",
        code: "not_found",
        message: `no key ${where.fragment} in the data`,
      });
    }
    value = data[where.fragment];
  }
  const digest = createHash("sha256").update(canonicalJson(value ?? null))
    .digest("hex");
  const out = { version: doc?.data?.metadata?.version ?? null, digest };
  if (p.reveal === true) out.value = value;
  return out;
}

/** JSON with keys sorted and no whitespace (the kit's digest form). */
function canonicalJson(v) {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v !== null && typeof v === "object") {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

serve({
  hello: () => ({
    protocol: 1,
    name: "node-vault",
    version,
    language: "javascript",
    capabilities: ["secrets_kv"],
  }),
  configure,
  get_secret: getSecret,
  close: (p) => {
    client(p);
    return {};
  },
});
