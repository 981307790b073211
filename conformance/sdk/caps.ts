/**
 * `sdk.caps.*` — capabilities and secrets (seed 000 §1).
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import type { SdkContext } from "../../src/engine/sdk_context.ts";
import { type Check, type RecordedRequest, type Verdict, verdict } from "../../src/engine/types.ts";
import { describeCall, describeError } from "../../src/driver/describe.ts";
import { CALL_MS, callFault, gather, request, setup, unobserved } from "./_helpers.ts";
import { type Judge, judged, type Seen, seenOf } from "./_judge.ts";
import { leakFail, leakJudge, leakVerdict, provokeErrors, wireLeaks } from "./_caps.ts";

const OK = { responses: [{ status: 200, body: { kind: "json" as const, value: { ok: true } } }] };

/** The token in an Authorization header, if it carries one of `tokens`. */
function tokenIn(req: RecordedRequest, tokens: string[]): string | undefined {
  const auth = req.headers["authorization"] ?? "";
  return tokens.find((t) => auth.includes(t));
}

const perInstance = defineCheck<SdkContext>({
  id: "sdk.caps.per-instance",
  title: "Each SDK instance sends only its own token",
  level: "MUST",
  source: "000 §1.1 No ambient/global caps",
  rationale:
    "A token kept in shared or global state lets one client's requests go out with another client's authority (another user, another tenant). Keeping each token inside its own instance means a request can only carry the credential its caller configured.",
  requires: ["http"],
  mutants: ["global-token"],
  run: (ctx) =>
    judged(ctx, ownTokensOnly, async () => {
      const a = await setup(ctx, OK);
      if (!a.ok) return a.verdict;
      const b = await setup(ctx, OK, { session: a.setup.session });
      if (!b.ok) return b.verdict;
      const order = [a.setup, b.setup, a.setup, b.setup];
      for (const s of order) {
        const r = await request(s, { method: "GET", path: "/who" });
        if (r.kind !== "ok") return callFault("request", r, s);
      }
      for (const s of [a.setup, b.setup]) {
        const u = unobserved(s, 2, `the 2 requests of instance ${s.client}`);
        if (u) return u;
      }
      return ownTokensOnly(seenOf(ctx)) ?? verdict.pass(gather({ scenario: a.setup.scenario }, {
        notes: ["2 instances in one driver, 4 requests alternating; each carried only its own token"],
      }));
    }),
});

/** The judge of sdk.caps.per-instance: a request of one instance that carried another's token, or none. */
function ownTokensOnly(seen: readonly Seen[]): Verdict | undefined {
  const tokens = seen.map((s) => s.canary);
  for (const [i, s] of seen.entries()) {
    for (const req of s.scenario.requests()) {
      const found = tokenIn(req, tokens);
      if (found !== s.canary) {
        const what = found === undefined ? "no known token" : "the OTHER instance's token";
        return verdict.fail(
          `instance ${i + 1} must send only its own token; a request carried ${what}`,
          gather(s, { notes: [`${seen.length} instances in one driver, requests in turn`] }),
        );
      }
    }
  }
  return undefined;
}

const LOG_RULE = "the token must never be written to the SDK's output (debug on)";
const LOG_NOTES = ["debug=true; requests: 200, 401, 403, 500, HTML 502, stall (timeout), connection close"];

const notInLogs = defineCheck<SdkContext>({
  id: "sdk.caps.not-in-logs",
  title: "The token never appears in the SDK's output, even at its most verbose log level",
  level: "MUST",
  source: "000 §1.2 No caps in logs; §3.3 Headers scrubbing",
  rationale:
    "Logs are copied to files, aggregators and support tickets, so a token written there, even at debug level, ends up with people and systems that must never hold it. Scrubbing it where the SDK writes output is the only reliable way to keep it out.",
  requires: ["http"],
  mutants: ["log-headers"],
  run: (ctx) => {
    const judge = leakJudge("driver std", LOG_RULE, LOG_NOTES);
    return judged(ctx, judge, async () => {
      const s = await provokeErrors(ctx);
      if (!s.ok) return s.verdict;
      return await judge(seenOf(ctx)) ?? leakVerdict(LOG_RULE, [], s.setup, [
        ...LOG_NOTES,
        `output lines scanned: ${s.setup.session.output().length}`,
      ]);
    });
  },
});

const notInErrors = defineCheck<SdkContext>({
  id: "sdk.caps.not-in-errors",
  title: "The token never appears in an error's message or details",
  level: "MUST",
  source: "000 §1.2 No caps in errors / exceptions",
  rationale:
    "Errors travel further than any other SDK output: into exception trackers, screens and bug reports. An error that embeds the token (say, by quoting the request) hands the credential to whoever reads it.",
  requires: ["http"],
  mutants: ["request-in-error"],
  run: (ctx) => {
    const rule = "errors must never carry the token";
    const notes = ["errors provoked: 401, 403, 500, HTML 502, read timeout 400 ms, connection close"];
    const judge = leakJudge("reply", rule, notes);
    return judged(ctx, judge, async () => {
      const s = await provokeErrors(ctx);
      if (!s.ok) return s.verdict;
      return await judge(seenOf(ctx)) ?? leakVerdict(rule, [], s.setup, notes);
    });
  },
});

const notInUrl = defineCheck<SdkContext>({
  id: "sdk.caps.not-in-url",
  title: "The token travels only in Authorization, never in a URL, query or body",
  level: "MUST",
  source: "000 §1.2 No caps in URLs",
  rationale:
    "Proxies, access logs, caches and browser histories record URLs, queries and bodies as ordinary data; only the Authorization header is treated as a secret along the way. A token anywhere else leaks through all of them.",
  requires: ["http"],
  mutants: ["token-in-query"],
  run: (ctx) => {
    const rule = "the token must never be sent in a URL, query, body or non-Authorization header";
    const judge: Judge = (seen) => {
      const leaks = seen.flatMap((s) => wireLeaks(s.scenario.requests(), s.canary));
      const last = seen.at(-1);
      return leaks.length > 0 && last ? leakFail(rule, leaks, last, []) : undefined;
    };
    return judged(ctx, judge, async () => {
      const s = await setup(ctx, OK);
      if (!s.ok) return s.verdict;
      const calls = [
        { method: "GET", path: "/items", query: { q: "x", page: "2" } },
        { method: "POST", path: "/echo", json: { hello: "world" }, idempotency_key: crypto.randomUUID() },
        { method: "DELETE", path: "/items/1" },
      ];
      for (const c of calls) {
        const r = await request(s.setup, c);
        if (r.kind !== "ok") return callFault("request", r, s.setup);
      }
      const reqs = s.setup.scenario.requests();
      const leaks = wireLeaks(reqs, s.setup.canary);
      const withAuth = reqs.filter((r) => (r.headers["authorization"] ?? "").includes(s.setup.canary)).length;
      const notes = [`${reqs.length} requests recorded; ${withAuth} carried the token in Authorization`];
      if (leaks.length === 0 && withAuth === 0) {
        return verdict.fail(
          "the token must travel in Authorization; no request carried it there",
          gather(s.setup, { notes }),
        );
      }
      return leakVerdict(rule, leaks, s.setup, notes);
    });
  },
});

const notOnDisk = defineCheck<SdkContext>({
  id: "sdk.caps.not-on-disk",
  title: "The token is never written to any file",
  level: "MUST",
  source: "000 §1.2 No persistent cleartext cap storage",
  rationale:
    "A token written to a cache or config file outlives the process and is readable by anything with file access, long after it was meant to expire. Tokens belong in memory; persisting one is the caller's explicit choice, never the SDK's.",
  requires: ["http"],
  mutants: ["token-cache-file"],
  run: (ctx) => {
    const rule = "the token must never be written to disk";
    // What the scan covered (and skipped) is added per folder by the judge (scanCoverage()).
    const notes = ["the driver is ended first (files written at exit count), then its folders are scanned"];
    const judge = leakJudge("file", rule, notes);
    return judged(ctx, judge, async () => {
      const s = await provokeErrors(ctx);
      if (!s.ok) return s.verdict;
      return await judge(seenOf(ctx)) ?? leakVerdict(rule, [], s.setup, notes);
    });
  },
});

const rotation = defineCheck<SdkContext>({
  id: "sdk.caps.rotation",
  title: "After rotation, every later request carries the new token",
  level: "MUST",
  source: "000 §1.1 Rotation (token_provider)",
  rationale:
    "Short-lived tokens only limit damage if the SDK really switches to the new one. An SDK that keeps sending the old token breaks when it expires, or keeps a revoked credential in use.",
  requires: ["http", "token_provider"],
  mutants: ["provider-called-once"],
  run: (ctx) => {
    let fresh: string | undefined;
    /** After rotate_token was acknowledged: a later request without the new token. */
    const judge: Judge = (seen) => {
      const s = seen[0];
      if (fresh === undefined || !s) return undefined;
      const after = s.scenario.requests().filter((r) => r.path.includes("/after-"));
      const stale = after.filter((r) => !(r.headers["authorization"] ?? "").includes(fresh ?? ""));
      if (stale.length === 0) return undefined;
      return verdict.fail(
        `every request after rotate_token must carry the new token; ${stale.length} of ${after.length} did not`,
        gather(s),
      );
    };
    return judged(ctx, judge, async () => {
      const s = await setup(ctx, OK, { configure: { token_provider: true } });
      if (!s.ok) return s.verdict;
      const before = await request(s.setup, { method: "GET", path: "/before" });
      if (before.kind !== "ok") return callFault("request", before, s.setup);
      const token = ctx.newCanary();
      const rot = await s.setup.session.call("rotate_token", { client: s.setup.client, token }, CALL_MS);
      if (rot.kind !== "ok") return callFault("rotate_token", rot, s.setup);
      fresh = token;
      for (let i = 0; i < 3; i++) {
        const r = await request(s.setup, { method: "GET", path: `/after-${i}` });
        if (r.kind !== "ok") return callFault("request", r, s.setup);
      }
      const u = unobserved(s.setup, 3, "the 3 requests after rotate_token", "/after-");
      if (u) return u;
      return await judge(seenOf(ctx)) ?? verdict.pass(
        gather(s.setup, { notes: ["1 request before rotation, 3 after; all 3 carried the new token"] }),
      );
    });
  },
});

const close = defineCheck<SdkContext>({
  id: "sdk.caps.close",
  title: "A closed client refuses requests and sends nothing",
  level: "SHOULD",
  source: "000 §1.3 close() drops references to caps",
  rationale:
    "Closing a client is how an application says it is done with a credential. A closed client that still sends requests keeps the token alive and usable beyond what its caller intended.",
  requires: ["http", "zeroize"],
  mutants: ["close-noop"],
  run: (ctx) => {
    let closed = false;
    /** After close() was acknowledged: any request that reached the server. */
    const judge: Judge = (seen) => {
      const s = seen[0];
      const sent = s?.scenario.requests().filter((r) => r.path.endsWith("/after-close")).length ?? 0;
      if (!closed || !s || sent === 0) return undefined;
      return verdict.fail(
        `a request after close() must fail and send nothing; ${sent} request(s) reached the server`,
        gather(s),
      );
    };
    return judged(ctx, judge, async () => {
      const s = await setup(ctx, OK);
      if (!s.ok) return s.verdict;
      const first = await request(s.setup, { method: "GET", path: "/open" });
      if (first.kind !== "ok") return callFault("request", first, s.setup);
      const u = unobserved(s.setup, 1, "the request before close()", "/open");
      if (u) return u;
      const c = await s.setup.session.call("close", { client: s.setup.client }, CALL_MS);
      if (c.kind !== "ok") return callFault("close", c, s.setup);
      closed = true;
      const after = await request(s.setup, { method: "GET", path: "/after-close" });
      const sent = s.setup.scenario.requests().filter((r) => r.path.endsWith("/after-close")).length;
      if (after.kind === "no_reply" || after.kind === "driver_fault") {
        return callFault("request", after, s.setup);
      }
      if (after.kind === "ok" || sent > 0) {
        return verdict.fail(
          `a request after close() must fail and send nothing; got ${
            describeCall(after)
          }, ${sent} request(s) reached the server`,
          gather(s.setup, { reply: after.kind === "ok" ? after.result : after.error }),
        );
      }
      return verdict.pass(
        gather(s.setup, {
          reply: after.error,
          notes: [`refused after close: ${describeError(after.error)}`],
        }),
      );
    });
  },
});

/** The `sdk.caps.*` checks, in file order. */
export const checks: readonly Check<SdkContext>[] = [
  perInstance,
  notInLogs,
  notInErrors,
  notInUrl,
  notOnDisk,
  rotation,
  close,
];
