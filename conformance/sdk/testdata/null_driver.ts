/**
 * A "null SDK" driver for the kit's own tests: it declares every capability and answers every op
 * at once without touching the network. `deno run --no-config null_driver.ts <mode>`:
 * `ok` — every request "succeeds" with 200; `timeout` / `insecure` / `transport` / `too_large` —
 * every request fails at once with that typed error. No check may pass against it: a check that
 * does would pass an SDK that does nothing.
 */
import { forEachMessage, reply } from "./_jsonl.ts";
import { DRIVER_CAPABILITIES } from "../../../src/engine/types.ts";

const mode = Deno.args[0] ?? "ok";
let n = 0;

function answer(msg: Record<string, unknown>): unknown {
  switch (msg.op) {
    case "hello":
      return {
        protocol: 1,
        name: `null-sdk-${mode}`,
        version: "0.0.0",
        language: "none",
        capabilities: [...DRIVER_CAPABILITIES],
      };
    case "configure":
      return { client: `c${++n}` };
    case "request":
      if (mode === "ok") return { status: 200, json: {} };
      return { error: { type: mode, message: `${mode} (null sdk)` } };
    case "subscribe":
      return mode === "ok"
        ? { events: [], end: "max_events" }
        : { events: [], end: "error", error: { type: mode } };
    case "decode_dto":
    case "encode_dto":
      return { json: msg.json ?? null };
    case "parse_problem":
      return { problem: { type: "transport", message: "null" } };
    case "validate_manifest":
      return { ok: true };
    case "parse_secret_uri":
      return { canonical: String(msg.pointer ?? "") };
    default:
      return {};
  }
}

await forEachMessage(async (msg) => {
  reply(msg.id, await answer(msg));
  if (msg.op === "shutdown") Deno.exit(0);
});
