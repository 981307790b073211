import assert from "node:assert/strict";
import { XMLValidator } from "fast-xml-parser";
import { newCanary } from "../driver/canary.ts";
import { renderBadge } from "./badge.ts";
import { sampleReport } from "./testdata/sample_report.ts";

Deno.test("badge.svg: well-formed, small, no network, shows the level and the pass count", () => {
  const report = sampleReport(newCanary());
  const svg = renderBadge(report);
  assert.equal(XMLValidator.validate(svg), true);
  assert.ok(svg.length < 2048, `${svg.length} bytes`);
  assert.ok(!/href|<script|url\(|@import|https?:\/\/(?!www\.w3\.org\/2000\/svg")/.test(svg), svg);
  // one pass, one fail, one error (the not_applicable check is not counted)
  assert.ok(svg.includes(">none · 1/3 passed<"), svg);
  assert.ok(svg.includes(">ron sdk<"), svg);
  assert.ok(!svg.includes(report.target.name), "the target's own text is not shown");
});

Deno.test("badge.svg: the colour follows the level", () => {
  const report = sampleReport(newCanary());
  const hardened = renderBadge({ ...report, summary: { ...report.summary, certification: "hardened" } });
  assert.ok(hardened.includes("#2e7d32") && hardened.includes(">hardened · "), hardened);
  assert.ok(renderBadge(report).includes("#c62828"));
});
