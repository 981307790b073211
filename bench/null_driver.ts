/**
 * A null driver for `bench/scaling.ts`: it declares every capability and answers every protocol
 * request at once with a valid reply (docs/PROTOCOL.md § "Operations"), never touching the network.
 * Certifying it measures the kit's own cost per check: the verdicts are mostly `fail` and `error`
 * (nothing reaches the mock server), which is the point; there is no SDK time to subtract.
 *
 * Run: `deno task certify --driver "deno run --no-config bench/null_driver.ts"`
 *
 * @module
 */
import { DRIVER_CAPABILITIES } from "../src/engine/types.ts";

const enc = new TextEncoder();
let clients = 0;

function result(msg: Record<string, unknown>): unknown {
  switch (msg.op) {
    case "hello":
      return {
        protocol: 1,
        name: "null-driver",
        version: "0.0.0",
        language: "none",
        capabilities: [...DRIVER_CAPABILITIES],
      };
    case "configure":
      return { client: `c${++clients}` };
    case "request":
      return { status: 200, json: {}, headers: { "content-type": "application/json" } };
    case "subscribe":
      return { events: [], end: "closed" };
    case "parse_problem":
      return { problem: { type: "transport", message: "null driver" } };
    case "decode_dto":
    case "encode_dto":
      return { json: msg.json ?? null };
    case "parse_secret_uri":
      return { canonical: String(msg.pointer ?? "") };
    case "validate_manifest":
      return { ok: true };
    default: // close, zeroize, rotate_token, shutdown, get_secret, audit_records
      return {};
  }
}

const dec = new TextDecoder();
let buf = "";
for await (const chunk of Deno.stdin.readable) {
  buf += dec.decode(chunk, { stream: true });
  let out = "";
  let shutdown = false;
  for (let nl = buf.indexOf("\n"); nl !== -1; nl = buf.indexOf("\n")) {
    const line = buf.slice(0, nl);
    buf = buf.slice(nl + 1);
    if (line.trim() === "") continue;
    const msg = JSON.parse(line) as Record<string, unknown>;
    out += JSON.stringify({ id: msg.id, ok: true, result: result(msg) }) + "\n";
    if (msg.op === "shutdown") shutdown = true;
  }
  const bytes = enc.encode(out);
  for (let at = 0; at < bytes.length;) at += await Deno.stdout.write(bytes.subarray(at));
  if (shutdown) Deno.exit(0);
}
