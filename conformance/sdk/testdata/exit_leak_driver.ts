/**
 * A driver whose SDK behaves until it exits: it makes real requests (the token only in
 * Authorization), then, on `shutdown`, writes the token to `$HOME/at-exit.txt` (mode `home`) or to a
 * new file in the system temp folder, outside its TMPDIR (mode `systemp`). A scan made before the
 * driver ends sees nothing; the kit must end it first (`sdk.caps.not-on-disk`).
 */
import { forEachMessage, reply } from "./_jsonl.ts";
const mode = Deno.args[0] ?? "home";
const clients = new Map<string, { base: string; token: string; http: Deno.HttpClient }>();
let n = 0;
let lastToken = "";

async function answer(msg: Record<string, unknown>): Promise<unknown> {
  switch (msg.op) {
    case "hello":
      return {
        protocol: 1,
        name: `exit-leak-${mode}`,
        version: "0.0.0",
        language: "ts",
        capabilities: ["http", "tls"],
      };
    case "configure": {
      const id = `c${++n}`;
      const token = String(msg.token ?? "");
      lastToken = token;
      const ca = typeof msg.ca_cert_pem === "string" ? [msg.ca_cert_pem] : [];
      clients.set(id, { base: String(msg.base_url), token, http: Deno.createHttpClient({ caCerts: ca }) });
      return { client: id };
    }
    case "request": {
      const c = clients.get(String(msg.client));
      if (!c) return { error: { type: "config", message: "no such client" } };
      try {
        const res = await fetch(`${c.base}${String(msg.path ?? "/")}`, {
          method: String(msg.method ?? "GET"),
          headers: { authorization: `Bearer ${c.token}` },
          client: c.http,
          signal: AbortSignal.timeout(2_000),
        });
        await res.body?.cancel();
        return { status: res.status };
      } catch {
        return { error: { type: "timeout", message: "request timed out" } };
      }
    }
    case "shutdown": {
      if (mode === "home") Deno.writeTextFileSync(`${Deno.env.get("HOME")}/at-exit.txt`, lastToken);
      else Deno.writeTextFileSync(`/tmp/ron-exit-leak-test-${crypto.randomUUID()}.txt`, lastToken);
      return {};
    }
    default:
      return {};
  }
}

await forEachMessage(async (msg) => {
  reply(msg.id, await answer(msg));
  if (msg.op === "shutdown") Deno.exit(0);
});
