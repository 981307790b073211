/**
 * Merge the N shard reports of ONE run (`--shard K/N`) into the report the unsharded run would
 * have written: `deno task matrix --merge-shards OUT k1.json … kN.json`. Refuses reports of
 * different runs (kit, profile, target, seed, command, `--only`, shard count), a report that is
 * not a shard, a missing or repeated shard, a check id in two shards, and a shard whose ids are not
 * its round-robin deal of the union. The summary and the level are recomputed as the kit does.
 *
 * @module
 */
import type { Result } from "../src/engine/profile.ts";
import { capLevel, certificationOf } from "../src/engine/certification.ts";
import { type Report, ReportSchema } from "../src/schema/report.ts";
import { shardIds } from "./shard.ts";

const sameRun = (r: Report) =>
  JSON.stringify([r.schema, r.kit, r.profile, r.target, r.run.seed, r.run.command, r.run.only ?? []]);

function unique(lists: readonly (readonly string[] | undefined)[]): string[] | undefined {
  if (lists.every((l) => l === undefined)) return undefined;
  return [...new Set(lists.flatMap((l) => l ?? []))].sort();
}

/** The first way the shards are not the complete, disjoint shards of one run, or undefined. */
function refusal(shards: readonly Report[]): string | undefined {
  const first = shards[0];
  if (!first) return "no shard reports given";
  const notShard = shards.findIndex((r) => !r.run.shard);
  if (notShard >= 0) return `report ${notShard + 1} is not a shard (no run.shard: it ran without --shard)`;
  const n = first.run.shard?.count ?? 0;
  for (const [i, r] of shards.entries()) {
    if (sameRun(r) !== sameRun(first)) {
      return `report ${
        i + 1
      } is of another run than report 1 (kit, profile, target, seed, command or --only differ): ` +
        `${r.profile}/${r.target.name} seed ${r.run.seed} vs ${first.profile}/${first.target.name} seed ${first.run.seed}`;
    }
    if (r.run.shard?.count !== n) {
      return `report ${i + 1} is a shard of ${r.run.shard?.count} but report 1 of ${n}`;
    }
  }
  const indices = shards.map((r) => r.run.shard?.index ?? 0);
  for (let k = 1; k <= n; k++) {
    const c = indices.filter((x) => x === k).length;
    if (c === 0) return `shard ${k}/${n} is missing`;
    if (c > 1) return `shard ${k}/${n} is given ${c} times`;
  }
  const seen = new Map<string, number>();
  for (const r of shards) {
    for (const res of r.results) {
      const other = seen.get(res.id);
      if (other !== undefined) {
        return `${res.id} is in shard ${other}/${n} and shard ${r.run.shard?.index}/${n}`;
      }
      seen.set(res.id, r.run.shard?.index ?? 0);
    }
  }
  const all = [...seen.keys()];
  for (const r of shards) {
    const shard = { index: r.run.shard?.index ?? 0, count: n };
    const want = shardIds(all, shard).join(",");
    const got = r.results.map((x) => x.id).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join(",");
    if (want !== got) {
      return `shard ${shard.index}/${n} does not hold its deal of the run's checks (incomplete)`;
    }
  }
  return undefined;
}

/**
 * Merge the shard reports of one run into one report.
 *
 * @param shards every shard's report.json (any order)
 * @returns the merged report (no `run.shard`; level recomputed), or why the shards were refused
 * @example
 * ```ts
 * import { mergeShards } from "./merge_shards.ts";
 * if (mergeShards([]).ok) throw new Error("no shards: refused");
 * ```
 */
export function mergeShards(shards: readonly Report[]): Result<Report> {
  const why = refusal(shards);
  const first = shards[0];
  if (why !== undefined || !first) return { ok: false, error: why ?? "no shard reports given" };
  const results = shards.flatMap((r) => r.results).sort((a, b) => a.id.localeCompare(b.id));
  const count = (o: Report["results"][number]["outcome"]) => results.filter((r) => r.outcome === o).length;
  let certification = certificationOf(results);
  const levels = first.summary.levels;
  if (levels) certification = capLevel(certification, levels);
  const summary: Report["summary"] = {
    pass: count("pass"),
    fail: count("fail"),
    not_applicable: count("not_applicable"),
    error: count("error"),
    certification,
  };
  if (levels) summary.levels = levels;
  const expected = unique(shards.map((r) => r.summary.expected_failures));
  if (expected) summary.expected_failures = expected;
  const problems = unique(shards.map((r) => r.summary.expectation_problems));
  if (problems) summary.expectation_problems = problems;
  const exits = shards.map((r) => r.summary.exit_code).filter((x) => x !== undefined);
  if (exits.length > 0) summary.exit_code = Math.max(...exits);
  const starts = shards.map((r) => Date.parse(r.run.started_at));
  const start = Math.min(...starts);
  const end = Math.max(...shards.map((r, i) => (starts[i] ?? start) + r.run.duration_ms));
  const run: Report["run"] = {
    seed: first.run.seed,
    started_at: new Date(start).toISOString(),
    duration_ms: Math.max(0, end - start),
    command: first.run.command,
  };
  if (first.run.only) run.only = first.run.only;
  const merged: Report = {
    schema: first.schema,
    kit: first.kit,
    profile: first.profile,
    target: first.target,
    results,
    summary,
    run,
  };
  const interop = [
    ...new Map(shards.flatMap((r) => r.interop ?? []).map((d) => [JSON.stringify(d), d])).values(),
  ];
  if (shards.some((r) => r.interop)) merged.interop = interop;
  return { ok: true, value: ReportSchema.parse(merged) };
}
