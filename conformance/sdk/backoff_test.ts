/**
 * `readBackoff` keeps knife-edge cases out of the verdict: simulated clients (a seeded generator,
 * with the scheduling noise of a loaded machine and a stall of the kit that stretches one wait of
 * every client) read the same way on every one of 500 runs.
 */
import assert from "node:assert/strict";
import { readBackoff } from "./_backoff.ts";

/** A small seeded generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Client = (r: () => number, i: number) => number;
const noise = (r: () => number) => r() * 120;
const CASES: [string, Client, number, string][] = [
  [
    "the reference (full jitter, base 100 ms, cap 2 s, 6 retries)",
    (r, i) => r() * Math.min(2_000, 100 * 2 ** i) + noise(r),
    6,
    "ok",
  ],
  [
    "~1.1 s then ~2.0 s, per-client jitter (2 retries)",
    (r, i) => [1_000 + 200 * r(), 1_800 + 400 * r()][i] ?? 0,
    2,
    "ok",
  ],
  ["no backoff", (r) => 5 + noise(r), 6, "no-growth"],
  [
    "no backoff, a 300 ms stall of the kit on the last wait",
    (r, i) => 5 + noise(r) + (i === 5 ? 300 : 0),
    6,
    "no-growth",
  ],
  ["exponential without jitter", (r, i) => 100 * 2 ** i + r() * 20, 6, "no-jitter"],
];

for (const [name, client, retries, want] of CASES) {
  Deno.test(`backoff reading: ${name} → ${want}, 500 runs of 16 clients`, () => {
    const r = rng(1);
    const got = new Map<string, number>();
    for (let run = 0; run < 500; run++) {
      const waits = Array.from({ length: 16 }, () => Array.from({ length: retries }, (_, i) => client(r, i)));
      const k = readBackoff(waits, 8).kind;
      got.set(k, (got.get(k) ?? 0) + 1);
    }
    assert.deepEqual([...got], [[want, 500]]);
  });
}

Deno.test("backoff reading: no retry, and too few clients with 2 waits, cannot be judged", () => {
  assert.equal(readBackoff(Array.from({ length: 16 }, () => []), 8).kind, "no-retry");
  assert.deepEqual(readBackoff(Array.from({ length: 16 }, (_, i) => (i < 4 ? [50, 900] : [60])), 8), {
    kind: "too-few",
    judgeable: 4,
  });
});
