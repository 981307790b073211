import assert from "node:assert/strict";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { z } from "zod";
import { newCanary } from "../driver/canary.ts";
import { renderJunit } from "./junit.ts";
import { renderReports } from "./write.ts";
import { HOSTILE, sampleReport } from "./testdata/sample_report.ts";

/** What these tests read of fast-xml-parser's tree of a junit.xml (attributes as "@name"). */
const Skipped = z.union([z.string(), z.looseObject({ "@message": z.string().optional() })]);
const Case = z.looseObject({
  "@name": z.string(),
  failure: z.looseObject({ "@message": z.string(), "#text": z.unknown() }).optional(),
  skipped: Skipped.optional(),
});
const Junit = z.looseObject({
  testsuites: z.looseObject({ testsuite: z.looseObject({ "@tests": z.string(), testcase: z.array(Case) }) }),
});

function parse(xml: string): z.infer<typeof Junit> {
  return Junit.parse(
    new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", processEntities: true }).parse(xml),
  );
}

Deno.test("junit.xml is well-formed XML to a real parser, with controls and ]]> in every reason", () => {
  const c = newCanary();
  const xml = renderReports(sampleReport(c), [c])["junit.xml"];
  assert.ok(xml !== undefined);
  assert.equal(XMLValidator.validate(xml), true);
  const suite = parse(xml).testsuites.testsuite;
  const cases = suite.testcase;
  assert.equal(cases.length, 4);
  assert.equal(suite["@tests"], "4");
  const fail = cases.find((x) => x["@name"] === "sdk.caps.not-in-logs");
  assert.ok(fail?.failure);
  const message = fail.failure["@message"];
  assert.ok(message.includes("]]>"), message);
  assert.ok(message.includes("\\x01") && message.includes("\\x00") && message.includes("\\x1b"), message);
  assert.ok(message.includes("<canary>") && !message.includes(c), message);
  assert.ok(String(fail.failure["#text"]).includes("re-run: deno task certify"));
  const expected = cases.find((x) => x["@name"] === "sdk.retry.bounded");
  const skipped = expected?.skipped;
  assert.ok(typeof skipped === "object", "sdk.retry.bounded is skipped with a message");
  assert.match(skipped["@message"] ?? "", /^expected failure: driver crashed/);
  assert.ok(cases.find((x) => x["@name"] === "sdk.sse.max-events")?.skipped !== undefined);
});

Deno.test("the XML validator is real: it rejects the same report with its escaping undone", () => {
  const xml = renderJunit(sampleReport(newCanary()));
  assert.equal(XMLValidator.validate(xml), true);
  const raw = xml.replace("&lt;x a=&quot;1&quot;/&gt; &amp;", `<x a="1"/> &`);
  assert.notEqual(raw, xml);
  assert.notEqual(XMLValidator.validate(raw), true);
  assert.notEqual(XMLValidator.validate(`<a><b></a>`), true);
  assert.ok(HOSTILE.includes("]]>"));
});
