/**
 * One `sdk.tls.*` certificate-matrix case made into a check: a refusal ("must refuse, sending
 * nothing": positive control first, then a request to the case's server, judged from what that
 * server's listener saw) or an accept-control ("must accept": an ordinary server the SDK must be able
 * to talk to). The cases themselves are data in `tls.ts`. Internal to the conformance suite.
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import type { SdkContext } from "../../src/engine/sdk_context.ts";
import { type Check, type Verdict, verdict } from "../../src/engine/types.ts";
import { describeCall, describeError } from "../../src/driver/describe.ts";
import { callFault, gather, request, setup } from "./_helpers.ts";
import { judged, type Seen } from "./_judge.ts";
import { control, OK, TYPE_NOTE } from "./_tls_control.ts";
import { type CaseServer, caseServer, type ServerSpec } from "./_tls_servers.ts";

/** One case of the matrix, as `tls.ts` lists it. */
export interface TlsCase {
  /** the check id, `sdk.tls.<case>` */
  readonly id: string;
  /** the rule, in one line */
  readonly title: string;
  /** MUST or SHOULD */
  readonly level: "MUST" | "SHOULD";
  /** seed and section */
  readonly source: string;
  /** why the rule matters */
  readonly rationale: string;
  /** the mutants that must fail it */
  readonly mutants: readonly string[];
  /** `refuse`: the SDK must refuse the server, sending nothing; `accept`: it must work with it */
  readonly expect: "refuse" | "accept";
  /** what the server presents, for reasons: "an expired leaf certificate" */
  readonly what: string;
  /** how the server is minted and served */
  readonly server: ServerSpec;
}

/** How long to wait for the server's account of a handshake after the SDK's answer. */
const SETTLE_MS = 500;

/** The case's listener name: `tls-<case>`, e.g. `tls-expired`. */
function listenerOf(c: TlsCase): string {
  return `tls-${c.id.split(".").at(-1)}`;
}

async function serverNotes(server: CaseServer, before: number): Promise<string[]> {
  const events = await server.eventsSince(before, SETTLE_MS);
  return [
    ...server.facts,
    ...(events.length === 0 ? ["the server saw no TLS handshake"] : events.map((e) => `server saw: ${e}`)),
  ];
}

function reachedBy(seen: readonly Seen[], name: string): { s: Seen; n: number } | undefined {
  for (const s of seen) {
    const n = s.scenario.requests().filter((q) => q.listener === name).length;
    if (n > 0) return { s, n };
  }
  return undefined;
}

function refusal(c: TlsCase): Check<SdkContext>["run"] {
  const name = listenerOf(c);
  const rule = `${c.what} must be refused, sending nothing`;
  return (ctx) => {
    const judge = (seen: readonly Seen[]): Verdict | undefined => {
      const hit = reachedBy(seen, name);
      return hit && verdict.fail(`${rule}; ${hit.n} request(s) reached the server`, gather(hit.s));
    };
    return judged(ctx, judge, async () => {
      const srv = await caseServer(ctx.mock, name, c.server);
      if (!srv.ok) return verdict.notApplicable(srv.unavailable);
      const server = srv.server;
      const session = await ctx.startDriver();
      const ctl = await control(ctx, session);
      if (ctl) return ctl;
      const s = await setup(ctx, OK, { session, baseUrl: server.base, configure: { max_retries: 0 } });
      if (!s.ok) return s.verdict;
      const before = server.eventCount();
      const r = await request(s.setup, { method: "GET", path: "/secret" });
      if (r.kind === "no_reply" || r.kind === "driver_fault") return callFault("request", r, s.setup);
      const notes = await serverNotes(server, before);
      const hit = reachedBy([s.setup], name);
      if (hit) {
        return verdict.fail(`${rule}; ${hit.n} request(s) reached the server`, gather(s.setup, { notes }));
      }
      if (r.kind === "ok") {
        return verdict.fail(`${rule}; got ${describeCall(r)}`, gather(s.setup, { notes }));
      }
      return verdict.pass(gather(s.setup, {
        reply: r.error,
        notes: [`refused, nothing sent: ${describeError(r.error)}`, ...notes, TYPE_NOTE],
      }));
    });
  };
}

function acceptance(c: TlsCase): Check<SdkContext>["run"] {
  const name = listenerOf(c);
  const rule = `a server with ${c.what} must be accepted (clients must be able to talk to it)`;
  return (ctx) =>
    judged(ctx, undefined, async () => {
      const srv = await caseServer(ctx.mock, name, c.server);
      if (!srv.ok) return verdict.notApplicable(srv.unavailable);
      const server = srv.server;
      const s = await setup(ctx, OK, { baseUrl: server.base, configure: { max_retries: 0 } });
      if (!s.ok) return s.verdict;
      const before = server.eventCount();
      const r = await request(s.setup, { method: "GET", path: "/ok" });
      if (r.kind === "no_reply" || r.kind === "driver_fault") return callFault("request", r, s.setup);
      const notes = await serverNotes(server, before);
      if (r.kind === "sdk_error") {
        return verdict.fail(
          `${rule}; got ${describeError(r.error)}`,
          gather(s.setup, { reply: r.error, notes }),
        );
      }
      const seen = reachedBy([s.setup], name)?.n ?? 0;
      if (r.result.status !== 200 || seen === 0) {
        return verdict.error(
          `cannot judge: the SDK answered ${describeCall(r)}, and the case's server saw ${seen} request(s)`,
          gather(s.setup, { notes }),
        );
      }
      return verdict.pass(gather(s.setup, { notes: [`answered 200 over ${c.what}`, ...notes] }));
    });
}

/**
 * The check of one case.
 *
 * @param c the case
 * @returns the check (registered)
 */
export function tlsCaseCheck(c: TlsCase): Check<SdkContext> {
  return defineCheck<SdkContext>({
    id: c.id,
    title: c.title,
    level: c.level,
    source: c.source,
    rationale: c.rationale,
    requires: ["http", "tls"],
    mutants: [...c.mutants],
    run: c.expect === "refuse" ? refusal(c) : acceptance(c),
  });
}
