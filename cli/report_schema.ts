/**
 * `docs/report.schema.json`: the JSON Schema (draft-07) of report.json v1, generated from the zod
 * schema (`src/schema/report.ts`, the source of truth) with `z.toJSONSchema`. `deno task
 * report-schema` rewrites it; `cli/report_schema_test.ts` fails when it is stale.
 *
 * @module
 */
import { z } from "zod";
import { REPORT_SCHEMA_ID, ReportSchema } from "../src/schema/report.ts";

const ROOT = new URL("../", import.meta.url);
const FILE = "docs/report.schema.json";

/**
 * The JSON Schema of report.json v1 (what a report holds once written: the zod schema's output).
 *
 * @returns the schema as a JSON value
 * @example
 * ```ts
 * import { reportJsonSchema } from "./report_schema.ts";
 * const s = reportJsonSchema();
 * if (s.$schema !== "http://json-schema.org/draft-07/schema#") throw new Error(String(s.$schema));
 * ```
 */
export function reportJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(ReportSchema, { target: "draft-7", io: "output" });
  const { $schema, ...rest } = generated as Record<string, unknown>;
  return {
    $schema,
    $id: `${REPORT_SCHEMA_ID}/schema.json`,
    title: "report.json v1",
    description: "The result of one certification run of one target, as written by the ron conformance kit " +
      "(generated from src/schema/report.ts by `deno task report-schema`; do not edit).",
    ...rest,
  };
}

/**
 * Whether `docs/report.schema.json` differs from the generated schema (compared as JSON values).
 *
 * @returns `true` when the file is missing or stale
 */
export async function reportSchemaStale(): Promise<boolean> {
  const text = await Deno.readTextFile(new URL(FILE, ROOT)).catch(() => "");
  try {
    return JSON.stringify(JSON.parse(text)) !== JSON.stringify(reportJsonSchema());
  } catch {
    return true;
  }
}

if (import.meta.main) {
  await Deno.mkdir(new URL("docs/", ROOT), { recursive: true });
  await Deno.writeTextFile(new URL(FILE, ROOT), `${JSON.stringify(reportJsonSchema(), null, 2)}\n`);
  const fmt = await new Deno.Command(Deno.execPath(), { args: ["fmt", "--quiet", FILE], cwd: ROOT }).output();
  console.log(`${FILE} regenerated${fmt.success ? " and formatted" : " (deno fmt failed)"}`);
}
