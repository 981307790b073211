import assert from "node:assert/strict";
import Ajv04 from "ajv-draft-04";
import addFormats from "ajv-formats";
import { newCanary } from "../driver/canary.ts";
import { defineCheck } from "../engine/registry.ts";
import { verdict } from "../engine/types.ts";
import { renderReports } from "./write.ts";
import { renderSarif } from "./sarif.ts";
import { HOSTILE, sampleReport } from "./testdata/sample_report.ts";

const SCHEMA = JSON.parse(
  await Deno.readTextFile(new URL("../../fixtures/sarif/sarif-2.1.0-rtm.5.json", import.meta.url)),
);

/** The official SARIF 2.1.0 schema, compiled by a draft-04 validator with format checks. */
function sarifValidator(): { (log: unknown): boolean; errors: unknown } {
  // unicodeRegExp: false: the schema's `language` pattern `^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$` has a
  // lone `]`, valid only without the `u` flag (as the schema's authors' validators compile it).
  const ajv = new Ajv04.default({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats.default(ajv);
  const compiled = ajv.compile(SCHEMA);
  const validate = (log: unknown): boolean => {
    const ok = compiled(log);
    validate.errors = compiled.errors;
    return ok;
  };
  validate.errors = undefined as unknown;
  return validate;
}

// deno-lint-ignore no-explicit-any
type Json = any;

const RATIONALE = "A rationale long enough to be registered, written for the SARIF test's own check.";
const OWN_ID = `sdk.sariftest.own-${crypto.randomUUID().slice(0, 8)}`;
defineCheck({
  id: OWN_ID,
  title: "the SARIF test's own check",
  level: "MUST",
  source: "000 §1",
  rationale: RATIONALE,
  requires: [],
  mutants: [],
  run: () => Promise.resolve(verdict.pass()),
});

Deno.test("report.sarif validates against the official SARIF 2.1.0 schema", () => {
  const c = newCanary();
  const files = renderReports(sampleReport(c), [c]);
  const text = files["report.sarif"];
  assert.ok(text !== undefined);
  assert.equal(text.includes(c), false, "report.sarif shows the canary");
  assert.equal(text.includes(btoa(c)), false);
  const validate = sarifValidator();
  const log: Json = JSON.parse(text);
  assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));
  assert.equal(log.version, "2.1.0");
  const driver = log.runs[0].tool.driver;
  assert.equal(driver.name, "@ron/conformance-kit");
  assert.match(driver.version, /^\d+\.\d+\.\d+/);
  assert.match(driver.informationUri, /^https:\/\//);
});

Deno.test("the validator is real: it rejects a SARIF log with a wrong level, version or ruleIndex", () => {
  const validate = sarifValidator();
  const good: Json = JSON.parse(renderSarif(sampleReport(newCanary())));
  assert.ok(validate(good));
  const badLevel: Json = structuredClone(good);
  badLevel.runs[0].results[0].level = "critical";
  assert.equal(validate(badLevel), false);
  const badVersion = { ...structuredClone(good), version: "2.0.0" };
  assert.equal(validate(badVersion), false);
  const badIndex: Json = structuredClone(good);
  badIndex.runs[0].results[0].ruleIndex = -2;
  assert.equal(validate(badIndex), false);
  const badUri: Json = structuredClone(good);
  badUri.runs[0].tool.driver.rules[0].helpUri = "not a uri";
  assert.equal(validate(badUri), false);
});

Deno.test("report.sarif: one rule per check, one result per fail or error, levels and ruleIndex", () => {
  const report = sampleReport(newCanary());
  const log = JSON.parse(renderSarif(report));
  const run = log.runs[0];
  const rules: { id: string; defaultConfiguration: { level: string }; helpUri: string }[] =
    run.tool.driver.rules;
  assert.deepEqual(rules.map((r) => r.id), report.results.map((r) => r.id));
  assert.deepEqual(rules.map((r) => r.defaultConfiguration.level), ["error", "warning", "note", "error"]);
  assert.equal(rules[0]!.helpUri, "https://ron-kit.dev/docs/CHECKS.md#sdkcapsnot-in-logs");
  const results: {
    ruleId: string;
    ruleIndex: number;
    kind: string;
    level: string;
    message: { text: string };
    suppressions?: unknown[];
    properties: { evidence?: { leaks?: { excerpt: string }[] } };
  }[] = run.results;
  assert.deepEqual(results.map((r) => r.ruleId), ["sdk.caps.not-in-logs", "sdk.retry.bounded"]);
  for (const r of results) assert.equal(rules[r.ruleIndex]?.id, r.ruleId);
  const [fail, error] = results;
  assert.equal(fail?.kind, "fail");
  assert.equal(fail?.level, "error");
  assert.ok(fail?.message.text.includes("the token appeared in stderr: <canary>"), fail?.message.text);
  assert.ok(fail?.message.text.includes(HOSTILE.slice(0, 12)), "the reason is carried as text");
  assert.equal(fail?.properties.evidence?.leaks?.[0]?.excerpt, "Bearer <canary>");
  assert.equal(fail?.suppressions, undefined);
  assert.equal(error?.kind, "open", "a kit or driver error is not a finding that the rule failed");
  assert.equal(error?.level, "none");
  assert.equal(error?.suppressions?.length, 1, "an expected failure is suppressed, not dropped");
});

Deno.test("report.sarif: help text is the check's registered rationale", () => {
  const report = sampleReport(newCanary(), [OWN_ID, "sdk.b.c", "sdk.d.e", "sdk.f.g"]);
  const rules: { id: string; help: { text: string } }[] = JSON.parse(renderSarif(report)).runs[0].tool.driver
    .rules;
  assert.equal(rules.find((r) => r.id === OWN_ID)?.help.text, RATIONALE);
  assert.match(rules.find((r) => r.id === "sdk.b.c")?.help.text ?? "", /No rationale is registered/);
});

Deno.test("report.sarif is JSON whose raw text holds no control or bidi character", () => {
  const text = renderSarif(sampleReport(newCanary()));
  // deno-lint-ignore no-control-regex
  assert.equal(/[\u0000-\u0009\u000b-\u001f\u0085\u202e]/.test(text), false);
  assert.ok(JSON.parse(text).runs[0].results[0].message.text.includes("\u202e"), "the value is unchanged");
});
