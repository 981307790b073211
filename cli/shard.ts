/**
 * `--shard K/N`: split a run's checks across N CI jobs, deterministically by id. The selected ids
 * (after `--only`) are sorted by code unit and dealt round-robin: the i-th id (from 0) goes to shard
 * `i mod N + 1`. Shards differ in size by at most one check, and every job of the same kit
 * version, profile and `--only` deals the same hand. A shard's level is not a certification: only
 * the merged report (`deno task matrix --merge-shards OUT …`) awards one.
 *
 * @module
 */
import type { Result } from "../src/engine/profile.ts";

/** One shard of a run: the K-th (from 1) of N. */
export interface Shard {
  /** K, from 1 to `count` */
  index: number;
  /** N, from 1 to {@link MAX_SHARDS} */
  count: number;
}

/** The most shards a run may be split into. */
export const MAX_SHARDS = 64;

/**
 * Parse `K/N` (1 ≤ K ≤ N ≤ 64).
 *
 * @param value the flag's value, e.g. "2/4"
 * @returns the shard, or a one-line usage error naming `--shard`
 * @example
 * ```ts
 * import { parseShard } from "./shard.ts";
 * const s = parseShard("2/4");
 * if (!s.ok || s.value.index !== 2 || s.value.count !== 4) throw new Error();
 * if (parseShard("5/4").ok || parseShard("0/4").ok || parseShard("1/65").ok) throw new Error();
 * ```
 */
export function parseShard(value: string): Result<Shard> {
  const m = /^([0-9]{1,2})\/([0-9]{1,2})$/.exec(value.trim());
  const k = Number(m?.[1]);
  const n = Number(m?.[2]);
  if (!m || k < 1 || n < 1 || n > MAX_SHARDS || k > n) {
    return {
      ok: false,
      error: `--shard must be K/N with 1 ≤ K ≤ N ≤ ${MAX_SHARDS}, got ${JSON.stringify(value)}`,
    };
  }
  return { ok: true, value: { index: k, count: n } };
}

/**
 * The ids of one shard: the ids sorted by code unit (no locale), dealt round-robin.
 *
 * @param ids the run's selected check ids (any order; duplicates are dropped)
 * @param shard which shard
 * @returns the shard's ids, sorted
 * @example
 * ```ts
 * import { shardIds } from "./shard.ts";
 * const ids = ["svc.c", "svc.a", "svc.b", "svc.d", "svc.e"];
 * if (shardIds(ids, { index: 1, count: 2 }).join() !== "svc.a,svc.c,svc.e") throw new Error();
 * if (shardIds(ids, { index: 2, count: 2 }).join() !== "svc.b,svc.d") throw new Error();
 * ```
 */
export function shardIds(ids: readonly string[], shard: Shard): string[] {
  const sorted = [...new Set(ids)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return sorted.filter((_, i) => i % shard.count === shard.index - 1);
}
