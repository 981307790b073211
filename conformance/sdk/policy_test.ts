/**
 * Each check judges the rule in its title, from what was observed, against plausible real SDKs
 * (`testdata/policy_driver.ts`): a sound backoff with fewer retries than configured passes
 * sdk.retry.backoff; an SDK that never retries is "no retry observed" (an error), not a backoff or
 * Retry-After failure; one that ignores Retry-After cannot show a cap; a 60 s default timeout passes
 * the default-timeout check every run (bound 60 s + 5 s margin); a write retried under the SDK's own,
 * constant Idempotency-Key is safe, one retried under a fresh key each attempt is not.
 */
import assert from "node:assert/strict";
import { sdkRun } from "../../src/engine/sdk_target.ts";
import type { Verdict } from "../../src/engine/types.ts";
import { sdkChecks } from "./mod.ts";

const DRIVER = new URL("./testdata/policy_driver.ts", import.meta.url).pathname;

async function run(mode: string, ids: string[]): Promise<Map<string, Verdict>> {
  const r = await sdkRun({
    driverCommand: [Deno.execPath(), "run", "--no-config", "--allow-net=127.0.0.1,127.0.0.2", DRIVER, mode],
    seed: 1,
    concurrency: ids.length,
    checks: sdkChecks.filter((c) => ids.includes(c.id)),
  });
  assert.ok(r.ok, r.ok ? "" : r.detail);
  return new Map(r.results.map((x) => [x.id, x.verdict]));
}

function reason(v: Verdict | undefined): string {
  return v && v.outcome !== "pass" ? v.reason : "";
}

Deno.test("a jittered backoff of ~1.1 s then ~2.0 s passes sdk.retry.backoff with 2 retries of 6 configured", async () => {
  const v = await run("slow-backoff", ["sdk.retry.backoff"]);
  const b = v.get("sdk.retry.backoff");
  assert.equal(b?.outcome, "pass", reason(b));
});

Deno.test("an SDK that never retries: no retry observed (an error), never a backoff or Retry-After fail", async () => {
  const v = await run("never-retry", ["sdk.retry.backoff", "sdk.retry.retry-after", "sdk.retry.transient"]);
  for (const id of ["sdk.retry.backoff", "sdk.retry.retry-after"]) {
    assert.equal(v.get(id)?.outcome, "error", `${id}: ${reason(v.get(id))}`);
    assert.match(reason(v.get(id)), /no retry observed/);
  }
  assert.equal(v.get("sdk.retry.transient")?.outcome, "fail", "the rule that owns retrying fails it");
});

Deno.test("an SDK that ignores Retry-After: retry-after fails, retry-after-cap cannot judge the cap", async () => {
  const v = await run("ignore-retry-after", ["sdk.retry.retry-after", "sdk.retry.retry-after-cap"]);
  assert.equal(v.get("sdk.retry.retry-after")?.outcome, "fail", reason(v.get("sdk.retry.retry-after")));
  const cap = v.get("sdk.retry.retry-after-cap");
  assert.equal(cap?.outcome, "error", reason(cap));
  assert.match(reason(cap), /cannot judge: the SDK ignored Retry-After .*see sdk\.retry\.retry-after/);
});

Deno.test("an SDK whose default read timeout is exactly 60 s passes sdk.timeouts.default", async () => {
  const v = await run("default-60", ["sdk.timeouts.default"]);
  const d = v.get("sdk.timeouts.default");
  assert.equal(d?.outcome, "pass", reason(d));
});

Deno.test("an SDK that keys each write itself, one key for all attempts, passes sdk.retry.unkeyed-write", async () => {
  const v = await run("keyed-writes", ["sdk.retry.unkeyed-write"]);
  const w = v.get("sdk.retry.unkeyed-write");
  assert.equal(w?.outcome, "pass", reason(w));
  assert.ok(
    w?.outcome === "pass" && w.evidence.notes?.some((n) => /own Idempotency-Key/.test(n)),
    "the pass says why the retries were safe",
  );
});

Deno.test("an SDK that retries writes with a fresh key on every attempt fails sdk.retry.unkeyed-write", async () => {
  const v = await run("rekeyed-writes", ["sdk.retry.unkeyed-write"]);
  const w = v.get("sdk.retry.unkeyed-write");
  assert.equal(w?.outcome, "fail", reason(w));
  assert.match(reason(w), /must not be retried/);
});

Deno.test("a method the SDK cannot send is not judged: the others decide sdk.retry.unkeyed-write", async () => {
  const v = await run("keyed-no-put", ["sdk.retry.unkeyed-write"]);
  const w = v.get("sdk.retry.unkeyed-write");
  assert.equal(w?.outcome, "pass", reason(w));
  assert.ok(
    w?.outcome === "pass" &&
      w.evidence.notes?.some((n) => /^PUT: refused by the SDK before sending .*not judged$/.test(n)),
    "the pass says PUT was not judged",
  );
});
