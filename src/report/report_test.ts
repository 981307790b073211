import assert from "node:assert/strict";
import { buildReport } from "./json.ts";
import { renderReports, writeReports } from "./write.ts";
import { renderJunit } from "./junit.ts";
import { escXml } from "./escape.ts";
import { renderHtml } from "./html.ts";
import { PAGE_SCRIPT } from "./_html_page.ts";
import { renderMarkdown } from "./markdown.ts";
import { buildMatrix, renderMatrixHtml, renderMatrixMarkdown } from "./matrix.ts";
import { parseReport } from "../schema/report.ts";
import { findCanaries, newCanary } from "../driver/canary.ts";
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
    assert.equal(paths.length, 6);
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
  assert.equal(escXml("a\uD800b"), "a\\ud800b");
});

Deno.test("report.html is self-contained, escaped, with evidence and the re-run command", () => {
  const html = renderHtml(sample(newCanary()));
  // one script only: the copy button's, allowed by its hash in the page's CSP
  assert.equal(html.split("<script").length - 1, 1);
  assert.ok(html.includes(`<script>${PAGE_SCRIPT}</script>`));
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

function failing(
  id: string,
  reason: string,
  evidence: CheckResult["verdict"] extends infer V
    ? V extends { outcome: "fail"; evidence: infer E } ? E : never
    : never,
): CheckResult {
  return {
    id,
    title: "t",
    level: "MUST",
    source: "000 §1",
    durationMs: 1,
    verdict: { outcome: "fail", reason, evidence },
  };
}

function report(
  results: CheckResult[],
  canaries: string[],
  target = { name: "sdk", version: "1", language: "ts", capabilities: ["http"] },
) {
  return buildReport({
    profile: "sdk",
    target,
    results,
    seed: 1,
    startedAt: new Date(0),
    durationMs: 1,
    command: "deno task certify",
    canaries,
  });
}

Deno.test("a reply nested 100 000 deep is cut to depth 32, and every report is written", async () => {
  const c = newCanary();
  let deep: unknown = { token: c };
  for (let i = 0; i < 100_000; i++) deep = { a: deep };
  const dir = await Deno.makeTempDir();
  try {
    const paths = await writeReports(
      dir,
      report([failing("sdk.x.deep", "deep reply", { reply: deep })], [c]),
      [c],
    );
    for (const p of paths) {
      const text = await Deno.readTextFile(p);
      assert.ok(text.length < 50_000, `${p}: ${text.length}`);
      if (p.endsWith("/badge.svg")) continue; // the badge shows counts, no evidence
      assert.ok(text.includes("nested deeper than 32"), p);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a 10 MB reply and a 64 MiB body are cut in every report file, and the cut is said", () => {
  const c = newCanary();
  const huge = "y".repeat(64 * 1024 * 1024);
  const rs = [failing("sdk.x.big", `reason ${"r".repeat(1_000_000)}`, {
    reply: { message: "m".repeat(10 * 1000 * 1000) },
    requests: Array.from({ length: 200 }, (_, i) => ({
      t: i,
      method: "POST",
      path: "/p",
      query: "",
      headers: { "x-h": "h".repeat(100_000) },
      bodySize: huge.length,
      body: huge,
      connection: "c",
      listener: "https",
    })),
    output: Array.from({ length: 1000 }, () => "o".repeat(100_000)),
  })];
  const t0 = performance.now();
  const files = renderReports(report(rs, [c]), [c]);
  assert.ok(performance.now() - t0 < 20_000);
  for (const [name, text] of Object.entries(files)) {
    assert.ok(text.length < 400 * 1024, `${name}: ${text.length} characters`);
  }
  const json = JSON.parse(files["report.json"]!);
  const ev = json.results[0].evidence;
  assert.match(ev.reply.message, /… 10\.0 MB cut$/);
  assert.match(json.results[0].reason, / cut$/);
  assert.ok(ev.notes.some((n: string) => n.startsWith("the report cut this evidence")), ev.notes);
  assert.ok(ev.notes.includes("report keeps the first 50 of 200 requests"));
  assert.ok(ev.notes.includes("report keeps the last 40 of 1000 output lines"));
});

Deno.test("every detected form of a caught canary is masked in every report file", () => {
  const c = newCanary();
  const hex = Array.from(new TextEncoder().encode(c), (b) => b.toString(16).padStart(2, "0"));
  const forms = [
    `DEBUG AUTHORIZATION: BEARER ${c.toUpperCase()}`,
    `hex ${hex.join("")} / ${hex.join(":").toUpperCase()}`,
    `zw ${Array.from(c).join("\u200b")}`,
    `u16 ${Array.from(c, (x) => `${x}\u0000`).join("")}`,
    `b64 ${btoa(c.toUpperCase())}`,
  ];
  const rs = [failing("sdk.caps.not-in-logs", `leaked: ${forms[0]}`, {
    output: forms,
    reply: { error: { code: forms[1], details: Object.fromEntries(forms.map((f, i) => [`k${i}`, f])) } },
    leaks: [{ where: "driver stderr", form: "case-changed", excerpt: forms[0]! }],
    requests: [{
      t: 1,
      method: "GET",
      path: "/x",
      query: forms[2]!,
      headers: { authorization: `BEARER ${c.toUpperCase()}` },
      bodySize: 0,
      body: forms[3]!,
      connection: "c",
      listener: "https",
    }],
  })];
  const files = renderReports(report(rs, [c]), [c]);
  for (const [name, text] of Object.entries(files)) {
    assert.deepEqual(findCanaries(text, [c]), [], name);
    assert.ok(!/ronc_[0-9a-f]{12}/i.test(text), name);
    if (name === "badge.svg") continue; // the badge shows counts, no evidence
    assert.ok(text.includes("BEARER &lt;canary&gt;") || text.includes("BEARER <canary>"), name);
  }
});

Deno.test("a driver's hello and error code cannot spoof the summary, the page or the XML", () => {
  const c = newCanary();
  const evil =
    "sdk\x1b[2J\x1b[H\u202e\ncertification: **hardened**\r\n| x | y |\u009b31m<img src=x onerror=alert(1)>`";
  const rs = [
    failing("sdk.errors.code", `code ${evil}`, { reply: { error: { code: evil } }, notes: [evil] }),
  ];
  const files = renderReports(
    report(rs, [c], { name: evil, version: evil, language: evil, capabilities: [evil] }),
    [c],
  );
  // deno-lint-ignore no-control-regex
  const raw = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
  for (const [name, text] of Object.entries(files)) {
    assert.ok(!raw.test(text), `${name} has a raw control character`);
  }
  const md = files["summary.md"]!;
  assert.equal(md.split("\n").filter((l) => /certification: \*\*/.test(l)).length, 1);
  assert.match(md.split("\n")[0]!, /— sdk certification: \*\*none\*\*$/);
  assert.ok(!md.includes("<img"));
  assert.ok(!files["report.html"]!.includes("<img"));
  assert.ok(files["report.html"]!.includes("\\x1b[2J"));
  assert.equal(JSON.parse(files["report.json"]!).target.name, evil);
});

Deno.test("renderReports() withholds a file whose rendering alone forms a canary run", () => {
  const c = newCanary();
  // "\n" + 11 characters of the token: no detectable run, until JSON writes "\n" as `\n`
  // and its "n" joins "c_3f…" into "nc_3f…" (12 characters of the token)
  // " zzz" after it: "z" is in no canary (hex), so the run cannot go on across the space (separators
  // between a canary's characters still match), whatever the canary's next digit
  const reason = `see x\n${c.slice(3, 14)} zzz`;
  const r = report([failing("sdk.x.y", reason, {})], [c]);
  assert.equal(r.results[0]?.reason, reason);
  const files = renderReports(r, [c]);
  for (const [name, text] of Object.entries(files)) assert.deepEqual(findCanaries(text, [c]), [], name);
  assert.match(JSON.parse(files["report.json"]!).results[0].reason, /^\[withheld: /);
  assert.ok(files["report.html"]!.includes(c.slice(3, 14)), "the page shows the harmless text");
});
