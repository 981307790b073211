import assert from "node:assert/strict";
import { sanitizeName, shellQuote, splitCommand } from "./args.ts";

Deno.test("splitCommand() splits shell-like", async (t) => {
  const cases: [string, string[]][] = [
    ["python3 driver.py", ["python3", "driver.py"]],
    [`  a   "b c"  'd "e"' `, ["a", "b c", 'd "e"']],
    [`x "a\\"b" y\\ z`, ["x", 'a"b', "y z"]],
    [`"" a`, ["", "a"]],
    [`go run ./cmd --flag='x y'`, ["go", "run", "./cmd", "--flag=x y"]],
  ];
  for (const [line, want] of cases) {
    await t.step(line, () => assert.deepEqual(splitCommand(line), { ok: true, value: want }));
  }
  assert.equal(splitCommand(`a "b`).ok, false);
  assert.equal(splitCommand(`a 'b`).ok, false);
  assert.equal(splitCommand("   ").ok, false);
});

Deno.test("shellQuote() round-trips through splitCommand()", () => {
  for (const s of ["plain", "a b", 'q"uote', "back\\slash", "$HOME", "`x`"]) {
    const r = splitCommand(`cmd ${shellQuote(s)}`);
    assert.deepEqual(r, { ok: true, value: ["cmd", s] });
  }
});

Deno.test("sanitizeName() makes a safe directory name", () => {
  assert.equal(sanitizeName("ron sdk (python) 1.2"), "ron-sdk-python-1.2");
  assert.equal(sanitizeName("///"), "sdk");
});
