/**
 * A "null" secrets driver for the kit's own tests: it declares every capability of the secrets
 * profile and answers every op at once without touching the network.
 * `deno run --no-config null_driver.ts <mode>`: `ok` — every `get_secret` "succeeds" (version 1, a
 * made-up digest); any other mode — every `get_secret` fails at once with `{type: "secret", code:
 * <mode>}`. No check may pass against it: a check that does would pass an SDK that does nothing.
 */
import { forEachMessage, reply } from "../../sdk/testdata/_jsonl.ts";

const mode = Deno.args[0] ?? "ok";
let n = 0;

function answer(msg: Record<string, unknown>): unknown {
  switch (msg.op) {
    case "hello":
      return {
        protocol: 1,
        name: `null-secrets-${mode}`,
        version: "0.0.0",
        language: "none",
        capabilities: ["secrets_uri", "secrets_kv", "secrets_grants", "secrets_audit", "secret_uri"],
      };
    case "configure":
      return { client: `c${++n}` };
    case "get_secret":
      return mode === "ok"
        ? { version: 1, digest: "0".repeat(64) }
        : { error: { type: "secret", code: mode, message: `${mode} (null driver)` } };
    case "parse_secret_uri":
      return mode === "ok"
        ? { canonical: String(msg.pointer ?? "") }
        : { error: { type: "config", code: mode } };
    case "audit_records":
      return { records: [] };
    default:
      return {};
  }
}

await forEachMessage((msg) => {
  reply(msg.id, answer(msg));
  if (msg.op === "shutdown") Deno.exit(0);
});
