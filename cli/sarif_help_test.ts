import assert from "node:assert/strict";
import { catalogue } from "./catalogue.ts";
import { PROFILES } from "./profiles.ts";
import { renderSarif } from "../src/report/sarif.ts";
import { checkAnchor, slug } from "../src/report/_anchor.ts";
import { sampleReport } from "../src/report/testdata/sample_report.ts";
import { newCanary } from "../src/driver/canary.ts";

Deno.test("every check's SARIF help URI names exactly one heading of docs/CHECKS.md", () => {
  const slugs = catalogue().split("\n").filter((l) => /^#{1,6} /.test(l)).map((l) =>
    slug(l.replace(/^#+ /, ""))
  );
  for (const p of PROFILES) {
    for (const c of p.checks) {
      const a = checkAnchor(c.id);
      assert.equal(slugs.filter((s) => s === a).length, 1, `${c.id} → #${a}`);
    }
  }
});

Deno.test("report.sarif's help text for every check is its rationale from the catalogue", () => {
  const ids = PROFILES.flatMap((p) => p.checks.map((c) => c.id));
  const base = sampleReport(newCanary());
  const template = base.results[0]!;
  const report = { ...base, results: ids.map((id) => ({ ...template, id })) };
  const rules: { id: string; help: { text: string }; helpUri: string }[] =
    JSON.parse(renderSarif(report)).runs[0].tool.driver.rules;
  assert.equal(rules.length, ids.length);
  const doc = catalogue();
  for (const p of PROFILES) {
    for (const c of p.checks) {
      const r = rules.find((x) => x.id === c.id);
      assert.equal(r?.help.text, c.rationale, c.id);
      assert.ok(doc.includes(`- Why: ${c.rationale}`), c.id);
      assert.ok(r?.helpUri.endsWith(`docs/CHECKS.md#${checkAnchor(c.id)}`), r?.helpUri);
    }
  }
});
