import assert from "node:assert/strict";
import { z } from "zod";
import type { Same } from "./_same.ts";

Deno.test("Same<> tells an annotation that drifted from its schema, which assignability does not", () => {
  const raw = z.object({ a: z.string(), b: z.number().optional() });
  // zod's types are covariant: a schema with an extra key is assignable to the narrower annotation
  const narrower: z.ZodObject<{ a: z.ZodString }> = raw;
  const extraKey: Same<typeof raw, typeof narrower> = false;
  const required: Same<typeof raw, z.ZodObject<{ a: z.ZodString; b: z.ZodNumber }>> = false;
  const exact: Same<typeof raw, z.ZodObject<{ a: z.ZodString; b: z.ZodOptional<z.ZodNumber> }>> = true;
  // `$loose` outputs an index signature, so it differs; `$strict` and `$strip` are one type in zod
  const loose: Same<
    typeof raw,
    z.ZodObject<{ a: z.ZodString; b: z.ZodOptional<z.ZodNumber> }, z.core.$loose>
  > = false;
  // the checks above are made by the type checker; at run time the values are what was written
  assert.deepEqual([extraKey, required, exact, loose], [false, false, true, false]);
  assert.ok(narrower.safeParse({ a: "x", b: 1 }).success);
});
