/**
 * Every golden fixture case whose expectation allows exactly one outcome says why: a `reason`
 * naming the text (an RFC, a seed section, the kit's documented rule) that rules out every other
 * outcome. Where the text allows more, the case lists the allowed outcomes instead (see
 * fixtures/README.md). Files are read as raw JSON, whatever their group's schema.
 */
import assert from "node:assert/strict";
import { FIXTURES_DIR } from "./fixture.ts";

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** How many outcomes a case allows, by its group's format. */
function allowedOutcomes(group: string, c: Json): number {
  const expected = c["expected"];
  switch (group) {
    case "problem":
      return isRecord(expected) && Array.isArray(expected["outcomes"]) ? expected["outcomes"].length : 1;
    case "injection":
      return Array.isArray(c["expect"]) ? c["expect"].length : 1;
    case "headers":
      return isRecord(expected) && expected["redact"] === "may" ? 2 : 1;
    default:
      return 1;
  }
}

/** `group/file: case` of every single-outcome case without a reason. */
function missingReasons(group: string, file: string, doc: unknown): string[] {
  const cases = isRecord(doc) && Array.isArray(doc["cases"]) ? doc["cases"] : [];
  return cases.filter(isRecord).filter((c) =>
    allowedOutcomes(group, c) === 1 && !(typeof c["reason"] === "string" && c["reason"].trim() !== "")
  ).map((c) => `${group}/${file}: ${String(c["description"] ?? c["name"])}`);
}

Deno.test("every single-outcome fixture case gives the reason only that outcome is acceptable", async () => {
  const missing: string[] = [];
  let files = 0;
  for await (const dir of Deno.readDir(FIXTURES_DIR)) {
    if (!dir.isDirectory) continue;
    for await (const f of Deno.readDir(new URL(`${dir.name}/`, FIXTURES_DIR))) {
      if (!f.isFile || !f.name.endsWith(".json")) continue;
      files++;
      const doc: unknown = JSON.parse(
        await Deno.readTextFile(new URL(`${dir.name}/${f.name}`, FIXTURES_DIR)),
      );
      missing.push(...missingReasons(dir.name, f.name, doc));
    }
  }
  assert.ok(files >= 30, `read only ${files} fixture files`);
  assert.deepEqual(missing, [], `single-outcome cases without a reason:\n${missing.join("\n")}`);
});

Deno.test("the reason rule: one allowed outcome needs a reason, several do not", () => {
  const one = { description: "a", expected: { outcomes: [{ type: "transport" }] } };
  const two = { description: "b", expected: { outcomes: [{ type: "transport" }, { type: "network" }] } };
  assert.deepEqual(missingReasons("problem", "x.json", { cases: [one, two] }), ["problem/x.json: a"]);
  assert.deepEqual(missingReasons("problem", "x.json", { cases: [{ ...one, reason: "RFC 1 §1" }] }), []);
  assert.deepEqual(
    missingReasons("headers", "h.json", { cases: [{ description: "c", expected: { redact: "may" } }] }),
    [],
  );
  assert.deepEqual(missingReasons("jwt", "j.json", { cases: [{ name: "d", expect: "reject" }] }), [
    "jwt/j.json: d",
  ]);
  assert.deepEqual(missingReasons("injection", "i.json", { cases: [{ name: "e", expect: ["4xx"] }] }), [
    "injection/i.json: e",
  ]);
});
