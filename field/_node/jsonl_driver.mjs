// Protocol plumbing shared by the Node field drivers (docs/PROTOCOL.md): JSON Lines over stdio.
// Nothing here touches an HTTP client. Every request line is handled concurrently (pipelining);
// Node writes each reply with one write call, so lines stay whole. The mapping rules every field
// driver follows (docs/FIELD.md) live in statusError and error.
import { createInterface } from "node:readline";

const FIELDS = {
  code: "string",
  kind: "string",
  message: "string",
  correlation_id: "string",
  details: "object",
};
let handles = 0;

/** An error reply: `error` is the protocol's SdkError object. */
export class SdkError extends Error {
  constructor(error) {
    super(error.message ?? error.type);
    this.error = error;
  }
}

export function newHandle() {
  handles += 1;
  return `c${handles}`;
}

/** The canonical Problem members of a decoded body, kept only when they have the right type. */
export function problemFields(doc) {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return {};
  const out = {};
  for (const [k, t] of Object.entries(FIELDS)) {
    const v = doc[k];
    if (typeof v === t && v !== null && !(t === "object" && Array.isArray(v))) out[k] = v;
  }
  return out;
}

/** An HTTP error status: problem (+ canonical members) when the body was decoded, else transport. */
export function statusError(status, decoded, doc, exc) {
  const err = { type: decoded ? "problem" : "transport", status, ...(decoded ? problemFields(doc) : {}) };
  if (exc !== undefined) {
    err.message ??= exc?.name ?? "Error";
    err.rendered = String(exc);
  }
  return new SdkError(err);
}

/** A typed error from a client exception: its class name as message, its own text as rendered. */
export function error(type, exc, extra = {}) {
  return new SdkError({ type, message: exc?.name ?? "Error", rendered: String(exc), ...extra });
}

/** Walk an error's cause chain. */
export function causes(e) {
  const out = [];
  for (let c = e; c && !out.includes(c) && out.length < 10; c = c.cause) out.push(c);
  return out;
}

/** True when a TLS certificate or handshake failure is in the cause chain. */
export function tlsFailure(e) {
  return causes(e).some((c) => typeof c.code === "string" && /CERT|SIGNATURE|SSL|TLS|ISSUER/.test(c.code));
}

function reply(id, ok, payload) {
  process.stdout.write(JSON.stringify({ id, ok, [ok ? "result" : "error"]: payload }) + "\n");
}

async function handle(ops, msg) {
  try {
    const fn = ops[msg.op];
    if (!fn) throw new SdkError({ type: "unsupported", message: `op ${msg.op} is not supported` });
    reply(msg.id, true, await fn(msg));
  } catch (e) {
    if (e instanceof SdkError) reply(msg.id, false, e.error);
    else reply(msg.id, false, { type: "other", message: e?.name ?? "Error", rendered: String(e) });
  }
}

/** Read requests until stdin closes or `shutdown`. */
export function serve(ops) {
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  rl.on("line", (line) => {
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      return;
    }
    if (msg === null || typeof msg !== "object" || !Number.isInteger(msg.id)) return;
    if (msg.op === "shutdown") {
      reply(msg.id, true, {});
      process.exit(0);
    }
    void handle(ops, msg);
  });
  rl.on("close", () => process.exit(0));
}
