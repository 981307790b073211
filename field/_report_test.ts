import assert from "node:assert/strict";
import type { Report } from "../src/schema/report.ts";
import {
  byProfile,
  type ClientRun,
  disagreements,
  renderDisagreements,
  renderMatrix,
  renderProfileBlock,
  renderSummary,
} from "./_report.ts";
import { discover, parseNotes, parsePredictions } from "./_spec.ts";

function report(outcomes: Record<string, Report["results"][number]["outcome"]>): Report {
  const results = Object.entries(outcomes).map(([id, outcome]) => ({
    id,
    title: id,
    level: "MUST" as const,
    source: "000",
    outcome,
    duration_ms: 1,
  }));
  return {
    schema: "https://ron-kit.dev/report/v1",
    kit: { name: "kit", version: "0" },
    profile: "sdk",
    target: { name: "c", version: "1.2.3", language: "python", capabilities: [] },
    results,
    summary: { pass: 1, fail: 1, not_applicable: 1, error: 0, certification: "none" },
    run: { seed: 1, started_at: "", duration_ms: 1, command: "" },
  };
}

function client(notes: string): ClientRun {
  return {
    spec: {
      name: "c",
      language: "python",
      client: "c@1",
      profile: "sdk",
      command: "x",
      args: [],
      setup: "",
      requires: [],
      dir: "field/c",
    },
    status: "ran",
    report: report({ "sdk.a.one": "pass", "sdk.a.two": "fail", "sdk.a.three": "not_applicable" }),
    predictions: parsePredictions({
      predictions: {
        "sdk.a.one": { outcome: "pass", reason: "r" },
        "sdk.a.two": { outcome: "pass", reason: "r" },
        "sdk.a.three": { outcome: "fail", reason: "r" },
      },
    }),
    notes: parseNotes(notes),
  };
}

Deno.test("field: a disagreement without a notes line is UNEXPLAINED", () => {
  const r = renderDisagreements([client("- `sdk.a.two`: predicted pass, got fail; the client is wrong\n")]);
  assert.deepEqual(r.unexplained, 1);
  assert.ok(r.text.includes("`sdk.a.three`: predicted fail, got n.a.: **UNEXPLAINED**"), r.text);
  assert.ok(r.text.includes("- `sdk.a.two`: predicted pass, got fail: the client is wrong"), r.text);
});

Deno.test("field: a notes line naming another outcome is STALE, not an explanation", () => {
  const ds = disagreements(
    client("- `sdk.a.two`: predicted pass, got error; kit\n- sdk.a.three got n.a.: ok\n"),
  );
  assert.deepEqual(ds.map((d) => [d.id, d.explanation !== undefined, d.stale !== undefined]), [
    ["sdk.a.three", true, false],
    ["sdk.a.two", false, true],
  ]);
});

Deno.test("field: the matrix marks disagreements and the summary counts right predictions", () => {
  const c = client("");
  assert.ok(renderMatrix([c]).includes("| `sdk.a.two` | MUST | **fail**\\* |"), renderMatrix([c]));
  assert.ok(
    renderSummary([c]).includes("| c | 1.2.3 | python | 1 | 1 | 0 | 1 | **none** | 1/3 |"),
    renderSummary([c]),
  );
});

Deno.test("field: predictions accept other spellings and shapes", () => {
  const p = parsePredictions([{ check: "sdk.x.y", predicted: "N/A" }, { id: "sdk.x.z", outcome: "Fail" }]);
  assert.deepEqual([...p.entries()].map(([k, v]) => [k, v.outcome]), [["sdk.x.y", "not_applicable"], [
    "sdk.x.z",
    "fail",
  ]]);
});

Deno.test("field: field.json names its profile, sdk when it names none; a bad name is a problem", async () => {
  const root = await Deno.makeTempDir({ prefix: "field-spec-" });
  try {
    const base = { language: "python", client: "c@1", command: "x", setup: "", requires: [] };
    const write = async (name: string, extra: Record<string, unknown>) => {
      await Deno.mkdir(`${root}/field/${name}`, { recursive: true });
      await Deno.writeTextFile(
        `${root}/field/${name}/field.json`,
        JSON.stringify({ name, ...base, ...extra }),
      );
    };
    await write("a-sdk", {});
    await write("b-secrets", { profile: "secrets" });
    await write("c-bad", { profile: "Secrets!" });
    const { specs, problems } = await discover(root);
    assert.deepEqual(specs.map((s) => [s.name, s.profile]), [["a-sdk", "sdk"], ["b-secrets", "secrets"]]);
    assert.equal(problems.length, 1);
    assert.ok(problems[0]?.startsWith("field/c-bad/field.json"), problems[0]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("field: each profile gets its own section, sdk first, with its own matrix", () => {
  const secrets: ClientRun = {
    ...client(
      "- `secrets.kv.deleted`: predicted pass, got fail; the client types a deleted version as missing\n",
    ),
    spec: { ...client("").spec, name: "s", profile: "secrets" },
    report: { ...report({ "secrets.kv.deleted": "fail" }), profile: "secrets" },
    predictions: parsePredictions({ "secrets.kv.deleted": "pass" }),
  };
  const groups = byProfile([secrets, client("")]);
  assert.deepEqual(groups.map(([p, rs]) => [p, rs.map((r) => r.spec.name)]), [["sdk", ["c"]], ["secrets", [
    "s",
  ]]]);
  const block = renderProfileBlock(groups[1]?.[1] ?? [], {
    profile: "secrets",
    date: "2026-12-03",
    parallel: 2,
    wallSeconds: 9,
  });
  assert.equal(block.unexplained, 0);
  assert.ok(block.text.includes("### Matrix (`secrets` profile)"), block.text);
  assert.ok(block.text.includes("| `secrets.kv.deleted` | MUST | **fail**\\* |"), block.text);
  assert.ok(!block.text.includes("sdk.a.one"), block.text);
  assert.ok(
    block.text.includes(
      "- `secrets.kv.deleted`: predicted pass, got fail: the client types a deleted version",
    ),
    block.text,
  );
});
