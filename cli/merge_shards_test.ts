import assert from "node:assert/strict";
import { svcProfile } from "../conformance/svc/profile.ts";
import { parseReport, type Report } from "../src/schema/report.ts";
import { certifyMain } from "./certify.ts";
import { matrixMain } from "./matrix_cmd.ts";
import { mergeShards } from "./merge_shards.ts";

// areas of the svc reference that run in seconds, with passes and not_applicable (tls, chaos) among them
const ONLY = "svc.headers,svc.jwt,svc.limits,svc.methods,svc.sse,svc.chaos,svc.tls";

async function readReport(path: string): Promise<Report> {
  const r = parseReport(JSON.parse(await Deno.readTextFile(path)));
  if (!r.ok) throw new Error(`${path}: ${r.error}`);
  return r.value;
}

const outcomes = (r: Report) => r.results.map((x) => [x.id, x.level, x.outcome]);

Deno.test({
  name: "four shards of the svc reference, merged, equal the unsharded run (ids, outcomes, summary, level)",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const common = ["--http", "--only", ONLY, "--seed", "11"];
      assert.equal(await certifyMain(svcProfile, [...common, "--out", `${dir}/full`]), 0);
      const full = await readReport(`${dir}/full/report.json`);
      const shards: Report[] = [];
      for (let k = 1; k <= 4; k++) {
        assert.equal(
          await certifyMain(svcProfile, [...common, "--shard", `${k}/4`, "--out", `${dir}/s${k}`]),
          0,
        );
        const s = await readReport(`${dir}/s${k}/report.json`);
        assert.deepEqual(s.run.shard, { index: k, count: 4 });
        assert.equal(s.summary.certification, "none", "a shard is not a certification");
        assert.deepEqual(s.run.only, ONLY.split(","));
        shards.push(s);
      }
      const sizes = shards.map((s) => s.results.length);
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `balanced: ${sizes}`);
      // the CLI merge, shards in any order
      const paths = [3, 1, 4, 2].map((k) => `${dir}/s${k}/report.json`);
      assert.equal(await matrixMain(["--merge-shards", `${dir}/merged`, ...paths]), 0);
      const merged = await readReport(`${dir}/merged/report.json`);
      assert.deepEqual(outcomes(merged), outcomes(full));
      assert.ok(merged.results.some((r) => r.outcome === "not_applicable"));
      assert.deepEqual(merged.summary, full.summary);
      assert.equal(merged.run.shard, undefined);
      assert.equal(merged.run.seed, 11);
      assert.deepEqual(merged.run.only, full.run.only);
      for (const f of ["report.sarif", "junit.xml", "summary.md", "report.html", "badge.svg"]) {
        await Deno.stat(`${dir}/merged/${f}`);
      }
      // refused: a missing shard (exit 2, nothing written)
      assert.equal(await matrixMain(["--merge-shards", `${dir}/m3`, ...paths.slice(0, 3)]), 2);
      await assert.rejects(() => Deno.stat(`${dir}/m3/report.json`));
      // refused: an empty shard is a usage error (the run selects fewer checks than shards)
      assert.equal(await certifyMain(svcProfile, ["--http", "--only", "svc.cors", "--shard", "2/2"]), 2);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

function fake(index: number, count: number, ids: string[], over: Partial<Report["run"]> = {}): Report {
  return {
    schema: "https://ron-kit.dev/report/v1",
    kit: { name: "@ron/conformance-kit", version: "0.1.0" },
    profile: "svc",
    target: { name: "t", version: "1", language: "http", capabilities: [] },
    results: ids.map((id) => ({
      id,
      title: id,
      level: "MUST" as const,
      source: "000",
      outcome: id.endsWith("x") ? "fail" as const : "pass" as const,
      duration_ms: 1,
    })),
    summary: { pass: 0, fail: 0, not_applicable: 0, error: 0, certification: "none" },
    run: {
      seed: 1,
      started_at: new Date(1000 * index).toISOString(),
      duration_ms: 10,
      command: "deno task certify:server",
      shard: { index, count },
      ...over,
    },
  };
}

Deno.test("mergeShards refuses other runs, missing, repeated, overlapping and incomplete shards", () => {
  const a = fake(1, 2, ["svc.a.a", "svc.a.c"]);
  const b = fake(2, 2, ["svc.a.b", "svc.a.d"]);
  const ok = mergeShards([b, a]);
  assert.ok(ok.ok);
  assert.deepEqual(ok.value.results.map((r) => r.id), ["svc.a.a", "svc.a.b", "svc.a.c", "svc.a.d"]);
  assert.equal(ok.value.summary.pass, 4);
  assert.equal(ok.value.summary.certification, "hardened", "every MUST passed: the merged report awards it");
  assert.equal(ok.value.run.duration_ms, 1010, "from the first start to the last end");
  const failing = mergeShards([a, fake(2, 2, ["svc.a.b", "svc.a.dx"])]);
  assert.ok(failing.ok);
  assert.equal(failing.value.summary.certification, "none");
  assert.equal(failing.value.summary.fail, 1);

  const refused = (shards: Report[], pattern: RegExp) => {
    const r = mergeShards(shards);
    assert.equal(r.ok, false, String(pattern));
    if (!r.ok) assert.match(r.error, pattern);
  };
  refused([], /no shard reports/);
  refused([a], /shard 2\/2 is missing/);
  refused([a, b, fake(2, 2, ["svc.a.b", "svc.a.d"])], /shard 2\/2 is given 2 times/);
  refused([a, fake(2, 2, ["svc.a.b", "svc.a.d"], { seed: 2 })], /another run/);
  refused([a, fake(2, 2, ["svc.a.b", "svc.a.d"], { only: ["svc.a"] })], /another run/);
  refused([a, { ...b, profile: "sdk" }], /another run/);
  refused([a, { ...b, target: { ...b.target, name: "other" } }], /another run/);
  refused([a, fake(2, 3, ["svc.a.b", "svc.a.d"])], /shard of 3/);
  refused([a, fake(2, 2, ["svc.a.c", "svc.a.d"])], /svc\.a\.c is in shard 1\/2 and shard 2\/2/);
  refused([a, fake(2, 2, ["svc.a.d"])], /does not hold its deal/);
  const { shard: _, ...unsharded } = b.run;
  refused([a, { ...b, run: unsharded }], /is not a shard/);
});
