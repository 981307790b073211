/**
 * `parseProblem` (JSON.parse + the zod canonical schema, or the RFC 9457 mapping) against
 * `JSON.parse` alone, on three error bodies: a canonical envelope, an RFC 9457 body, and a 64 KiB
 * canonical envelope whose `details` has ~1500 members (zod's record check walks every key). One
 * group per body, `JSON.parse` the baseline, so the printed ratio is the cost of validation.
 *
 * Measured (issue 18 part 2; one `deno task bench` run, 2026-12-03 06:43 UTC, 2-core Xeon VM shared
 * with other jobs, load average 1.3-1.9, Deno 2.9.6), `parseProblem` / `JSON.parse`:
 * canonical 0.88 µs / 1.1 µs (0.82×), RFC 9457 1.9 µs / 1.2 µs (1.59×), 64 KiB 363 µs / 313 µs
 * (1.16×); before the fast path (issue 18's figures): 3.06×, 5.94×, 2.52×. The fast path
 * (`src/schema/_problem_shape.ts`) checks the canonical shape by hand and lets zod decide only
 * when it is unsure (a `__proto__` member in `details`) and on the `invalid_envelope` path; the RFC
 * 9457 mapping no longer goes through zod's failure path nor builds entries arrays. Sub-2 µs
 * figures move by ±30% between runs on this machine (in other runs: canonical 0.75-1.15×, RFC
 * 1.60-1.96×).
 *
 * Run: `deno bench --allow-all bench/problem_bench.ts`
 *
 * @module
 */
import { parseProblem } from "../src/schema/problem.ts";

const CANONICAL = JSON.stringify({
  code: "not_found",
  kind: "NotFound",
  message: "app not found",
  correlation_id: "req-7f3a",
  details: { app_id: "42", hint: "check the id" },
});

const RFC9457 = JSON.stringify({
  type: "https://example.com/probs/out-of-credit",
  title: "You do not have enough credit.",
  status: 403,
  detail: "Your current balance is 30, but that costs 50.",
  instance: "/account/12345/msgs/abc",
  balance: 30,
  accounts: ["/account/12345", "/account/67890"],
});

function bigEnvelope(minBytes: number): string {
  const details: Record<string, string> = {};
  // each member adds `"k00000":"v…32…",` = 43 bytes
  for (let i = 0; i * 43 < minBytes; i++) details[`k${String(i).padStart(5, "0")}`] = "v".repeat(32);
  return JSON.stringify({ code: "too_many", kind: "Invalid", message: "m", correlation_id: "c", details });
}
const BIG = bigEnvelope(64 * 1024);

const bodies = [
  { name: "canonical envelope", status: 404, contentType: "application/json", body: CANONICAL },
  { name: "RFC 9457 body", status: 403, contentType: "application/problem+json", body: RFC9457 },
  { name: `64 KiB envelope (${BIG.length} B)`, status: 422, contentType: "application/json", body: BIG },
] as const;

// sanity: every body parses the way the bench claims (a broken input would make the ratio meaningless)
for (const b of bodies) {
  const r = parseProblem(b);
  if (!r.ok) throw new Error(`bench input "${b.name}" does not parse: ${r.error.code}`);
}

let sink: unknown;

for (const b of bodies) {
  const group = `problem: ${b.name}`;
  Deno.bench(`JSON.parse (${b.name})`, { group, baseline: true }, () => {
    sink = JSON.parse(b.body);
  });
  Deno.bench(`parseProblem (${b.name})`, { group }, () => {
    sink = parseProblem(b);
  });
}

globalThis.addEventListener("unload", () => {
  void sink;
});
