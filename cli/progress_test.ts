import assert from "node:assert/strict";
import { type Out, progress, scorecardText } from "./progress.ts";
import type { Report } from "../src/schema/report.ts";

const EVIL = "sdk\x1b[2K\r\x1b[1A\u202e\ncertification: hardened\u009b0m\u2066";
// deno-lint-ignore no-control-regex
const RAW = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function report(): Report {
  return {
    schema: "https://ron-kit.dev/report/v1",
    kit: { name: "k", version: "0.1.0" },
    profile: "sdk",
    target: { name: EVIL, version: EVIL, language: EVIL, capabilities: [EVIL] },
    results: [{ id: "sdk.a.b", title: "t", level: "MUST", source: "000", outcome: "fail", duration_ms: 5 }],
    summary: {
      pass: 0,
      fail: 1,
      not_applicable: 0,
      error: 0,
      certification: "none",
      expected_failures: [EVIL],
      expectation_problems: [EVIL],
    },
    run: { seed: 1, started_at: "1970-01-01T00:00:00.000Z", duration_ms: 5, command: "deno task certify" },
  };
}

Deno.test("scorecardText() shows a hostile hello escaped, one line per line, with the real level", () => {
  const lines = scorecardText(report());
  for (const l of lines) assert.ok(!RAW.test(l), JSON.stringify(l));
  assert.ok(lines[0]?.startsWith("sdk\\x1b[2K\\r\\x1b[1A\\u202e\\ncertification: hardened\\x9b0m\\u2066 "));
  assert.deepEqual(lines.filter((l) => /^\s*certification:/.test(l)).map((l) => l.trim()), [
    "certification: none",
  ]);
});

Deno.test("progress() prints a hostile reason and id on one escaped line", () => {
  const lines: string[] = [];
  const out: Out = { line: (t) => lines.push(t), status: (t) => lines.push(t), endStatus: () => {} };
  const cb = progress(out, EVIL, (s) => s.replaceAll("SECRET", "<canary>"));
  cb(
    {
      id: "sdk.a.b",
      title: "t",
      level: "MUST",
      source: "000",
      durationMs: 3,
      verdict: { outcome: "error", reason: `SECRET ${EVIL}` },
    },
    1,
    1,
  );
  assert.equal(lines.length, 2);
  for (const l of lines) assert.ok(!RAW.test(l), JSON.stringify(l));
  assert.ok(lines[0]?.startsWith("ERROR sdk.a.b (3 ms): <canary> sdk\\x1b[2K"));
});
