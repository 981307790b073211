import assert from "node:assert/strict";
import { z } from "zod";
import { formatIssues } from "./issues.ts";
import { OP_RESULTS, ReplySchema } from "./protocol.ts";

function render(schema: z.ZodType, input: unknown): string {
  const r = schema.safeParse(input);
  assert.equal(r.success, false);
  return r.success ? "" : formatIssues(r.error.issues, input);
}

Deno.test("formatIssues() names the field, what was expected and what was there", async (t) => {
  const cases: [string, z.ZodType, unknown, string][] = [
    [
      "a union is judged by its closest alternative",
      ReplySchema,
      { id: 1, ok: false, error: { type: "other", details: [] } },
      "error.details: expected an object, got an array",
    ],
    ["a missing field", ReplySchema, { id: 1, ok: true }, "result: missing (expected an object)"],
    [
      "a literal and several fields",
      OP_RESULTS.hello,
      { protocol: 2, name: "n", version: "v", language: "l", capabilities: {} },
      "protocol: expected 1, got the number 2; capabilities: expected an array, got an object",
    ],
    [
      "an enum",
      OP_RESULTS.subscribe,
      { events: [], end: "done" },
      'end: expected one of "max_events", "max_duration", "closed", "error", got the string "done"',
    ],
    [
      "a union inside an array",
      z.object({ a: z.array(z.union([z.object({ k: z.literal("x") }), z.object({ n: z.number() })])) }),
      { a: [{ n: "3" }] },
      'a[0].n: expected a number, got the string "3"',
    ],
    [
      "unknown keys and bounds",
      z.object({ s: z.string().max(3) }).strict(),
      { s: "abcdef", extra: 1 },
      's: expected at most 3 characters, got the string "abcdef"; (root): unexpected key(s) "extra"',
    ],
    ["the root itself", z.object({}), null, "(root): expected an object, got null"],
  ];
  for (const [name, schema, input, want] of cases) {
    await t.step(name, () => assert.equal(render(schema, input), want));
  }
});

Deno.test("formatIssues() lists at most `max` issues", () => {
  const schema = z.object({ a: z.string(), b: z.string(), c: z.string() });
  assert.equal(
    render(schema, {}).split("; ").length,
    3,
  );
  const r = schema.safeParse({});
  assert.equal(
    r.success ? "" : formatIssues(r.error.issues, {}, 1),
    "a: missing (expected a string); and 2 more",
  );
});
