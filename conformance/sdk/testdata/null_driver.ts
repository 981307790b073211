/**
 * A "null SDK" driver for the kit's own tests: it declares every capability and answers every op
 * at once without touching the network. `deno run --no-config null_driver.ts <mode>`:
 * `ok` — every request "succeeds" with 200; `timeout` / `insecure` / `transport` / `too_large` —
 * every request fails at once with that typed error. No check may pass against it: a check that
 * does would pass an SDK that does nothing.
 */
import { DRIVER_CAPABILITIES } from "../../../src/engine/types.ts";

const mode = Deno.args[0] ?? "ok";
const enc = new TextEncoder();
const write = (v: unknown) => Deno.stdout.writeSync(enc.encode(JSON.stringify(v) + "\n"));
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

const dec = new TextDecoder();
let buf = "";
for await (const chunk of Deno.stdin.readable) {
  buf += dec.decode(chunk, { stream: true });
  for (let nl = buf.indexOf("\n"); nl !== -1; nl = buf.indexOf("\n")) {
    const msg = JSON.parse(buf.slice(0, nl)) as Record<string, unknown>;
    buf = buf.slice(nl + 1);
    const r = answer(msg) as Record<string, unknown>;
    if (r && typeof r === "object" && "error" in r) write({ id: msg.id, ok: false, error: r.error });
    else write({ id: msg.id, ok: true, result: r });
    if (msg.op === "shutdown") Deno.exit(0);
  }
}
