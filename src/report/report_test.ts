import assert from "node:assert/strict";
import { buildReport } from "./json.ts";
import { renderReports, writeReports } from "./write.ts";
import { escXml, renderJunit } from "./junit.ts";
import { renderHtml } from "./html.ts";
import { renderMarkdown } from "./markdown.ts";
import { buildMatrix, renderMatrixHtml, renderMatrixMarkdown } from "./matrix.ts";
import { parseReport } from "../schema/report.ts";
import { newCanary } from "../driver/canary.ts";
import type { CheckResult } from "../engine/types.ts";
import { applyExpectations } from "../engine/expect_fail.ts";

const HOSTILE = `<script>alert("x")</script> & ' ]]> \u0001`;

function results(c: string): CheckResult[] {
  return [
    {
      id: "sdk.caps.not-in-logs",
      title: "token not in logs",
      level: "MUST",
      source: "000 §1.2",
      durationMs: 12,
      verdict: {
        outcome: "fail",
        reason: `the token appeared in stderr: ${c} ${HOSTILE}`,
        evidence: {
          requests: [{
            t: 3,
            method: "GET",
            path: "/s/abc/v1/x",
            query: `q=${encodeURIComponent(c)}`,
            headers: { authorization: `Bearer ${c}`, "x-evil": HOSTILE },
            bodySize: 0,
            body: "",
            connection: "c1",
            listener: "https",
          }],
          output: [`DEBUG Authorization: Bearer ${c}`, HOSTILE],
          leaks: [{ where: "driver stderr", form: "raw", excerpt: `Bearer ${c}` }],
          notes: [HOSTILE],
          timings: { total: 12 },
          reply: { error: { message: btoa(c) } },
        },
      },
    },
    {
      id: "sdk.retry.bounded",
      title: "bounded retries",
      level: "MUST",
      source: "000 §2.3",
      durationMs: 40,
      verdict: { outcome: "error", reason: `driver crashed ${HOSTILE}` },
    },
    {
      id: "sdk.sse.max-events",
      title: "sse",
      level: "MUST",
      source: "000 §4.2",
      durationMs: 0,
      verdict: { outcome: "not_applicable", reason: 'requires capability "sse"' },
    },
    {
      id: "sdk.tls.verify",
      title: "verify",
      level: "MUST",
      source: "000 §2.1",
      durationMs: 5,
      verdict: { outcome: "pass", evidence: { notes: [`ok ${c}`] } },
    },
  ];
}

function sample(c: string) {
  const rs = results(c);
  return buildReport({
    profile: "sdk",
    target: { name: `ref<sdk>`, version: "0.1.0", language: "typescript", capabilities: ["http", "tls"] },
    results: rs,
    seed: 42,
    startedAt: new Date("2026-01-01T00:00:00Z"),
    durationMs: 1234,
    command: `deno task certify --driver "deno run ref.ts"`,
    canaries: [c],
    expectations: applyExpectations(rs, ["sdk.retry.bounded"], new Set(rs.map((r) => r.id))),
    interop: [{ fixture: "problem/401.json#1", outcomes: { a: "problem:unauthorized", b: "other" } }],
  });
}

Deno.test("buildReport() round-trips through the v1 schema", () => {
  const c = newCanary();
  const report = sample(c);
  const parsed = parseReport(JSON.parse(JSON.stringify(report)));
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.value, report);
  assert.equal(report.kit.version, "0.1.0");
  assert.equal(report.summary.certification, "none");
  assert.deepEqual(report.summary.expected_failures, ["sdk.retry.bounded"]);
  assert.equal(report.results.find((r) => r.id === "sdk.retry.bounded")?.expected_failure, true);
});

Deno.test("no report file ever contains a canary", async () => {
  const c = newCanary();
  const report = sample(c);
  const dir = await Deno.makeTempDir();
  try {
    const paths = await writeReports(dir, report, [c]);
    assert.equal(paths.length, 4);
    for (const p of paths) {
      const text = await Deno.readTextFile(p);
      assert.equal(text.includes(c), false, p);
      assert.equal(text.includes(btoa(c)), false, p);
      assert.equal(text.includes(encodeURIComponent(c).slice(5, 17)), false, p);
    }
    assert.ok((await Deno.readTextFile(`${dir}/report.html`)).includes("&lt;canary&gt;"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("renderReports() refuses an unmasked report", () => {
  const c = newCanary();
  const report = sample(c);
  report.results[0]!.reason = `raw ${c}`;
  assert.throws(() => renderReports(report, [c]), /contains a canary/);
});

Deno.test("junit.xml escapes everything and maps outcomes", () => {
  const xml = renderJunit(sample(newCanary()));
  assert.ok(!xml.includes("<script>"));
  assert.ok(!xml.includes("\u0001"));
  assert.ok(xml.includes('<failure message="the token appeared in stderr: &lt;canary&gt;'));
  assert.ok(xml.includes('<skipped message="expected failure: driver crashed'));
  assert.ok(xml.includes('tests="4" failures="1" errors="0" skipped="2"'));
  // every '&' starts an entity
  assert.equal(/&(?!(amp|lt|gt|quot|apos);)/.test(xml), false);
  // tags balance
  const opens = (xml.match(/<testcase\b[^>]*[^/]>/g) ?? []).length;
  const closes = (xml.match(/<\/testcase>/g) ?? []).length;
  assert.equal(opens, closes);
  assert.equal(escXml("a\uD800b"), "ab");
});

Deno.test("report.html is self-contained, escaped, with evidence and the re-run command", () => {
  const html = renderHtml(sample(newCanary()));
  assert.ok(!html.includes("<script"));
  assert.ok(!/<link|src=|@import/.test(html));
  assert.ok(html.includes("&lt;script&gt;alert(&quot;x&quot;)"));
  assert.ok(html.includes("Requests the mock server saw"));
  assert.ok(html.includes("SDK output (tail)"));
  assert.ok(html.includes("Leaks"));
  assert.ok(html.includes(
    "deno task certify --driver &quot;deno run ref.ts&quot; --only sdk.caps.not-in-logs --seed 42",
  ));
  assert.ok(html.includes("<td>caps</td>"));
});

Deno.test("summary.md lists failures with the re-run command", () => {
  const md = renderMarkdown(sample(newCanary()));
  assert.ok(
    md.includes('`deno task certify --driver "deno run ref.ts" --only sdk.caps.not-in-logs --seed 42`'),
  );
  assert.ok(md.includes("| caps | 0 | 1 | 0 | 0 |"));
  assert.ok(!md.includes("<script>"));
});

Deno.test("buildMatrix() merges reports into checks × SDKs with interop disagreements", () => {
  const a = sample(newCanary());
  const b = structuredClone(a);
  b.target.name = "other";
  b.results = b.results.filter((r) => r.id !== "sdk.tls.verify");
  const m = buildMatrix([a, b]);
  assert.deepEqual(m.sdks, ["ref<sdk> 0.1.0", "other 0.1.0"]);
  assert.deepEqual(m.rows.find((r) => r.id === "sdk.tls.verify")?.cells, ["pass", "–"]);
  assert.deepEqual(m.rows.find((r) => r.id === "sdk.retry.bounded")?.cells, [
    "error (expected)",
    "error (expected)",
  ]);
  assert.equal(m.interop.length, 1);
  const md = renderMatrixMarkdown(m);
  assert.ok(md.includes("## Interop disagreements"));
  const html = renderMatrixHtml(m);
  assert.ok(html.includes("ref&lt;sdk&gt; 0.1.0"));
});
