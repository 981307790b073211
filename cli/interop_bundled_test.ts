/**
 * Cross-SDK interop of the kit's own three SDKs (the reference client in TypeScript, the Python
 * and the Go clients) under `deno test`: one test per fixture. The allowed list is the one known
 * difference: when a Problem has no `correlation_id`, the reference client reports the
 * `X-Request-ID` it sent (seed 001 §9), the Python and Go clients report none.
 */
import { fileURLToPath } from "node:url";
import { registerInterop } from "./interop.ts";
import { referenceDriverCommand } from "../conformance/mutants/sdk.ts";

const DRIVERS = fileURLToPath(new URL("../conformance/drivers/", import.meta.url));

async function ok(cmd: string, args: string[], cwd?: string): Promise<boolean> {
  try {
    const out = await new Deno.Command(cmd, {
      args,
      ...(cwd ? { cwd } : {}),
      stdin: "null",
      stdout: "null",
      stderr: "null",
    })
      .output();
    return out.success;
  } catch {
    return false;
  }
}

const drivers: { name: string; command: string[] }[] = [{
  name: "reference",
  command: referenceDriverCommand(),
}];
if (await ok("python3", ["-c", "import httpx"])) {
  drivers.push({ name: "python", command: ["python3", `${DRIVERS}python/driver.py`] });
} else if (Deno.env.get("CI")) throw new Error("required in CI: python3 with httpx");
if (await ok("go", ["build", "-o", "ron-driver", "."], `${DRIVERS}go`)) {
  drivers.push({ name: "go", command: [`${DRIVERS}go/ron-driver`] });
} else if (Deno.env.get("CI")) throw new Error("required in CI: the go toolchain");

await registerInterop({ drivers, seed: 1, allowed: KNOWN() });

/** Fixtures where the reference reports its own X-Request-ID and the others report none. */
function KNOWN(): string[] {
  return [
    "problem canonical.json: canonical envelope with empty strings",
    "problem rfc9457.json: about:blank with title only: code http_<status>, message from title",
    "problem rfc9457.json: empty problem+json object",
    "problem rfc9457.json: URN problem type: last ':' segment",
    "problem rfc9457.json: type with trailing slash and fragment",
    "problem rfc9457.json: wrong-typed standard members are ignored (RFC 9457 §3.1)",
    "problem rfc9457.json: RFC-shaped body sent as application/json",
    "problem rfc9457.json: HTTP status wins over the status member for the fallback code",
    "problem rfc9457.json: relative problem type",
    "problem rfc9457.json: percent-encoded type segment is decoded",
    "problem rfc9457.json: a 'code' extension member goes to details, code comes from type",
    "problem rfc9457.json: problem+json content type with parameters",
  ];
}
