/**
 * A driver for the kit's own tests: the reference driver, with one field of every typed error it
 * reports renamed (`deno run rename_driver.ts kind category`), as a driver that maps its SDK's
 * errors with one wrong name would. The `sdk.errors.*` checks must fail it and name every fixture
 * and field it breaks.
 */
import { forEachMessage, write } from "./_jsonl.ts";
import { ReferenceDriver, toSdkError } from "../../drivers/reference/driver.ts";

const [from = "kind", to = "category"] = Deno.args;
const driver = new ReferenceDriver(undefined);

/** The error with `from` renamed to `to`. */
function rename(e: Record<string, unknown>): Record<string, unknown> {
  if (!(from in e)) return e;
  const { [from]: value, ...rest } = e;
  return { ...rest, [to]: value };
}

async function answer(msg: Record<string, unknown>): Promise<void> {
  const id = msg.id;
  try {
    const result = await driver.run(String(msg.op), msg);
    const problem = result.problem;
    if (msg.op === "parse_problem" && typeof problem === "object" && problem !== null) {
      write({ id, ok: true, result: { problem: rename(problem as Record<string, unknown>) } });
    } else write({ id, ok: true, result });
  } catch (e) {
    write({ id, ok: false, error: rename(toSdkError(e)) });
  }
}

await forEachMessage((msg) => {
  if (msg.op === "shutdown") {
    write({ id: msg.id, ok: true, result: {} });
    Deno.exit(0);
  }
  void answer(msg);
});
