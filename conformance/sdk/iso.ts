/**
 * `sdk.iso.*` — isolation suites: many SDK instances at once, in separate driver
 * processes and in permission-restricted Deno workers, and rotation under load
 * (seed 000 §1.1, §1.2, §6.3, §7.5).
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import type { SdkContext } from "../../src/engine/sdk_context.ts";
import {
  type Check,
  type LeakFinding,
  type RecordedRequest,
  type Verdict,
  verdict,
} from "../../src/engine/types.ts";
import type { DriverSession } from "../../src/driver/types.ts";
import type { ScenarioHandle } from "../../src/mock/types.ts";
import { CALL_MS, callFault, gather, request, type Setup, setup, unobserved } from "./_helpers.ts";
import { judged, type Seen } from "./_judge.ts";
import type { IsoJob } from "./_iso_worker.ts";
import { runWorker } from "./_iso_run.ts";

const OK = {
  responses: [{ status: 200, delay_ms: 20, body: { kind: "json" as const, value: { ok: true } } }],
};

/** Which of `tokens` a request's Authorization header carries, if exactly one. */
function carried(req: RecordedRequest, tokens: string[]): string[] {
  const auth = req.headers["authorization"] ?? "";
  return tokens.filter((t) => auth.includes(t));
}

/** Requests of a scenario that did not carry exactly `own` among `all` tokens. */
function strangers(reqs: RecordedRequest[], own: string, all: string[]): RecordedRequest[] {
  return reqs.filter((r) => {
    const c = carried(r, all);
    return c.length !== 1 || c[0] !== own;
  });
}

/**
 * Timeouts for the load these checks make (many processes or 200 requests at once): generous, so
 * an SDK's own timeouts on a loaded machine do not hide the traffic the rule is judged on.
 */
const LOADED = { connect_ms: 5_000, read_ms: 10_000, total_ms: 20_000 } as const;

const PROCESSES = 8;
const REQUESTS_PER_PROCESS = 12;

const processes = defineCheck<SdkContext>({
  id: "sdk.iso.processes",
  title: "8 concurrent driver processes keep their tokens apart on the wire and in output",
  level: "MUST",
  source: "000 §7.5 Multiprocessing tests; §6.3 each process owns its clients",
  rationale:
    "Services run many worker processes side by side, each with its own credentials. A token that crosses between them through a shared file or global state lets one process act with another's authority.",
  requires: ["http"],
  mutants: ["global-token-file"],
  timeLimitMs: 40_000,
  run: (ctx) =>
    judged(ctx, crossedProcesses, async () => {
      const sessions: DriverSession[] = await Promise.all(
        Array.from({ length: PROCESSES }, () => ctx.startDriver()),
      );
      const setups: Setup[] = [];
      for (const session of sessions) {
        const s = await setup(ctx, OK, { session, configure: { timeouts: { ...LOADED } } });
        if (!s.ok) return s.verdict;
        setups.push(s.setup);
      }
      const calls = setups.flatMap((s) =>
        Array.from(
          { length: REQUESTS_PER_PROCESS },
          (_, k) => request(s, { method: "GET", path: `/p/${k}` }, 25_000),
        )
      );
      const results = await Promise.all(calls);
      // an SDK error (say, its own timeout on a loaded machine) is no fault here: the wire decides
      const bad = results.findIndex((r) => r.kind === "no_reply" || r.kind === "driver_fault");
      if (bad >= 0) {
        const r = results[bad];
        const s = setups[Math.floor(bad / REQUESTS_PER_PROCESS)];
        if (r && s) return callFault("request", r, s);
      }
      for (const s of setups) {
        const u = unobserved(s, REQUESTS_PER_PROCESS, `the ${REQUESTS_PER_PROCESS} requests of one process`);
        if (u) return u;
      }
      const n = setups.reduce((acc, s) => acc + s.scenario.requests().length, 0);
      return await crossedProcesses(setups) ?? verdict.pass({
        notes: [
          `${PROCESSES} driver processes × ${REQUESTS_PER_PROCESS} concurrent requests = ${n} requests, each with only its own token; no cross-process trace in output, replies or files`,
        ],
      });
    }),
});

/**
 * The judge of sdk.iso.processes: a process's request that carried another process's token (or
 * none), or another process's token anywhere in a process's output, replies or files.
 */
async function crossedProcesses(seen: readonly Seen[]): Promise<Verdict | undefined> {
  const all = seen.map((s) => s.canary);
  for (const [i, s] of seen.entries()) {
    const wrong = strangers(s.scenario.requests(), s.canary, all);
    if (wrong.length > 0) {
      return verdict.fail(
        `process ${
          i + 1
        } of ${PROCESSES} must send only its own token; ${wrong.length} of its requests carried another process's token or none`,
        gather(s, { requests: wrong.slice(0, 10) }),
      );
    }
  }
  const leaks: LeakFinding[] = [];
  for (const [i, s] of seen.entries()) {
    const others = all.filter((c) => c !== s.canary);
    for (const l of await s.session.scan(others)) {
      leaks.push({ ...l, where: `process ${i + 1}: ${l.where}` });
    }
  }
  if (leaks.length === 0) return undefined;
  return verdict.fail(
    `no process may hold another process's token; found ${leaks.length} trace(s), first in ${
      leaks[0]?.where
    }`,
    { leaks },
  );
}

const WORKERS = 8;
const workers = defineCheck<SdkContext>({
  id: "sdk.iso.workers",
  title: "Tokens stay apart across 8 Deno workers without write, env or run permission",
  level: "MUST",
  source: "000 §6.3 Runtime considerations; §1.1 No ambient/global caps",
  rationale:
    "An SDK must work in a sandbox that grants network access and nothing else, and must keep the tokens of instances in separate workers apart. One that needs file, environment or process access cannot be confined, and one that shares state mixes identities.",
  requires: ["ts_module"],
  mutants: ["global-token"],
  timeLimitMs: 70_000,
  run: (ctx) => {
    const notes: string[] = [];
    let scenario: ScenarioHandle | undefined;
    let jobs: IsoJob[] = [];
    /** A worker instance's request that carried another instance's token, or none. */
    const judge = (): Verdict | undefined => {
      if (!scenario) return undefined;
      const all = jobs.flatMap((j) => j.tokens);
      const reqs = scenario.requests();
      for (const j of jobs) {
        for (const [i, own] of j.tokens.entries()) {
          const mine = reqs.filter((r) => r.path.includes(`/w${j.worker}/c${i}/`));
          const wrong = strangers(mine, own, all);
          if (wrong.length > 0) {
            return verdict.fail(
              `worker ${j.worker} instance ${i} must send only its own token; ${wrong.length} of ${mine.length} requests carried another token or none`,
              gather({ scenario }, { requests: wrong.slice(0, 10), notes }),
            );
          }
        }
      }
      return undefined;
    };
    return judged(ctx, judge, async () => {
      const moduleUrl = ctx.sdkModule;
      if (!moduleUrl) return verdict.notApplicable("no TypeScript SDK module given (--sdk-module)");
      const sc = ctx.mock.scenario(OK);
      scenario = sc;
      const netHost = `127.0.0.1:${ctx.mock.ports.https}`;
      jobs = Array.from({ length: WORKERS }, (_, worker) => ({
        worker,
        baseUrl: sc.httpsBase,
        caCertPem: ctx.mock.caCertPem,
        tokens: [ctx.newCanary(), ctx.newCanary()],
        requestsPerInstance: 5,
      }));
      notes.push(`${WORKERS} workers × 2 instances × 5 requests; permissions: net=${netHost} only`);
      const reports = await Promise.all(jobs.map((j) => runWorker(moduleUrl, j, netHost)));
      const failed = reports.find((r) => !r.ok);
      if (failed && !failed.ok) {
        const what = failed.error.permissionDenied ? "needed a permission it was denied" : "failed";
        const v: Verdict = failed.error.permissionDenied || failed.error.name !== "Timeout"
          ? verdict.fail(
            `the SDK must work in a worker with only net=${netHost}; worker ${failed.worker} ${what}: ${failed.error.name}: ${failed.error.message}`,
            gather({ scenario }, { notes }),
          )
          : verdict.error(
            `worker ${failed.worker}: ${failed.error.message}`,
            gather({ scenario }, { notes }),
          );
        return v;
      }
      const wrong = judge();
      if (wrong) return wrong;
      const reqs = sc.requests();
      for (const j of jobs) {
        for (const i of j.tokens.keys()) {
          if (!reqs.some((r) => r.path.includes(`/w${j.worker}/c${i}/`))) {
            return verdict.error(
              `cannot judge: worker ${j.worker} instance ${i} reported success, but the mock server saw none of its requests`,
              gather({ scenario }, { notes }),
            );
          }
        }
      }
      return verdict.pass({
        notes: [...notes, `${reqs.length} requests, each with only its instance's token`],
      });
    });
  },
});

const rotationUnderLoad = defineCheck<SdkContext>({
  id: "sdk.iso.rotation-under-load",
  title: "During 200 concurrent requests and a rotation, only whole tokens, and only new ones after",
  level: "MUST",
  source: "000 §1.1 Safe to swap caps mid-flight (future requests only)",
  rationale:
    "Rotation happens while requests are in flight. A client that tears the token during the swap sends garbage credentials, and one that keeps the old token afterwards uses a credential that is about to be revoked.",
  requires: ["http", "token_provider"],
  mutants: ["torn-rotation"],
  timeLimitMs: 40_000,
  run: (ctx) => {
    let newToken = "";
    return judged(ctx, (seen) => tornOrStale(seen, newToken), async () => {
      const s = await setup(ctx, OK, { configure: { token_provider: true, timeouts: { ...LOADED } } });
      if (!s.ok) return s.verdict;
      newToken = ctx.newCanary();
      const before = Array.from(
        { length: 100 },
        (_, k) => request(s.setup, { method: "GET", path: `/before/${k}` }, 25_000),
      );
      const rot = await s.setup.session.call(
        "rotate_token",
        { client: s.setup.client, token: newToken },
        CALL_MS,
      );
      if (rot.kind !== "ok") return callFault("rotate_token", rot, s.setup);
      const after = Array.from(
        { length: 100 },
        (_, k) => request(s.setup, { method: "GET", path: `/after/${k}` }, 25_000),
      );
      const results = await Promise.all([...before, ...after]);
      const bad = results.find((r) => r.kind === "no_reply" || r.kind === "driver_fault");
      if (bad) return callFault("request", bad, s.setup);
      const u = unobserved(s.setup, 200, "the 200 requests") ??
        unobserved(s.setup, 100, "the 100 requests after rotation", "/after/");
      if (u) return u;
      const reqs = s.setup.scenario.requests();
      const oldCount = reqs.filter((r) => (r.headers["authorization"] ?? "").includes(s.setup.canary)).length;
      return tornOrStale([s.setup], newToken) ?? verdict.pass({
        notes: [
          `${reqs.length} requests: ${oldCount} with the old token, ${
            reqs.length - oldCount
          } with the new one`,
        ],
      });
    });
  },
});

/**
 * The judge of sdk.iso.rotation-under-load: a request with neither whole token (torn), or a request
 * started after rotate_token (path `/after/`) without the new token.
 */
function tornOrStale(seen: readonly Seen[], newToken: string): Verdict | undefined {
  const s = seen[0];
  if (!s || newToken === "") return undefined;
  const reqs = s.scenario.requests();
  // A torn token (half old, half new) contains neither whole token.
  const torn = reqs.filter((r) => carried(r, [s.canary, newToken]).length !== 1);
  if (torn.length > 0) {
    return verdict.fail(
      `every request must carry a whole old or new token; ${torn.length} of ${reqs.length} carried neither`,
      gather(s, { requests: torn.slice(0, 10) }),
    );
  }
  const stale = reqs.filter((r) =>
    r.path.includes("/after/") && !(r.headers["authorization"] ?? "").includes(newToken)
  );
  if (stale.length === 0) return undefined;
  return verdict.fail(
    `every request started after rotate_token must carry the new token; ${stale.length} of the ${
      reqs.filter((r) => r.path.includes("/after/")).length
    } seen did not`,
    gather(s, { requests: stale.slice(0, 10) }),
  );
}

/** The `sdk.iso.*` checks, in file order. */
export const checks: readonly Check<SdkContext>[] = [processes, workers, rotationUnderLoad];
