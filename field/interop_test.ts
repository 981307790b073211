/**
 * Cross-SDK interop over the field clients that declare `problem` (they map an error body onto the
 * kit's typed outcome), with the reference client as the baseline column: one test per fixture, as
 * `registerInterop` does for the kit's own SDKs (`cli/interop_bundled_test.ts`).
 *
 * Only sdk-profile clients whose driver is built here take part (`deno task field` installs and builds them);
 * each is asked `hello` (bounded) for its capabilities. When no built field client declares
 * `problem`, one ignored test says so and names the clients asked: today none of the thin drivers
 * maps Problem bodies (docs/FIELD.md), so there is nothing to compare yet — an ignored test, never a
 * pass.
 */
import { registerInterop } from "../cli/interop.ts";
import { referenceDriverCommand } from "../conformance/mutants/sdk.ts";
import { startDriver } from "../src/driver/host.ts";
import { splitCommand } from "../src/util/args.ts";
import { discover, type FieldSpec } from "./_spec.ts";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const HELLO_MS = 20_000;

/** The driver's argv with repository-relative paths made absolute, or undefined when it is not built. */
async function builtArgv(spec: FieldSpec): Promise<string[] | undefined> {
  if (spec.command === undefined) return undefined; // a target, not a driver
  const split = splitCommand(spec.command);
  if (!split.ok) return undefined;
  const argv = split.value.map((a) => a.startsWith("field/") ? `${ROOT}/${a}` : a);
  for (const a of argv) {
    if (!a.startsWith(`${ROOT}/`)) continue;
    try {
      await Deno.stat(a);
    } catch {
      return undefined;
    }
  }
  return argv;
}

/** The capabilities a built driver declares in `hello`, or undefined when it does not start. */
async function declared(argv: string[]): Promise<readonly string[] | undefined> {
  const started = await startDriver({ command: argv, canaries: () => [], helloTimeoutMs: HELLO_MS });
  if (!started.ok) return undefined;
  try {
    return started.session.hello.capabilities;
  } finally {
    await started.session.close();
  }
}

const { specs } = await discover(ROOT);
const asked: string[] = [];
const drivers: { name: string; command: string[] }[] = [];
for (const spec of specs) {
  if (spec.profile !== "sdk") continue; // interop compares the sdk profile's Problem fixtures
  const argv = await builtArgv(spec);
  if (!argv) continue;
  const caps = await declared(argv);
  if (!caps) continue;
  asked.push(spec.name);
  if (caps.includes("problem")) drivers.push({ name: spec.name, command: argv });
}

if (drivers.length === 0) {
  Deno.test({
    name: `field interop: no built field client declares "problem" (asked: ${
      asked.join(", ") || "none built"
    })`,
    ignore: true,
    fn() {},
  });
} else {
  await registerInterop({ drivers: [{ name: "reference", command: referenceDriverCommand() }, ...drivers] });
}
