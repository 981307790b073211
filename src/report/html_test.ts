import assert from "node:assert/strict";
import type { Report, ReportResult } from "../schema/report.ts";
import type { Evidence } from "../schema/evidence.ts";
import { renderHtml } from "./html.ts";
import { recordedRequest } from "./testdata/recorded_request.ts";
import { pageOrder } from "./_html_check.ts";
import { coverageRows } from "./_html_coverage.ts";
import { cspHash, PAGE_CSP, PAGE_SCRIPT, PAGE_STYLE } from "./_html_page.ts";
import { seconds, timelineOf, timelineSummary, timelineSvg } from "./_html_timeline.ts";

function result(id: string, outcome: ReportResult["outcome"], evidence?: Evidence): ReportResult {
  return {
    id,
    title: `rule of ${id}`,
    level: "MUST",
    source: "000 §2.3",
    outcome,
    duration_ms: 10,
    ...(outcome === "pass" ? {} : { reason: `why ${id}` }),
    ...(evidence ? { evidence } : {}),
  };
}

function report(results: ReportResult[], capabilities: string[] = ["http"]): Report {
  const n = (o: ReportResult["outcome"]) => results.filter((r) => r.outcome === o).length;
  return {
    schema: "https://ron-kit.dev/report/v1",
    kit: { name: "k", version: "0.1.0" },
    profile: "sdk",
    target: { name: "sdk", version: "1", language: "ts", capabilities },
    results,
    summary: {
      pass: n("pass"),
      fail: n("fail"),
      not_applicable: n("not_applicable"),
      error: n("error"),
      certification: "none",
    },
    run: { seed: 1, started_at: "2026-01-01T00:00:00.000Z", duration_ms: 5, command: "deno task certify" },
  };
}

Deno.test("the timeline summary reads attempts, waits and the bound at a glance", () => {
  const v = timelineOf({
    requests: [recordedRequest(100), recordedRequest(300), recordedRequest(700), recordedRequest(1500)],
    timeline: { max_attempts: 3 },
  });
  assert.ok(v);
  assert.equal(timelineSummary(v), "4 attempts, waits 0.2/0.4/0.8 s, bound 3");
  const svg = timelineSvg(v);
  assert.equal((svg.match(/<circle /g) ?? []).length, 4);
  assert.equal((svg.match(/class="tl-over"/g) ?? []).length, 1, "the attempt over the bound is marked");
  assert.ok(svg.includes("bound 3 attempts"));
  assert.ok(svg.includes("0.4 s"));
});

Deno.test("a timeout's timeline shows the call, the deadline and when it ended (pass: attempts_ms)", () => {
  const v = timelineOf({
    timeline: { called_ms: 1000, attempts_ms: [1010], deadline_ms: 4000, gave_up_ms: 1320 },
  });
  assert.ok(v);
  assert.equal(timelineSummary(v), "1 attempt, bound 3 s, ended at 0.32 s");
  const svg = timelineSvg(v);
  assert.ok(svg.includes("bound 3 s") && svg.includes("ended 0.32 s") && svg.includes(">call<"));
  const cut = timelineOf({
    requests: [recordedRequest(0), recordedRequest(10)],
    notes: ["report keeps the first 2 of 112 requests"],
  });
  assert.ok(cut && timelineSummary(cut).startsWith("112 attempts (the first 2 shown), waits 0.01 s"));
  assert.equal(
    timelineSummary({ origin: 0, attempts: [5], called: 0, deadline: 100 }).endsWith("no end seen"),
    true,
  );
});

Deno.test("no timeline without timed traffic; non-finite numbers are dropped", () => {
  assert.equal(timelineOf(undefined), undefined);
  assert.equal(timelineOf({ notes: ["x"] }), undefined);
  assert.equal(timelineOf({ requests: [recordedRequest(5)] }), undefined);
  const v = timelineOf({
    requests: [
      recordedRequest(Number.NaN),
      recordedRequest(1),
      recordedRequest(Infinity),
      recordedRequest(3),
    ],
  });
  assert.deepEqual(v?.attempts, [1, 3]);
  assert.equal(seconds(200), "0.2");
  assert.equal(seconds(412), "0.41");
  assert.equal(seconds(4), "0.004");
  assert.equal(seconds(12_345), "12.3");
  assert.equal(seconds(-5), "0");
});

Deno.test("checks are listed failures first, then errors, then passes and n/a", () => {
  const ordered = pageOrder([
    result("sdk.a.pass", "pass"),
    result("sdk.a.na", "not_applicable"),
    result("sdk.b.fail", "fail"),
    result("sdk.a.error", "error"),
    result("sdk.a.fail", "fail"),
  ]);
  assert.deepEqual(ordered.map((r) => r.id), [
    "sdk.a.fail",
    "sdk.b.fail",
    "sdk.a.error",
    "sdk.a.pass",
    "sdk.a.na",
  ]);
  const html = renderHtml(report(ordered.toReversed()));
  const at = (id: string) => html.indexOf(`id="${id}"`);
  assert.ok(at("sdk.a.fail") < at("sdk.b.fail") && at("sdk.b.fail") < at("sdk.a.error"));
  assert.ok(at("sdk.a.error") < at("sdk.a.pass") && at("sdk.a.pass") < at("sdk.a.na"));
});

Deno.test("each check shows its title, level, source, rationale and a copyable re-run command", () => {
  // sdk.retry.bounded is registered when its module loads: its rationale comes from the registry
  const html = renderHtml(
    report([result("sdk.retry.bounded", "fail", { requests: [recordedRequest(1), recordedRequest(2)] })]),
  );
  assert.ok(html.includes("rule of sdk.retry.bounded") || html.includes("sdk.retry.bounded"));
  assert.ok(html.includes("000 §2.3") && html.includes(">MUST<"));
  assert.ok(html.includes(`<button type="button" class="copy">Copy</button>`));
  assert.ok(html.includes("deno task certify --only sdk.retry.bounded --seed 1"));
  assert.ok(html.includes("Timeline:"));
});

Deno.test("the coverage bar counts judged, error and n/a overall and per capability", () => {
  const rs = [
    result("sdk.a.x", "pass"),
    result("sdk.a.y", "fail"),
    result("sdk.s.z", "not_applicable"),
    result("sdk.s.w", "error"),
  ];
  const rows = coverageRows(rs, new Map([["sdk.a.x", ["http"]], ["sdk.s.z", ["http", "sse"]]]));
  assert.deepEqual(rows, [
    { label: "all checks", judged: 2, error: 1, notApplicable: 1 },
    { label: "http", judged: 1, error: 0, notApplicable: 1 },
    { label: "sse", judged: 0, error: 0, notApplicable: 1 },
  ]);
  const html = renderHtml(report(rs));
  assert.ok(html.includes("2/4 judged (50%), 1 error, 1 n/a"));
});

Deno.test("the CSP allows the page's own style and script by hash, and nothing else", async () => {
  const sha = async (s: string) =>
    `'sha256-${
      btoa(
        String.fromCharCode(
          ...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(s))),
        ),
      )
    }'`;
  assert.equal(cspHash(PAGE_SCRIPT), await sha(PAGE_SCRIPT));
  assert.ok(PAGE_CSP.startsWith("default-src 'none'; "));
  assert.ok(PAGE_CSP.includes(`style-src ${await sha(PAGE_STYLE)}`));
  assert.ok(PAGE_CSP.includes(`script-src ${await sha(PAGE_SCRIPT)}`));
  assert.ok(!/unsafe|https?:|\*/.test(PAGE_CSP));
  const html = renderHtml(report([]));
  // the exact texts hashed are the ones on the page, and no element carries a style attribute
  assert.ok(
    html.includes(`<style>${PAGE_STYLE}</style>`) && html.includes(`<script>${PAGE_SCRIPT}</script>`),
  );
  assert.ok(!/\sstyle=|\son[a-z]+=/i.test(html));
});
