/**
 * `sdk.errors.*` — structured, safe errors (seed 000 §3, §7.4, §10.1, §10.4). Every
 * Problem fixture is served by the mock server and read back through the SDK.
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import type { SdkContext } from "../../src/engine/sdk_context.ts";
import { type Check, type Verdict, verdict } from "../../src/engine/types.ts";
import type { SdkError } from "../../src/schema/protocol.ts";
import { loadFixtures, type ProblemOutcome } from "../../src/schema/fixture.ts";
import type { DriverSession } from "../../src/driver/types.ts";
import { describeCall, describeError } from "../../src/driver/describe.ts";
import type { ScenarioHandle } from "../../src/mock/types.ts";
import { CALL_MS, callFault, gather, request, setup, unobserved } from "./_helpers.ts";
import {
  describeDifferences,
  describeOutcomes,
  type FieldCheck,
  judgeProblemCase,
} from "./_problem_match.ts";

/** A Problem fixture case as served on the wire. */
export interface WireCase {
  /** `<file>: <description>` */
  name: string;
  /** the fixture file's name, e.g. `rfc9457.json` */
  file: string;
  status: number;
  contentType: string | null;
  body: string;
  outcomes: ProblemOutcome[];
}

/**
 * Every Problem fixture case with an error status (4xx/5xx).
 *
 * @returns the cases, file by file
 */
export async function problemCases(): Promise<WireCase[]> {
  const groups = await loadFixtures("problem");
  return groups.flatMap((g) => {
    const file = g.file.split("/").at(-1) ?? g.file;
    return g.cases.filter((c) => c.input.status >= 400).map((c) => ({
      name: `${file}: ${c.description}`,
      file,
      status: c.input.status,
      contentType: c.input.content_type,
      body: c.input.body,
      outcomes: c.expected.outcomes,
    }));
  });
}

/** The RFC 9457 group: judged by `sdk.errors.rfc9457` (SHOULD), not by the seed's MUST checks. */
const RFC9457_FILE = "rfc9457.json";

/**
 * The typed outcome of an SDK error, for evidence and interop comparison; a correlation id
 * that is just the request's own `X-Request-ID` is shown as `<request-id>`.
 *
 * @param e the SDK's error
 * @param sentRequestId the `X-Request-ID` the SDK sent, if any
 * @returns e.g. `problem code=not_found kind=NotFound correlation_id=req-1`
 */
export function outcomeOf(e: SdkError, sentRequestId?: string): string {
  const corr = e.correlation_id !== undefined && e.correlation_id === sentRequestId
    ? "<request-id>"
    : e.correlation_id;
  return e.type === "problem"
    ? `problem code=${e.code} kind=${e.kind} correlation_id=${corr}`
    : `${e.type}${e.status === undefined ? "" : ` status=${e.status}`}`;
}

/** At most this many failing fixtures are described in a reason (the count names them all). */
const MAX_LISTED = 20;

/** One fixture whose answer matched none of its allowed outcomes. */
interface CaseFailure {
  c: WireCase;
  /** what came back, in one line */
  got: string;
  /** the compared fields of the closest allowed outcome */
  fields: FieldCheck[];
  reply?: unknown;
  scenario?: ScenarioHandle;
}

/** A success or an error reply where a typed error was expected: only the type is compared. */
function notAnError(c: WireCase, got: string, reply: unknown): CaseFailure {
  const types = [...new Set(c.outcomes.map((o) => o.type))].join(" | ");
  return { c, got, fields: [{ field: "type", expected: types, got, ok: false }], reply };
}

/** Judge a typed error; undefined when it matches an allowed outcome. */
function judged(c: WireCase, e: SdkError, sentRequestId?: string): CaseFailure | undefined {
  const j = judgeProblemCase(e, c.outcomes, c, sentRequestId);
  return j.ok ? undefined : { c, got: describeError(e), fields: j.fields, reply: e };
}

/** The failing fixtures as a verdict: every difference in the reason, every compared field in the notes. */
function failVerdict(rule: string, failures: CaseFailure[], total: number, session: DriverSession): Verdict {
  const listed = failures.slice(0, MAX_LISTED);
  const more = failures.length > listed.length ? `; and ${failures.length - listed.length} more` : "";
  const lines = listed.map((f, i) =>
    `[${i + 1}] fixture "${f.c.name}" (status ${f.c.status}): ${describeDifferences(f.fields)}`
  );
  const notes = listed.map((f, i) =>
    `[${i + 1}] fixture "${f.c.name}" (status ${f.c.status}): allowed ${
      describeOutcomes(f.c.outcomes)
    }; got ${f.got}; ` +
    f.fields.map((x) => `${x.field} ${x.ok ? "ok" : "DIFFERS"}: expected ${x.expected}, got ${x.got}`).join(
      "; ",
    )
  );
  const requests = listed.flatMap((f) => f.scenario?.requests() ?? []).slice(0, 50);
  return verdict.fail(
    `${rule}; ${failures.length} of ${total} fixtures differ: ${lines.join(" ")}${more}`,
    {
      ...(requests.length > 0 ? { requests } : {}),
      output: session.output().slice(-30),
      reply: listed.map((f) => ({ fixture: f.c.name, reply: f.reply })),
      notes,
    },
  );
}

/** Serve one case on a fresh scenario and read the SDK's error back. */
async function serve(ctx: SdkContext, session: DriverSession, c: WireCase) {
  const headers: Record<string, string> = c.contentType === null ? {} : { "content-type": c.contentType };
  const s = await setup(ctx, {
    responses: [{ status: c.status, headers, body: { kind: "text", value: c.body } }],
  }, {
    session,
    configure: { max_retries: 0 },
  });
  if (!s.ok) return { s: undefined, v: s.verdict };
  const r = await request(s.setup, { method: "GET", path: "/problem" });
  return { s: s.setup, r };
}

/**
 * Run `cases` through the SDK on the wire, 8 at a time. Every mismatch is collected; a kit or
 * driver fault ends the run with `error`.
 */
async function runCases(ctx: SdkContext, cases: WireCase[], rule: string): Promise<Verdict> {
  const session = await ctx.startDriver();
  const failures: CaseFailure[] = [];
  for (let i = 0; i < cases.length; i += 8) {
    const batch = cases.slice(i, i + 8);
    const rs = await Promise.all(batch.map((c) => serve(ctx, session, c)));
    for (const [j, res] of rs.entries()) {
      const c = batch[j];
      if (!c) continue;
      if (res.v) return res.v;
      const { s, r } = res;
      if (!s || !r) return verdict.error("internal: missing setup");
      if (r.kind === "no_reply" || r.kind === "driver_fault") return callFault("request", r, s);
      const u = unobserved(s, 1, `fixture "${c.name}"`);
      if (u) return u;
      const sentId = s.scenario.requests()[0]?.headers["x-request-id"];
      const f = r.kind === "ok"
        ? notAnError(c, `success (status ${r.result.status})`, r.result)
        : judged(c, r.error, sentId);
      if (f) failures.push({ ...f, scenario: s.scenario });
    }
  }
  if (failures.length > 0) return failVerdict(rule, failures, cases.length, session);
  return verdict.pass({
    notes: [`${cases.length} Problem fixtures served with their status; every typed outcome allowed`],
  });
}

const problem = defineCheck<SdkContext>({
  id: "sdk.errors.problem",
  title: "Every Problem fixture is exposed with code, kind, message, correlation_id and details",
  level: "MUST",
  source: "000 §3.1 Canonical error envelope; §10.1",
  rationale:
    "Applications handle errors by their stable code and kind, and support traces them by correlation id. An SDK that flattens Problems into a generic error forces callers to parse message text, which breaks whenever the wording changes.",
  requires: ["http", "problem"],
  mutants: ["generic-errors"],
  timeLimitMs: 30_000,
  async run(ctx) {
    const cases = (await problemCases()).filter((c) => c.file !== RFC9457_FILE);
    return runCases(ctx, cases, "every Problem fixture must give one of its allowed typed outcomes");
  },
});

const rfc9457 = defineCheck<SdkContext>({
  id: "sdk.errors.rfc9457",
  title: "RFC 9457 application/problem+json bodies are read as Problems",
  level: "SHOULD",
  source: "000 §10.1 parse any error body as Problem; RFC 9457",
  rationale:
    "Many servers and gateways send errors as RFC 9457 application/problem+json. An SDK that does not read that media type loses the code and details and hands its caller an opaque failure.",
  requires: ["http", "problem"],
  mutants: ["generic-errors"],
  timeLimitMs: 30_000,
  async run(ctx) {
    const cases = (await problemCases()).filter((c) => c.file === RFC9457_FILE);
    if (cases.length === 0) return verdict.error("no RFC 9457 fixtures found");
    return runCases(ctx, cases, "an RFC 9457 body must map to a Problem (any documented reading)");
  },
});

const parse = defineCheck<SdkContext>({
  id: "sdk.errors.parse",
  title: "parse_problem gives every Problem fixture one of its allowed typed outcomes",
  level: "MUST",
  source: "000 §10.4 Confirm Problem parsing for canonical and edge-case error bodies; §3.1; §10.1",
  rationale:
    "The SDK's Problem parser is what turns every error body into something an application can handle. Judged directly on each fixture, without the network in between, a wrong field or a crash on an edge case shows up as exactly that fixture and field.",
  requires: ["problem"],
  mutants: ["generic-errors"],
  timeLimitMs: 30_000,
  async run(ctx) {
    const cases = (await problemCases()).filter((c) => c.file !== RFC9457_FILE);
    const session = await ctx.startDriver();
    const failures: CaseFailure[] = [];
    for (let i = 0; i < cases.length; i += 8) {
      const batch = cases.slice(i, i + 8);
      const rs = await Promise.all(
        batch.map((c) =>
          session.call(
            "parse_problem",
            { status: c.status, content_type: c.contentType, body: c.body },
            CALL_MS,
          )
        ),
      );
      for (const [j, r] of rs.entries()) {
        const c = batch[j];
        if (!c) continue;
        if (r.kind === "no_reply" || r.kind === "driver_fault") {
          return callFault("parse_problem", r, { session });
        }
        const f = r.kind === "sdk_error"
          ? notAnError(c, `an error reply to parse_problem: ${describeError(r.error)}`, r.error)
          : judged(c, r.result.problem);
        if (f) failures.push(f);
      }
    }
    const rule = "parse_problem must give every Problem fixture one of its allowed typed outcomes";
    if (failures.length > 0) return failVerdict(rule, failures, cases.length, session);
    return verdict.pass({ notes: [`${cases.length} Problem fixtures parsed; every typed outcome allowed`] });
  },
});

/** Serve one body and return the setup and reply. */
async function one(
  ctx: SdkContext,
  status: number,
  contentType: string,
  body: string,
  headers: Record<string, string> = {},
) {
  const s = await setup(ctx, {
    responses: [{
      status,
      headers: { "content-type": contentType, ...headers },
      body: { kind: "text", value: body },
    }],
  }, { configure: { max_retries: 0 } });
  if (!s.ok) return s;
  const r = await request(s.setup, { method: "GET", path: "/e" });
  const u = r.kind === "ok" || r.kind === "sdk_error"
    ? unobserved(s.setup, 1, `the ${status} response`)
    : undefined;
  if (u) return { ok: false as const, verdict: u };
  return { ok: true as const, setup: s.setup, r };
}

/** A crash is an untyped `other` error; anything the protocol types is a typed result. */
function typed(e: SdkError): boolean {
  return e.type !== "other" && e.type !== "unsupported";
}

const unknownFields = defineCheck<SdkContext>({
  id: "sdk.errors.unknown-fields",
  title: "Problems and DTOs with unknown fields give a typed result, never a crash",
  level: "MUST",
  source: "000 §10.4 unknown fields in responses do not crash the SDK",
  rationale:
    "Servers add fields over time. An SDK that crashes on a field it does not know turns every backward-compatible server release into an outage for its users.",
  requires: ["http"],
  mutants: ["strict-crash"],
  async run(ctx) {
    const prob = JSON.stringify({
      code: "conflict",
      kind: "state",
      message: "already exists",
      correlation_id: "corr-unknown",
      details: {},
      x_future_field: { nested: [1, 2, 3] },
      retry_hint_ms: 250,
    });
    const a = await one(ctx, 409, "application/json", prob);
    if (!a.ok) return a.verdict;
    if (a.r.kind === "no_reply" || a.r.kind === "driver_fault") return callFault("request", a.r, a.setup);
    if (a.r.kind === "ok" || !typed(a.r.error)) {
      return verdict.fail(
        `a Problem with unknown fields must give a typed error; got ${describeCall(a.r)}`,
        gather(a.setup, { reply: a.r.kind === "ok" ? a.r.result : a.r.error }),
      );
    }
    const dto = JSON.stringify({
      name: "app",
      version: "1.2.3",
      status: "ok",
      uptime_s: "42",
      x_new: true,
      build: { sha: "abc" },
    });
    const b = await one(ctx, 200, "application/json", dto);
    if (!b.ok) return b.verdict;
    if (b.r.kind === "no_reply" || b.r.kind === "driver_fault") return callFault("request", b.r, b.setup);
    if (b.r.kind === "sdk_error") {
      return verdict.fail(
        `a 200 DTO with unknown fields must be returned, not fail; got ${describeError(b.r.error)}`,
        gather(b.setup, { reply: b.r.error }),
      );
    }
    return verdict.pass({
      notes: [
        `409 Problem with 2 unknown fields → ${outcomeOf(a.r.error)}`,
        "200 DTO with 2 unknown fields → success",
      ],
    });
  },
});

/** A marker embedded in a body: it must never come back in an error. */
function marker(): string {
  return `KITBODY${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
}

async function bodyNotQuoted(
  ctx: SdkContext,
  status: number,
  contentType: string,
  bodyOf: (m: string) => string,
  allowed: string[],
  rule: string,
): Promise<Verdict> {
  const m = marker();
  const res = await one(ctx, status, contentType, bodyOf(m));
  if (!res.ok) return res.verdict;
  const { setup: s, r } = res;
  if (r.kind === "no_reply" || r.kind === "driver_fault") return callFault("request", r, s);
  if (r.kind === "ok") {
    return verdict.fail(`${rule}; the SDK reported success (status ${r.result.status})`, gather(s));
  }
  if (!allowed.includes(r.error.type)) {
    return verdict.fail(
      `${rule}; got ${describeError(r.error)}, allowed type ${allowed.join(" | ")}`,
      gather(s, { reply: r.error }),
    );
  }
  if (JSON.stringify(r.error).includes(m)) {
    return verdict.fail(`${rule}; the error quotes the raw body`, gather(s, { reply: r.error }));
  }
  return verdict.pass(gather(s, { reply: r.error, notes: [`${describeError(r.error)}; body not quoted`] }));
}

const garbledJson = defineCheck<SdkContext>({
  id: "sdk.errors.garbled-json",
  title: "A truncated JSON error body becomes a transport error that does not quote the body",
  level: "MUST",
  source: "000 §3.1 If parsing fails wrap in RonTransportError; §7.4 Garbled JSON",
  rationale:
    "A truncated or malformed error body must still become a typed error the caller can handle. Quoting the raw body in it can expose server internals (hosts, queries, stack traces) to whoever sees the error.",
  requires: ["http"],
  mutants: ["raw-body-in-error"],
  async run(ctx) {
    return await bodyNotQuoted(
      ctx,
      500,
      "application/json",
      (m) => `{"code":"internal","kind":"server","message":"${m} db at 10.0.0.7`,
      ["transport"],
      "a truncated JSON error body must give type=transport without quoting the body",
    );
  },
});

const nonJson = defineCheck<SdkContext>({
  id: "sdk.errors.non-json",
  title: "An HTML or text error body becomes a typed error that does not quote the body",
  level: "MUST",
  source: "000 §7.4 Non-JSON error body → Problem parsing fails gracefully",
  rationale:
    "Proxies and load balancers answer with HTML pages the API never wrote. The SDK must turn them into a typed error without pasting the page, which may name internal hosts and software versions, into the message.",
  requires: ["http"],
  mutants: ["raw-body-in-error"],
  async run(ctx) {
    return await bodyNotQuoted(
      ctx,
      502,
      "text/html",
      (m) =>
        `<html><head><title>502 Bad Gateway</title></head><body><h1>${m}</h1><pre>nginx/1.25 upstream 10.1.2.3</pre></body></html>`,
      ["transport", "problem", "network"],
      "an HTML error body must give a typed error without quoting the body",
    );
  },
});

const correlationId = defineCheck<SdkContext>({
  id: "sdk.errors.correlation-id",
  title: "The correlation id from the Problem (or X-Request-ID) is exposed",
  level: "SHOULD",
  source: "000 §3.2 correlation_id included when available",
  rationale:
    "The correlation id is how a user's error report is matched with the server's logs. Without it an incident cannot be traced from the client to the server.",
  requires: ["http", "problem"],
  mutants: ["generic-errors"],
  async run(ctx) {
    const id = `corr-${crypto.randomUUID()}`;
    const body = JSON.stringify({
      code: "not_found",
      kind: "lookup",
      message: "no such item",
      correlation_id: id,
      details: {},
    });
    const res = await one(ctx, 404, "application/json", body, { "x-request-id": id });
    if (!res.ok) return res.verdict;
    const { setup: s, r } = res;
    if (r.kind === "no_reply" || r.kind === "driver_fault") return callFault("request", r, s);
    if (r.kind === "ok" || r.error.correlation_id !== id) {
      return verdict.fail(
        `the error must expose correlation_id "${id}" (Problem and X-Request-ID); got ${
          r.kind === "ok" ? "success" : `"${r.error.correlation_id ?? "none"}"`
        }`,
        gather(s, { reply: r.kind === "ok" ? r.result : r.error }),
      );
    }
    return verdict.pass(gather(s, { notes: ["correlation_id exposed"] }));
  },
});

/** The `sdk.errors.*` checks, in file order. */
export const checks: readonly Check<SdkContext>[] = [
  problem,
  rfc9457,
  parse,
  unknownFields,
  garbledJson,
  nonJson,
  correlationId,
];
