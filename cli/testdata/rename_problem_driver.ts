/**
 * A driver mutant for the interop tests: runs the reference client's driver and renames one
 * Problem field in every error it reports (`kind` becomes `category`), as an SDK that maps the
 * envelope wrongly would.
 */
import { referenceDriverCommand } from "../../conformance/mutants/sdk.ts";

const [bin, ...args] = referenceDriverCommand();
const child = new Deno.Command(bin ?? Deno.execPath(), {
  args,
  stdin: "piped",
  stdout: "piped",
  stderr: "inherit",
})
  .spawn();
const toChild = Deno.stdin.readable.pipeTo(child.stdin);
const enc = new TextEncoder();
let buf = "";
for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
  buf += chunk;
  let nl: number;
  while ((nl = buf.indexOf("\n")) >= 0) {
    let line = buf.slice(0, nl);
    buf = buf.slice(nl + 1);
    try {
      const msg = JSON.parse(line);
      if (msg?.ok === false && msg.error?.type === "problem" && "kind" in msg.error) {
        msg.error.category = msg.error.kind;
        delete msg.error.kind;
        line = JSON.stringify(msg);
      }
    } catch { /* not a reply: pass it through */ }
    await Deno.stdout.write(enc.encode(line + "\n"));
  }
}
await toChild.catch(() => {});
Deno.exit((await child.status).code);
