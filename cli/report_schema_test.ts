import assert from "node:assert/strict";
import Ajv from "ajv";
import { z } from "zod";
import { reportJsonSchema, reportSchemaStale } from "./report_schema.ts";
import { newCanary } from "../src/driver/canary.ts";
import { renderReports } from "../src/report/write.ts";
import { sampleReport } from "../src/report/testdata/sample_report.ts";

function validator(): (value: unknown) => boolean {
  const ajv = new Ajv.default({ allErrors: true, strict: false });
  const compiled = ajv.compile(JSON.parse(JSON.stringify(reportJsonSchema())));
  return (value) => {
    const ok = compiled(value);
    if (!ok) console.error(JSON.stringify(compiled.errors));
    return ok;
  };
}

Deno.test("docs/report.schema.json is generated from the zod report schema and current", async () => {
  assert.equal(await reportSchemaStale(), false, "run: deno task report-schema");
});

Deno.test("a written report.json validates against docs/report.schema.json (ajv, draft-07)", () => {
  const c = newCanary();
  const json = renderReports(sampleReport(c), [c])["report.json"];
  assert.ok(json !== undefined);
  const validate = validator();
  const report = z.looseObject({ summary: z.looseObject({}), run: z.unknown() }).parse(JSON.parse(json));
  assert.ok(validate(report));
  assert.equal(validate({ ...report, schema: "https://ron-kit.dev/report/v2" }), false);
  assert.equal(validate({ ...report, summary: { ...report.summary, certification: "platinum" } }), false);
  const { run: _run, ...noRun } = report;
  assert.equal(validate(noRun), false);
});
