import assert from "node:assert/strict";
import { areaOf, certificationOf, summarize } from "./certification.ts";
import type { CheckResult, Level, Verdict } from "./types.ts";

function r(id: string, level: Level, verdict: Verdict): CheckResult {
  return { id, title: id, level, source: "000", verdict, durationMs: 1 };
}

Deno.test("certificationOf() levels", async (t) => {
  const cases: [string, Parameters<typeof certificationOf>[0], string][] = [
    [
      "all pass → hardened",
      [{ level: "MUST", outcome: "pass" }, { level: "SHOULD", outcome: "pass" }],
      "hardened",
    ],
    [
      "SHOULD fails → beta-ready",
      [{ level: "MUST", outcome: "pass" }, { level: "SHOULD", outcome: "fail" }],
      "beta-ready",
    ],
    [
      "MUST error → none",
      [{ level: "MUST", outcome: "error" }, { level: "SHOULD", outcome: "pass" }],
      "none",
    ],
    [
      "SHOULD error → beta-ready",
      [{ level: "MUST", outcome: "pass" }, { level: "SHOULD", outcome: "error" }],
      "beta-ready",
    ],
    [
      "n/a is left out",
      [{ level: "MUST", outcome: "not_applicable" }, { level: "MUST", outcome: "pass" }],
      "hardened",
    ],
    ["MUST fail → none", [{ level: "MUST", outcome: "fail" }], "none"],
    [
      "MUST, SHOULD and FUTURE pass → god-tier",
      [{ level: "MUST", outcome: "pass" }, { level: "SHOULD", outcome: "pass" }, {
        level: "FUTURE",
        outcome: "pass",
      }],
      "god-tier",
    ],
    [
      "FUTURE fails → hardened (a FUTURE failure costs only god-tier)",
      [{ level: "MUST", outcome: "pass" }, { level: "FUTURE", outcome: "pass" }, {
        level: "FUTURE",
        outcome: "fail",
      }],
      "hardened",
    ],
    [
      "FUTURE error → hardened",
      [{ level: "MUST", outcome: "pass" }, { level: "FUTURE", outcome: "error" }],
      "hardened",
    ],
    [
      "a FUTURE check not_applicable is unproven → hardened",
      [{ level: "MUST", outcome: "pass" }, { level: "FUTURE", outcome: "pass" }, {
        level: "FUTURE",
        outcome: "not_applicable",
      }],
      "hardened",
    ],
    [
      "no FUTURE check at all → hardened at most (god-tier is never vacuous)",
      [{ level: "MUST", outcome: "pass" }, { level: "SHOULD", outcome: "pass" }],
      "hardened",
    ],
    [
      "SHOULD fails, FUTURE passes → beta-ready",
      [{ level: "MUST", outcome: "pass" }, { level: "SHOULD", outcome: "fail" }, {
        level: "FUTURE",
        outcome: "pass",
      }],
      "beta-ready",
    ],
  ];
  for (const [name, input, want] of cases) {
    await t.step(name, () => assert.equal(certificationOf(input), want));
  }
});

Deno.test("summarize() counts every outcome", () => {
  const s = summarize([
    r("sdk.a.a", "MUST", { outcome: "pass", evidence: {} }),
    r("sdk.a.b", "SHOULD", { outcome: "fail", reason: "x", evidence: {} }),
    r("sdk.a.c", "MUST", { outcome: "not_applicable", reason: "x" }),
    r("sdk.a.d", "SHOULD", { outcome: "error", reason: "x" }),
  ]);
  assert.deepEqual(s, { pass: 1, fail: 1, not_applicable: 1, error: 1, certification: "beta-ready" });
});

Deno.test("areaOf() is the second id segment", () => {
  assert.equal(areaOf("svc.jwt.alg-none"), "jwt");
});

Deno.test("a level is never awarded while a capability it requires is missing", () => {
  const results = [{
    id: "sdk.tls.verify",
    title: "t",
    level: "MUST" as const,
    source: "000",
    durationMs: 1,
    verdict: { outcome: "pass" as const, evidence: {} },
  }];
  const required = { "beta-ready": ["http", "tls", "retry"], hardened: ["sse"] };
  const thin = summarize(results, { declared: ["http", "tls"], required });
  if (thin.certification !== "none") throw new Error(`thin driver got ${thin.certification}`);
  if (thin.levels?.["beta-ready"].missing.join() !== "retry") throw new Error(JSON.stringify(thin.levels));
  const noSse = summarize(results, { declared: ["http", "tls", "retry"], required });
  if (noSse.certification !== "beta-ready") throw new Error(`without sse: ${noSse.certification}`);
  const all = summarize(results, { declared: ["http", "tls", "retry", "sse"], required });
  if (all.certification !== "hardened") throw new Error(`with everything: ${all.certification}`);
});

Deno.test("god-tier needs its own capabilities on top of hardened's", () => {
  const results = (["MUST", "FUTURE"] as const).map((level, i) => ({
    id: `sdk.a.${i}`,
    title: "t",
    level,
    source: "000",
    durationMs: 1,
    verdict: { outcome: "pass" as const, evidence: {} },
  }));
  const required = { "beta-ready": ["http"], hardened: ["sse"], "god-tier": ["tls_pq", "audit_context"] };
  const partial = summarize(results, { declared: ["http", "sse", "tls_pq"], required });
  assert.equal(partial.certification, "hardened");
  assert.deepEqual(partial.levels?.["god-tier"], {
    requires: ["http", "sse", "tls_pq", "audit_context"],
    missing: ["audit_context"],
  });
  const all = summarize(results, { declared: ["http", "sse", "tls_pq", "audit_context"], required });
  assert.equal(all.certification, "god-tier");
  const noSse = summarize(results, { declared: ["http", "tls_pq", "audit_context"], required });
  assert.equal(
    noSse.certification,
    "beta-ready",
    "a missing hardened capability caps god-tier at beta-ready",
  );
  const noGodLevel = summarize(results, {
    declared: ["http", "sse"],
    required: { "beta-ready": [], hardened: [] },
  });
  assert.equal(noGodLevel.certification, "god-tier", "no god-tier capabilities named: the results decide");
});
