import assert from "node:assert/strict";
import { isLegalHeaderValue, isSensitiveHeaderName, loadFixtureGroup, loadFixtures } from "./fixture.ts";

Deno.test("loadFixtureGroup() throws naming the file when it is malformed", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bad = `${dir}/bad_group.json`;
    await Deno.writeTextFile(
      bad,
      JSON.stringify({ description: "x", cases: [{ description: "y", input: {} }] }),
    );
    await assert.rejects(() => loadFixtureGroup("secret_uri", bad), /bad_group\.json/);
    const notJson = `${dir}/not_json.json`;
    await Deno.writeTextFile(notJson, "{");
    await assert.rejects(() => loadFixtureGroup("dto", notJson), /not_json\.json/);
    const anything = `${dir}/anything.json`;
    await Deno.writeTextFile(
      anything,
      JSON.stringify({
        description: "x",
        cases: [{
          description: "y",
          input: { status: 500, content_type: null, body: "" },
          expected: { outcomes: [] },
        }],
      }),
    );
    await assert.rejects(
      () => loadFixtureGroup("problem", anything),
      /anything\.json/,
      "an empty outcome set",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadFixtureGroup() expands body_repeat and {repeat} strings", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const f = `${dir}/big.json`;
    await Deno.writeTextFile(
      f,
      JSON.stringify({
        description: "x",
        cases: [{
          description: "y",
          input: {
            status: 500,
            content_type: null,
            body_repeat: { prefix: "<", unit: "ab", times: 3, suffix: ">" },
          },
          expected: {
            outcomes: [{
              type: "problem",
              code: "c",
              kind: "k",
              message: { repeat: { unit: "z", times: 4 } },
              correlation_id: "",
              details: {},
            }],
          },
        }],
      }),
    );
    const g = await loadFixtureGroup("problem", f);
    const c = g.cases[0];
    assert.ok(c);
    assert.equal(c.input.body, "<ababab>");
    const o = c.expected.outcomes[0];
    assert.ok(o && o.type === "problem");
    assert.equal(o.message, "zzzz");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadFixtures() loads every owned group", async () => {
  for (const kind of ["problem", "dto", "manifest", "secret_uri", "headers"] as const) {
    const groups = await loadFixtures(kind);
    assert.ok(groups.length > 0, kind);
  }
});

Deno.test("isSensitiveHeaderName() and isLegalHeaderValue()", () => {
  assert.ok(isSensitiveHeaderName("authorization"));
  assert.ok(isSensitiveHeaderName("X-My-Secret"));
  assert.ok(!isSensitiveHeaderName("Accept"));
  assert.ok(isLegalHeaderValue("text/html; q=0.9"));
  assert.ok(!isLegalHeaderValue("a\nb"));
});
