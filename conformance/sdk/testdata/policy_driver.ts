/**
 * An adversarial driver for the kit's own tests: a plausible real SDK with its own retry and timeout
 * policy, to prove each check judges the rule in its title and nothing next to it.
 * `deno run --no-config --allow-net=127.0.0.1,127.0.0.2 policy_driver.ts <mode>`.
 *
 * - `slow-backoff`: a GET answered 429/5xx is retried twice whatever `max_retries` says, after
 *   ~1.1 s then ~2.0 s, with per-client jitter (a sound backoff, fewer retries than configured).
 * - `never-retry`: never retries.
 * - `ignore-retry-after`: retries twice after 450 ms, whatever Retry-After says.
 * - `default-60`: never retries; with no read timeout configured, gives up after exactly 60 s.
 * - `keyed-writes`: retries every 429/5xx twice after 100 ms, and keys each call itself with one
 *   `Idempotency-Key`, the same on every attempt of that call (as Stripe's SDKs do).
 * - `rekeyed-writes`: the same, but with a fresh key on every attempt (no protection at all).
 * - `keyed-no-put`: `keyed-writes`, but PUT is refused before sending (Stripe's raw request method
 *   knows only GET, POST and DELETE).
 */
import { forEachMessage, reply } from "./_jsonl.ts";
import { DRIVER_CAPABILITIES } from "../../../src/engine/types.ts";

const mode = Deno.args[0] ?? "slow-backoff";

interface Client {
  base: string;
  token: string;
  http: Deno.HttpClient;
  readMs: number;
  /** this client's own jitter, 0..1 */
  jitter: number;
}
const clients = new Map<string, Client>();

function waits(c: Client): number[] {
  switch (mode) {
    case "slow-backoff":
      return [1_000 + 200 * c.jitter, 1_800 + 400 * Math.random()];
    case "ignore-retry-after":
      return [450, 450];
    case "keyed-writes":
    case "keyed-no-put":
    case "rekeyed-writes":
      return [100, 100];
    default:
      return [];
  }
}

async function attempt(
  c: Client,
  msg: Record<string, unknown>,
  key: string | undefined,
): Promise<Response | "timeout"> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${c.token}`,
    "x-request-id": crypto.randomUUID(),
  };
  if (key !== undefined) headers["idempotency-key"] = key;
  try {
    return await fetch(`${c.base}${String(msg.path)}`, {
      method: String(msg.method),
      headers,
      client: c.http,
      signal: AbortSignal.timeout(c.readMs),
    });
  } catch {
    return "timeout";
  }
}

async function request(msg: Record<string, unknown>): Promise<unknown> {
  const c = clients.get(String(msg.client));
  if (!c) return { error: { type: "config", message: "unknown client" } };
  if (mode === "keyed-no-put" && msg.method === "PUT") {
    return { error: { type: "config", message: "unsupported method: put" } };
  }
  const plan = waits(c);
  const callKey = crypto.randomUUID();
  for (let i = 0;; i++) {
    const key = mode === "keyed-writes" || mode === "keyed-no-put"
      ? callKey
      : mode === "rekeyed-writes"
      ? crypto.randomUUID()
      : undefined;
    const res = await attempt(c, msg, key);
    if (res === "timeout") return { error: { type: "timeout", message: `no answer in ${c.readMs} ms` } };
    await res.body?.cancel();
    const retryable = res.status === 429 || res.status >= 500;
    const wait = plan[i];
    if (retryable && wait !== undefined) {
      await new Promise((r) => setTimeout(r, wait));
      continue;
    }
    if (res.status >= 400) return { error: { type: "problem", status: res.status, message: "failed" } };
    return { status: res.status, json: {} };
  }
}

function answer(msg: Record<string, unknown>): unknown {
  switch (msg.op) {
    case "hello":
      return {
        protocol: 1,
        name: `policy-${mode}`,
        version: "0.0.0",
        language: "none",
        capabilities: [...DRIVER_CAPABILITIES],
      };
    case "configure": {
      const id = `c${clients.size + 1}`;
      const ca = typeof msg.ca_cert_pem === "string" ? [msg.ca_cert_pem] : [];
      const t = msg.timeouts as { read_ms?: number } | undefined;
      clients.set(id, {
        base: String(msg.base_url),
        token: String(msg.token ?? ""),
        http: Deno.createHttpClient({ caCerts: ca }),
        readMs: t?.read_ms ?? 60_000,
        jitter: Math.random(),
      });
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
  void Promise.resolve(answer(msg)).then((r) => reply(msg.id, r));
});
