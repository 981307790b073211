import assert from "node:assert/strict";
import { parseTargetFile, resolveTarget, TargetError } from "./target.ts";

const BASE = `base_url = "http://127.0.0.1:8080"
[[protected]]
path = "/items"
[write]
path = "/items"
body = { name = "w", quantity = 1 }
[rate_limit]
path = "/o"
limit = 1
[credentials]
token_env = "T"
`;

Deno.test("target [chaos]: stated bounds are kept, the rest defaulted", async () => {
  const f = parseTargetFile(`${BASE}[chaos]\nhead_timeout_s = 5\nlist = "/items"\n`);
  const t = await resolveTarget(f, { env: () => "tok" });
  assert.deepEqual(t.chaos, {
    headTimeoutS: 5,
    bodyTimeoutS: 60,
    sseBackpressureTimeoutS: 30,
    healthP95Ms: 1000,
    newClientMs: 2000,
    list: "/items",
  });
  const none = await resolveTarget(parseTargetFile(BASE), { env: () => "tok" });
  assert.equal(none.chaos?.headTimeoutS, 60);
});

Deno.test("target [chaos]: a bad or unknown field is named", () => {
  for (
    const [text, field] of [
      ["head_timeout_s = 0", "chaos.head_timeout_s"],
      ["head_timeout_s = 500", "chaos.head_timeout_s"],
      ['list = "items"', "chaos.list"],
      ["slow = 1", "chaos.slow"],
    ]
  ) {
    assert.throws(
      () => parseTargetFile(`${BASE}[chaos]\n${text}\n`),
      (e) => e instanceof TargetError && e.field === field,
    );
  }
});
