import assert from "node:assert/strict";
import { parseCertifyFlags, sanitizeName, shellQuote, splitCommand } from "./args.ts";

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

Deno.test("parseCertifyFlags() parses every flag", () => {
  const r = parseCertifyFlags([
    "--driver",
    "python3 a.py",
    "--driver=go run .",
    "--out",
    "out",
    "--only",
    "sdk.a.b,sdk.c.d",
    "--only=sdk.e.f",
    "--expect-fail",
    "x.txt",
    "--fix-expectations",
    "--seed",
    "12",
    "--json",
    "--concurrency",
    "2",
  ]);
  assert.ok(r.ok);
  assert.deepEqual(r.value, {
    drivers: ["python3 a.py", "go run ."],
    out: "out",
    only: ["sdk.a.b", "sdk.c.d", "sdk.e.f"],
    expectFail: "x.txt",
    fixExpectations: true,
    seed: 12,
    seedGiven: true,
    json: true,
    concurrency: 2,
    help: false,
  });
});

Deno.test("parseCertifyFlags() rejects bad usage and picks a random seed", () => {
  assert.equal(parseCertifyFlags(["--bogus"]).ok, false);
  assert.equal(parseCertifyFlags(["--seed", "x"]).ok, false);
  assert.equal(parseCertifyFlags(["--concurrency", "0"]).ok, false);
  assert.equal(parseCertifyFlags(["--driver"]).ok, false);
  assert.equal(parseCertifyFlags(["--fix-expectations"]).ok, false);
  const r = parseCertifyFlags([]);
  assert.ok(r.ok && r.value.seed > 0 && !r.value.seedGiven && r.value.out === "reports");
});

Deno.test("sanitizeName() makes a safe directory name", () => {
  assert.equal(sanitizeName("ron sdk (python) 1.2"), "ron-sdk-python-1.2");
  assert.equal(sanitizeName("///"), "sdk");
});
