/**
 * Evidence for the `sdk.caps.*` checks: provoking every kind of error on one instance, finding the
 * token on the wire outside Authorization, and turning leak findings into verdicts and judges.
 *
 * @module
 */
import type { SdkContext } from "../../src/engine/sdk_context.ts";
import { type LeakFinding, type RecordedRequest, type Verdict, verdict } from "../../src/engine/types.ts";
import { findCanaries } from "../../src/driver/canary.ts";
import { CALL_MS, callFault, gather, request, setup, type SetupResult, unobserved } from "./_helpers.ts";
import type { Judge } from "./_judge.ts";

const ERRORS = {
  responses: [
    { match: { path: "/401" }, status: 401, body: { kind: "json" as const, value: problem("unauthorized") } },
    { match: { path: "/403" }, status: 403, body: { kind: "json" as const, value: problem("forbidden") } },
    { match: { path: "/500" }, status: 500, body: { kind: "json" as const, value: problem("internal") } },
    {
      match: { path: "/html" },
      status: 502,
      headers: { "content-type": "text/html" },
      body: { kind: "text" as const, value: "<html><body>Bad gateway</body></html>" },
    },
    { match: { path: "/stall" }, stall: true },
    { match: { path: "/close" }, close: true },
    { status: 200, body: { kind: "json" as const, value: { ok: true } } },
  ],
};

function problem(code: string) {
  return { code, kind: "auth", message: `${code} happened`, correlation_id: "corr-1", details: {} };
}

/**
 * Provoke 200, 401, 403, 500, HTML, timeout and network error on one instance.
 *
 * @param ctx the check's context
 * @returns the setup, or the verdict to return (setup broke, a call got no reply, too little traffic)
 */
export async function provokeErrors(ctx: SdkContext): Promise<SetupResult> {
  const s = await setup(ctx, ERRORS, {
    configure: { max_retries: 0, timeouts: { connect_ms: 1_000, read_ms: 400, total_ms: 2_000 } },
  });
  if (!s.ok) return s;
  for (const path of ["/ok", "/401", "/403", "/500", "/html", "/stall", "/close"]) {
    const r = await request(s.setup, { method: "GET", path }, CALL_MS);
    if (r.kind === "no_reply" || r.kind === "driver_fault") {
      return { ok: false as const, verdict: callFault("request", r, s.setup) };
    }
  }
  const u = unobserved(s.setup, 7, "/ok, /401, /403, /500, /html, /stall and /close");
  if (u) return { ok: false as const, verdict: u };
  return s;
}

/**
 * The fail for token findings.
 *
 * @param rule the rule broken
 * @param leaks where the token was found (at least one)
 * @param from the scenario and session for evidence
 * @param notes facts for the evidence
 * @returns the fail
 */
export function leakFail(
  rule: string,
  leaks: LeakFinding[],
  from: Parameters<typeof gather>[0],
  notes: string[],
): Verdict {
  return verdict.fail(
    `${rule}; found it ${leaks.length} time(s), first in ${leaks[0]?.where}`,
    gather(from, { leaks, notes }),
  );
}

/**
 * A fail for any token finding, else a pass.
 *
 * @param rule the rule
 * @param leaks where the token was found
 * @param from the scenario and session for evidence
 * @param notes facts for the evidence
 * @returns the verdict
 */
export function leakVerdict(
  rule: string,
  leaks: LeakFinding[],
  from: Parameters<typeof gather>[0],
  notes: string[],
): Verdict {
  if (leaks.length > 0) return leakFail(rule, leaks, from, notes);
  return verdict.pass(gather(from, { notes }));
}

/**
 * A judge that scans every instance's driver (output, replies, files) for its own token and keeps
 * the findings in one place (`where` starts with `prefix`): any is a fail of `rule`.
 */
export function leakJudge(prefix: string, rule: string, notes: string[]): Judge {
  return async (seen) => {
    const leaks: LeakFinding[] = [];
    const scanned = new Set<string>();
    for (const s of seen) {
      if (scanned.has(s.canary)) continue;
      scanned.add(s.canary);
      // Files: end the driver first, so what it writes while it exits (and outside TMPDIR) is seen.
      const scan = prefix.startsWith("file") && s.session.endAndScan
        ? s.session.endAndScan([s.canary])
        : s.session.scan([s.canary]);
      leaks.push(...(await scan).filter((l) => l.where.startsWith(prefix)));
      for (const line of s.session.scanCoverage?.() ?? []) if (prefix.startsWith("file")) notes.push(line);
    }
    const last = seen.at(-1);
    return leaks.length > 0 && last ? leakFail(rule, leaks, last, notes) : undefined;
  };
}

/** Find canary forms in everything a request carried except its Authorization header. */
export function wireLeaks(reqs: RecordedRequest[], canary: string): LeakFinding[] {
  const out: LeakFinding[] = [];
  for (const r of reqs) {
    const parts: [string, string][] = [
      ["request url", `${r.path}${r.query ? `?${r.query}` : ""}`],
      ["request body", r.body],
      ...Object.entries(r.headers)
        .filter(([k]) => k !== "authorization")
        .map(([k, v]): [string, string] => [`request header ${k}`, v]),
    ];
    for (const [where, text] of parts) {
      for (const f of findCanaries(text, [canary])) {
        out.push({ where: `${where} (${r.method} ${r.path})`, form: f.form, excerpt: "<canary>" });
      }
    }
  }
  return out;
}
