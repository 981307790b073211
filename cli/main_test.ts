import assert from "node:assert/strict";
import { main } from "./main.ts";
import { matrixMain } from "./matrix_cmd.ts";
import { buildReport } from "../src/report/json.ts";
import { renderJson } from "../src/report/json.ts";
import { mutantRow, referenceRow } from "./selftest.ts";
import type { CheckResult } from "../src/engine/types.ts";

function quiet<T>(f: () => Promise<T>): Promise<T> {
  const { log, error } = console;
  console.log = () => {};
  console.error = () => {};
  return f().finally(() => {
    console.log = log;
    console.error = error;
  });
}

Deno.test("main() exits 2 on usage errors", async () => {
  assert.equal(await quiet(() => main([])), 2);
  assert.equal(await quiet(() => main(["frobnicate"])), 2);
  assert.equal(await quiet(() => main(["certify", "--bogus"])), 2);
  assert.equal(await quiet(() => main(["certify", "--seed", "-1"])), 2);
  assert.equal(await quiet(() => main(["matrix"])), 2);
  assert.equal(await quiet(() => main(["help"])), 0);
});

Deno.test("matrix merges report.json files and rejects invalid ones", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const name of ["a", "b"]) {
      const report = buildReport({
        profile: "sdk",
        target: { name, version: "1", language: "ts", capabilities: [] },
        results: [{
          id: "sdk.a.b",
          title: "t",
          level: "MUST",
          source: "000",
          durationMs: 1,
          verdict: name === "a"
            ? { outcome: "pass", evidence: {} }
            : { outcome: "fail", reason: "r", evidence: {} },
        }],
        seed: 1,
        startedAt: new Date(0),
        durationMs: 1,
        command: "deno task certify",
        canaries: [],
      });
      await Deno.writeTextFile(`${dir}/${name}.json`, renderJson(report));
    }
    await Deno.writeTextFile(`${dir}/bad.json`, `{"schema":"x"}`);
    assert.equal(await quiet(() => matrixMain(["--out", `${dir}/m`, `${dir}/a.json`, `${dir}/b.json`])), 0);
    const md = await Deno.readTextFile(`${dir}/m/matrix.md`);
    assert.ok(md.includes("| sdk.a.b | MUST | pass | fail |"), md);
    assert.ok((await Deno.readTextFile(`${dir}/m/matrix.html`)).startsWith("<!doctype html>"));
    assert.equal(await quiet(() => matrixMain(["--out", `${dir}/m`, `${dir}/bad.json`])), 2);
    assert.equal(await quiet(() => matrixMain([`${dir}/missing.json`])), 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("selftest rows: a mutant is caught only by fail, never by error or pass", () => {
  const results: CheckResult[] = [
    {
      id: "sdk.a.a",
      title: "t",
      level: "MUST",
      source: "0",
      durationMs: 1,
      verdict: { outcome: "fail", reason: "r", evidence: {} },
    },
    {
      id: "sdk.a.b",
      title: "t",
      level: "MUST",
      source: "0",
      durationMs: 1,
      verdict: { outcome: "error", reason: "crash" },
    },
    {
      id: "sdk.a.c",
      title: "t",
      level: "MUST",
      source: "0",
      durationMs: 1,
      verdict: { outcome: "pass", evidence: {} },
    },
    {
      id: "sdk.a.d",
      title: "t",
      level: "MUST",
      source: "0",
      durationMs: 1,
      verdict: { outcome: "not_applicable", reason: "n" },
    },
  ];
  const row = mutantRow("m", ["sdk.a.a", "sdk.a.b", "sdk.a.c", "sdk.z.z"], results, []);
  assert.deepEqual(row.caught, ["sdk.a.a"]);
  assert.deepEqual(row.missed, ["sdk.a.b (error: crash)", "sdk.a.c (pass)", "sdk.z.z (not run)"]);
  assert.equal(row.ok, false);
  const ref = referenceRow("reference", results, []);
  assert.deepEqual(ref.expected, ["sdk.a.a", "sdk.a.b", "sdk.a.c"]);
  assert.deepEqual(ref.caught, ["sdk.a.c"]);
  assert.equal(ref.ok, false);
  assert.equal(mutantRow("m", [], results, []).ok, false);
});

Deno.test("an unwritable --out is a usage error before the run, not a crash after it", async () => {
  const { certifyMain } = await import("./certify.ts");
  const { svcProfile } = await import("../conformance/svc/profile.ts");
  const t0 = performance.now();
  const code = await quiet(() =>
    certifyMain(svcProfile, ["--out", "/proc/ron-kit-no-such-dir/out", "--seed", "1"])
  );
  assert.equal(code, 2);
  assert.ok(performance.now() - t0 < 5_000, "refused before certifying anything");
});
