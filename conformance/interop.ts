/**
 * Interop comparison (seed 000 §10.4): the same fixtures through every SDK must give the
 * same typed outcome — Problem `code`/`kind`/`correlation_id`, DTO canonical JSON, and the
 * structured error for an invalid token. Disagreements are listed per fixture.
 *
 * @module
 */
import type { MockServer } from "../src/mock/types.ts";
import type { DriverSession } from "../src/driver/types.ts";
import type { CallResult } from "../src/driver/types.ts";
import { canonicalJson } from "../src/schema/dto.ts";
import { loadFixtures } from "../src/schema/fixture.ts";
import { outcomeOf, problemCases } from "./sdk/errors.ts";

/** One SDK taking part, with a started driver session. */
export interface InteropTarget {
  name: string;
  session: DriverSession;
}

/** One fixture on which the SDKs' typed outcomes differ. */
export interface InteropDisagreement {
  fixture: string;
  outcomes: Record<string, string>;
}

/** The comparison's result. */
export interface InteropResult {
  fixtures: number;
  disagreements: InteropDisagreement[];
}

function requestOutcome(r: CallResult<"request">, sentRequestId: string | undefined): string {
  switch (r.kind) {
    case "ok":
      return `success status=${r.result.status}`;
    case "sdk_error":
      return outcomeOf(r.error, sentRequestId);
    case "no_reply":
      return "no reply";
    case "driver_fault":
      return "driver fault";
    default: {
      const never: never = r;
      return String(never);
    }
  }
}

/** One wire case of the interop comparison: a response the mock serves, and its fixture name. */
interface WireInterop {
  name: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}

async function wireCases(): Promise<WireInterop[]> {
  return [
    ...(await problemCases()).map((c) => ({
      name: `problem ${c.name}`,
      status: c.status,
      headers: c.contentType === null ? {} : { "content-type": c.contentType },
      body: c.body,
    })),
    {
      name: "invalid token → 401 Problem",
      status: 401,
      headers: { "content-type": "application/json", "www-authenticate": 'Bearer error="invalid_token"' },
      body: JSON.stringify({
        code: "invalid_token",
        kind: "auth",
        message: "the capability token is invalid",
        correlation_id: "corr-interop-401",
        details: {},
      }),
    },
  ];
}

async function dtoCases(): Promise<{ name: string; type: string; json: unknown }[]> {
  const out: { name: string; type: string; json: unknown }[] = [];
  for (const g of await loadFixtures("dto")) {
    for (const c of g.cases) {
      out.push({
        name: `dto ${g.file.split("/").at(-1)}: ${c.description}`,
        type: c.input.type,
        json: c.input.json,
      });
    }
  }
  return out;
}

/**
 * The names of every interop fixture, in order (known before anything runs).
 *
 * @returns the fixture names
 * @example
 * ```ts
 * import { interopFixtureNames } from "./interop.ts";
 * const names = await interopFixtureNames();
 * if (!names.includes("invalid token → 401 Problem")) throw new Error();
 * ```
 */
export async function interopFixtureNames(): Promise<string[]> {
  return [...(await wireCases()).map((w) => w.name), ...(await dtoCases()).map((d) => d.name)];
}

/**
 * Run every interop fixture through every target: each SDK's typed outcome per fixture.
 *
 * @param targets the SDKs (each with a live driver session)
 * @param mock the mock server
 * @param newCanary makes a registered canary for each configured instance
 * @returns fixture → (SDK name → outcome); `unsupported` where an SDK does not implement the op
 */
export async function interopOutcomes(
  targets: readonly InteropTarget[],
  mock: MockServer,
  newCanary: () => string,
): Promise<Map<string, Record<string, string>>> {
  const outcomes = new Map<string, Record<string, string>>();
  const put = (fixture: string, sdk: string, outcome: string) => {
    const row = outcomes.get(fixture) ?? {};
    row[sdk] = outcome;
    outcomes.set(fixture, row);
  };
  const wire = await wireCases();
  const dtos = await dtoCases();
  await Promise.all(targets.map(async (t) => {
    for (const w of wire) {
      const scenario = mock.scenario({
        responses: [{ status: w.status, headers: w.headers, body: { kind: "text", value: w.body } }],
      });
      const conf = await t.session.call("configure", {
        base_url: scenario.httpsBase,
        token: newCanary(),
        ca_cert_pem: mock.caCertPem,
        max_retries: 0,
        timeouts: { connect_ms: 2_000, read_ms: 3_000, total_ms: 5_000 },
      }, 8_000);
      if (conf.kind !== "ok") {
        put(w.name, t.name, `configure failed (${conf.kind})`);
        scenario.release();
        continue;
      }
      const r = await t.session.call("request", {
        client: conf.result.client,
        method: "GET",
        path: "/interop",
      }, 8_000);
      put(w.name, t.name, requestOutcome(r, scenario.requests()[0]?.headers["x-request-id"]));
      scenario.release();
    }
    for (const d of dtos) {
      const r = await t.session.call("decode_dto", { type: d.type, json: d.json }, 8_000);
      const o = r.kind === "ok"
        ? canonicalJson(r.result.json)
        : r.kind === "sdk_error"
        ? r.error.type === "unsupported" ? "unsupported" : "rejected"
        : r.kind;
      put(d.name, t.name, o);
    }
  }));
  return outcomes;
}

/**
 * Whether the SDKs agree on one fixture (SDKs that answered `unsupported` are left out).
 *
 * @param row SDK name → outcome
 * @returns true when every implemented outcome is the same
 * @example
 * ```ts
 * import { agree } from "./interop.ts";
 * if (!agree({ a: "x", b: "x", c: "unsupported" }) || agree({ a: "x", b: "y" })) throw new Error();
 * ```
 */
export function agree(row: Readonly<Record<string, string>>): boolean {
  return new Set(Object.values(row).filter((v) => v !== "unsupported")).size <= 1;
}

/**
 * Run every interop fixture through every target and list the disagreements.
 *
 * @param targets the SDKs (each with a live driver session)
 * @param mock the mock server
 * @param newCanary makes a registered canary for the invalid-token case
 * @returns the fixtures compared and the disagreements
 */
export async function interopCompare(
  targets: InteropTarget[],
  mock: MockServer,
  newCanary: () => string,
): Promise<InteropResult> {
  const outcomes = await interopOutcomes(targets, mock, newCanary);
  const disagreements: InteropDisagreement[] = [];
  for (const [fixture, row] of outcomes) if (!agree(row)) disagreements.push({ fixture, outcomes: row });
  return { fixtures: outcomes.size, disagreements };
}
