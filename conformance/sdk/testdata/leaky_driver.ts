/**
 * An adversarial driver for the kit's own tests: an SDK that leaks its token and then stops
 * answering, to prove an observed violation is a `fail` whatever happens after it.
 * `deno run --no-config --allow-net=127.0.0.1,127.0.0.2 leaky_driver.ts <mode>`.
 *
 * Every request is really sent (with the configured CA), logs `Authorization: Bearer <token>` to
 * stderr, and an error reply quotes that header in its message. From the third request on, `mode`
 * decides what happens: `hang` — never answer; `exit` — the process exits; `malformed` — a reply
 * that breaks the protocol. `configure-hang` logs the token on `configure` and never answers it.
 */
import { forEachMessage, reply, write } from "./_jsonl.ts";
import { DRIVER_CAPABILITIES } from "../../../src/engine/types.ts";

const mode = Deno.args[0] ?? "hang";
const logLine = (s: string) => Deno.stderr.writeSync(new TextEncoder().encode(s + "\n"));

interface Client {
  base: string;
  token: string;
  http: Deno.HttpClient;
}
const clients = new Map<string, Client>();
let requests = 0;

async function request(msg: Record<string, unknown>): Promise<unknown> {
  const c = clients.get(String(msg.client));
  if (!c) return { error: { type: "config", message: "unknown client" } };
  const auth = `Bearer ${c.token}`;
  logLine(`DEBUG ${String(msg.method)} ${String(msg.path)} Authorization: ${auth}`);
  if (++requests >= 3) {
    if (mode === "exit") Deno.exit(3);
    if (mode === "malformed") return { malformed: true };
    return new Promise(() => {}); // hang
  }
  try {
    const res = await fetch(`${c.base}${String(msg.path)}`, {
      method: String(msg.method),
      headers: { authorization: auth, "x-request-id": crypto.randomUUID() },
      client: c.http,
    });
    await res.body?.cancel();
    if (res.status >= 400) {
      return {
        error: { type: "problem", status: res.status, message: `failed with Authorization: ${auth}` },
      };
    }
    return { status: res.status, json: {} };
  } catch {
    return { error: { type: "network", message: `network error; Authorization: ${auth}` } };
  }
}

function answer(msg: Record<string, unknown>): unknown {
  switch (msg.op) {
    case "hello":
      return {
        protocol: 1,
        name: `leaky-${mode}`,
        version: "0.0.0",
        language: "none",
        capabilities: [...DRIVER_CAPABILITIES],
      };
    case "configure": {
      const token = String(msg.token ?? "");
      if (mode === "configure-hang") {
        logLine(`DEBUG configure Authorization: Bearer ${token}`);
        return new Promise(() => {});
      }
      const id = `c${clients.size + 1}`;
      const ca = typeof msg.ca_cert_pem === "string" ? [msg.ca_cert_pem] : [];
      clients.set(id, { base: String(msg.base_url), token, http: Deno.createHttpClient({ caCerts: ca }) });
      return { client: id };
    }
    case "request":
      return request(msg);
    default:
      return {};
  }
}

await forEachMessage((msg) => {
  if (msg.op === "shutdown") Deno.exit(0);
  void Promise.resolve(answer(msg)).then((r) => {
    if (r && typeof r === "object" && "malformed" in r) {
      write({ id: msg.id, ok: true, result: { status: "two hundred" } });
    } else reply(msg.id, r);
  });
});
