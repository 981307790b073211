/**
 * A tiny fake driver for the driver host's tests. Run as
 * `deno run -A --no-config fake_driver.ts <mode>`; each mode misbehaves in one way.
 *
 * - `echo`: a good driver. `request` answers `{status: 200, json: {path}}` after `/delay/<ms>` ms if
 *   the path asks for it; `decode_dto` answers its environment and cwd; other ops are `unsupported`.
 * - `garbage`: like echo, but writes non-protocol lines to stdout and stderr first.
 * - `flood`: like echo, but `request` first writes the canary (env `CANARY`) and then 10 MiB of output.
 * - `wrong_id`, `malformed`, `bad_result`: answer `request` with the wrong id / an invalid reply /
 *   a result that fails the `request` result schema (the line carries the `token` param).
 * - `exit`: writes to stderr and exits 3 before reading anything.
 * - `crash`: `request` makes it write to stderr and exit 7.
 * - `hang`: answers `hello`, nothing else; exits at end of stdin.
 * - `stubborn`: answers `hello`, nothing else, never exits by itself.
 * - `mute`: never answers anything (not even `hello`); exits at end of stdin.
 * - `leak`: `configure` writes the token to `$HOME/.sdk/token.json` and to stderr, and answers
 *   `request` with an error whose message carries the token.
 * - `huge`: `request` answers a success whose one line is 17 MiB (over the line limit).
 * - `huge_nonl`: `configure` writes 20 MB of a success reply with no newline, then lingers;
 *   `huge_exit`: the same, then exits.
 * - `duplicate`: `request` is answered twice.
 * - `details_array`: `request` fails with `error.details` an array.
 * - `grandchild`: starts `sleep 300` (holding its stdout and stderr) before `hello`; `decode_dto`
 *   answers its pid.
 *
 * @module
 */

const mode = Deno.args[0] ?? "echo";
const enc = new TextEncoder();

function writeAll(f: { writeSync(p: Uint8Array): number }, text: string): void {
  const data = enc.encode(text);
  let n = 0;
  while (n < data.length) n += f.writeSync(data.subarray(n));
}
const out = (line: string) => writeAll(Deno.stdout, line + "\n");
const err = (line: string) => writeAll(Deno.stderr, line + "\n");
const reply = (id: unknown, result: unknown) => out(JSON.stringify({ id, ok: true, result }));
const fail = (id: unknown, error: unknown) => out(JSON.stringify({ id, ok: false, error }));

if (mode === "exit") {
  err("fatal: boom, cannot start");
  Deno.exit(3);
}
if (mode === "garbage") {
  out("starting fake SDK…");
  out("{not json");
  out('{"id":"1","ok":true,"result":{}}');
  out("[1,2,3]");
  out('{"level":"debug","msg":"hello"}');
  err("WARN something on stderr");
}
if (mode === "stubborn") setInterval(() => {}, 1000);
let sleeper = 0;
if (mode === "grandchild") sleeper = new Deno.Command("sleep", { args: ["300"], stdin: "null" }).spawn().pid;

/** Write a success reply whose `json` is `size` bytes of "x"; with `newline` false, no newline. */
function hugeReply(id: unknown, size: number, newline: boolean): void {
  writeAll(Deno.stdout, `{"id":${JSON.stringify(id)},"ok":true,"result":{"status":200,"json":"`);
  const block = "x".repeat(1024 * 1024);
  for (let left = size; left > 0; left -= block.length) writeAll(Deno.stdout, block.slice(0, left));
  writeAll(Deno.stdout, `"}}${newline ? "\n" : ""}`);
}

let token = "";

function handle(msg: Record<string, unknown>): void {
  const id = msg.id;
  const op = msg.op;
  if (mode === "mute") return;
  if (op === "hello") {
    return reply(id, {
      protocol: 1,
      name: "fake",
      version: "0.0.0",
      language: "typescript",
      capabilities: ["http"],
    });
  }
  if (op === "shutdown" && mode !== "hang" && mode !== "stubborn") {
    reply(id, {});
    Deno.exit(0);
  }
  if (mode === "hang" || mode === "stubborn") return;
  if (op === "configure") {
    token = typeof msg.token === "string" ? msg.token : "";
    if (mode === "huge_nonl" || mode === "huge_exit") {
      hugeReply(id, 20_000_000, false);
      if (mode === "huge_exit") Deno.exit(0);
      return;
    }
    if (mode === "leak") {
      Deno.mkdirSync(`${Deno.env.get("HOME")}/.sdk`, { recursive: true });
      Deno.writeTextFileSync(`${Deno.env.get("HOME")}/.sdk/token.json`, JSON.stringify({ token }));
      err(`DEBUG configure base_url=${msg.base_url} Authorization: Bearer ${token}`);
    }
    return reply(id, { client: "c1" });
  }
  if (op === "decode_dto") {
    return reply(id, { json: { env: Deno.env.toObject(), cwd: Deno.cwd(), sleeper } });
  }
  if (op === "request") {
    const path = String(msg.path);
    switch (mode) {
      case "wrong_id":
        return reply(Number(id) + 1000, { status: 200 });
      case "malformed":
        return out(JSON.stringify({ id, ok: true, token: msg.token }));
      case "bad_result":
        return reply(id, { status: "200", token: msg.token });
      case "crash":
        err("panic: nil pointer in request");
        return Deno.exit(7);
      case "leak":
        return fail(id, { type: "problem", status: 401, message: `unauthorized with token ${token}` });
      case "huge":
        return hugeReply(id, 17 * 1024 * 1024, true);
      case "duplicate":
        reply(id, { status: 200 });
        return reply(id, { status: 201 });
      case "details_array":
        return fail(id, { type: "problem", status: 400, details: [] });
      case "flood": {
        out(`debug token=${Deno.env.get("CANARY")}`);
        const line = "flood " + "x".repeat(1017);
        const block = (line + "\n").repeat(1024);
        for (let i = 0; i < 10; i++) writeAll(Deno.stdout, block);
        err("flood done");
        break;
      }
    }
    const m = /^\/delay\/(\d+)$/.exec(path);
    if (m) {
      setTimeout(() => reply(id, { status: 200, json: { path } }), Number(m[1]));
      return;
    }
    return reply(id, { status: 200, json: { path } });
  }
  return fail(id, { type: "unsupported" });
}

const decoder = new TextDecoder();
let buf = "";
{
  for await (const chunk of Deno.stdin.readable) {
    buf += decoder.decode(chunk, { stream: true });
    for (let nl = buf.indexOf("\n"); nl !== -1; nl = buf.indexOf("\n")) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      handle(JSON.parse(line));
    }
  }
  if (mode !== "stubborn") Deno.exit(0);
}
