/**
 * The `fixtures/scenario/` group: mock-server scenario scripts as data. Each case is
 * `{description, input: <Scenario script>, requests?: [...], expected: <observation> | [<observation>…]}`;
 * this test validates every file with zod (naming the file when it is malformed) and plays every case
 * against a real `startMockServer()` with a plain `fetch` (trusting the mock's CA, `redirect: "manual"`),
 * asserting exactly what the case says a client must observe. See fixtures/README.md § scenario/.
 *
 * @module
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { BodySchema, ResponseStepSchema, type Scenario, ScenarioSchema } from "../schema/scenario.ts";
import { startMockServer } from "./server.ts";
import type { MockServer, ScenarioHandle } from "./types.ts";

const SCENARIO_DIR = new URL("../../fixtures/scenario/", import.meta.url);
const INDEX = new URL("../../fixtures/index.json", import.meta.url);

/** Upper bound of every request that is expected to complete (headers and the body read). */
const CASE_TIMEOUT_MS = 5_000;
/** A "stalled" case: no response within this long. */
const STALL_MS = 300;

// ---------------------------------------------------------------------------------------------------
// schema

/** Keys the scenario schema knows, so a typo in a fixture (`delay` for `delay_ms`) fails the load. */
const STEP_KEYS = new Set(Object.keys(ResponseStepSchema.shape));
const MATCH_KEYS = new Set(Object.keys(ResponseStepSchema.shape.match.unwrap().shape));
const BODY_KEYS = new Map<string, Set<string>>(
  BodySchema.options.map((o) => [o.shape.kind.value, new Set(Object.keys(o.shape))]),
);
const SCRIPT_KEYS = new Set(Object.keys(ScenarioSchema.shape));

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Unknown keys of a raw scenario script, as dotted paths (ScenarioSchema itself strips them). */
function unknownScriptKeys(raw: unknown): string[] {
  const out: string[] = [];
  const extra = (obj: unknown, known: ReadonlySet<string>, at: string) => {
    if (!isRecord(obj)) return;
    for (const k of Object.keys(obj)) if (!known.has(k)) out.push(`${at}${k}`);
  };
  extra(raw, SCRIPT_KEYS, "");
  const responses = isRecord(raw) && Array.isArray(raw["responses"]) ? raw["responses"] : [];
  responses.forEach((step: unknown, i) => {
    extra(step, STEP_KEYS, `responses.${i}.`);
    if (!isRecord(step)) return;
    extra(step["match"], MATCH_KEYS, `responses.${i}.match.`);
    const body = step["body"];
    const known = isRecord(body) && typeof body["kind"] === "string"
      ? BODY_KEYS.get(body["kind"])
      : undefined;
    if (known) extra(body, known, `responses.${i}.body.`);
  });
  return out;
}

/**
 * A scenario script, validated by `ScenarioSchema` with unknown keys anywhere rejected, and kept
 * **as written**: the parsed output would carry the schema's `status: 200` default, which turns a
 * redirect step's "302 unless given" into a 200 (the mock reads the script as written, too).
 */
const StrictScenarioSchema = z.unknown().superRefine((raw, ctx) => {
  for (const k of unknownScriptKeys(raw)) ctx.addIssue({ code: "custom", message: `unknown key ${k}` });
  const r = ScenarioSchema.safeParse(raw);
  if (!r.success) {
    for (const i of r.error.issues) ctx.addIssue({ code: "custom", message: i.message, path: i.path });
  }
}).transform((raw) => raw as Scenario);

/** One request the plain client sends. */
const RequestSchema = z.strictObject({
  /** @default "GET" */
  method: z.string().regex(/^[A-Z]+$/).default("GET"),
  /** after the scenario base, query included; "" is the scenario root */
  path: z.string().regex(/^(\/[^#]*)?$/).default("/"),
  /** which listener @default "https" */
  origin: z.enum(["https", "http", "foreign"]).default("https"),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.string().optional(),
});
type Request = z.output<typeof RequestSchema>;

const ResponseObservationSchema = z.strictObject({
  outcome: z.literal("response"),
  status: z.number().int().min(200).max(599),
  /** exact `content-type` header; null = no such header */
  content_type: z.string().nullable().optional(),
  /** these headers (lower-case names) with exactly these values */
  headers: z.record(z.string().regex(/^[a-z0-9-]+$/), z.string()).optional(),
  /** exact `location`, with {httpsBase} {httpBase} {foreignBase} {scenarioPath} expanded */
  location: z.string().optional(),
  // the whole body is read to its end:
  body_text: z.string().optional(),
  body_bytes: z.number().int().min(0).optional(),
  json: z.unknown().optional(),
  json_subset: z.record(z.string(), z.unknown()).optional(),
  /** exact number of SSE events until the stream ends */
  events: z.number().int().min(0).optional(),
  // or the body is read until these many arrive, then cancelled (streams that never end):
  min_bytes: z.number().int().positive().optional(),
  min_events: z.number().int().positive().optional(),
  // either way:
  /** the first SSE ids and data (a prefix of what arrives) */
  event_ids: z.array(z.number().int().min(1)).optional(),
  event_data: z.array(z.unknown()).optional(),
  /** the observation took at least this long (request sent → last byte read) */
  min_elapsed_ms: z.number().int().min(0).optional(),
}).superRefine((o, ctx) => {
  const streaming = o.min_bytes !== undefined || o.min_events !== undefined;
  const whole = ["body_text", "body_bytes", "json", "json_subset", "events"].filter((k) => k in o);
  if (streaming && whole.length > 0) {
    ctx.addIssue({ code: "custom", message: `min_bytes/min_events exclude ${whole.join(", ")}` });
  }
  const n = o.events ?? o.min_events;
  for (const k of ["event_ids", "event_data"] as const) {
    const len = o[k]?.length;
    if (len !== undefined && (n === undefined || len > n)) {
      ctx.addIssue({ code: "custom", message: `${k} needs events/min_events >= its length` });
    }
  }
});

const ObservationSchema = z.discriminatedUnion("outcome", [
  ResponseObservationSchema,
  /** the connection dies without a status line: fetch rejects (not by our timeout) */
  z.strictObject({
    outcome: z.literal("connection_closed"),
    min_elapsed_ms: z.number().int().min(0).optional(),
  }),
  /** nothing arrives within STALL_MS */
  z.strictObject({ outcome: z.literal("stalled") }),
]);
type Observation = z.output<typeof ObservationSchema>;

const CaseSchema = z.strictObject({
  description: z.string().min(1),
  comment: z.string().optional(),
  /** why this is the only acceptable observation (the rule's text) */
  reason: z.string().min(1).optional(),
  input: StrictScenarioSchema,
  /** @default [{method: "GET", path: "/", origin: "https"}] */
  requests: z.array(RequestSchema).min(1).optional(),
  /** one observation per request (a single one for a single request) */
  expected: z.union([ObservationSchema, z.array(ObservationSchema).min(1)]),
}).superRefine((c, ctx) => {
  const nReq = c.requests?.length ?? 1;
  const nExp = Array.isArray(c.expected) ? c.expected.length : 1;
  if (nReq !== nExp) ctx.addIssue({ code: "custom", message: `${nReq} requests but ${nExp} expected` });
}).transform((c) => {
  const requests = c.requests ?? [RequestSchema.parse({})];
  const expected = Array.isArray(c.expected) ? c.expected : [c.expected];
  return {
    description: c.description,
    scenario: c.input,
    steps: requests.map((request, i) => ({ request, expected: expected[i] as Observation })),
  };
});
type Case = z.output<typeof CaseSchema>;

/** `fixtures/scenario/*.json`. */
const ScenarioGroupSchema = z.strictObject({
  description: z.string().min(1),
  source: z.string().optional(),
  comment: z.string().optional(),
  cases: z.array(CaseSchema).min(1),
});
type ScenarioGroup = z.output<typeof ScenarioGroupSchema> & { file: string };

async function loadScenarioGroup(path: URL): Promise<ScenarioGroup> {
  const name = path.pathname.split("/").slice(-2).join("/");
  let json: unknown;
  try {
    json = JSON.parse(await Deno.readTextFile(path));
  } catch (e) {
    throw new Error(`fixture ${name}: cannot read JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const r = ScenarioGroupSchema.safeParse(json);
  if (!r.success) {
    throw new Error(`fixture ${name}: does not match the scenario schema: ${z.prettifyError(r.error)}`);
  }
  return { ...r.data, file: name };
}

async function scenarioFiles(dir: URL = SCENARIO_DIR): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) if (e.isFile && e.name.endsWith(".json")) names.push(e.name);
  return names.sort();
}

async function loadScenarioFixtures(): Promise<ScenarioGroup[]> {
  const names = await scenarioFiles();
  return await Promise.all(names.map((n) => loadScenarioGroup(new URL(n, SCENARIO_DIR))));
}

// ---------------------------------------------------------------------------------------------------
// playing a case

interface SseEvent {
  id: number | undefined;
  data: unknown;
}

/** The complete events (terminated by a blank line) of an SSE text. */
function sseEvents(text: string): SseEvent[] {
  const blocks = text.split("\n\n");
  blocks.pop(); // incomplete tail (or "")
  const out: SseEvent[] = [];
  for (const block of blocks) {
    let id: number | undefined;
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("id:")) id = Number(line.slice(3).trim());
      else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    }
    if (data.length > 0) out.push({ id, data: JSON.parse(data.join("\n")) });
  }
  return out;
}

function expand(template: string, s: ScenarioHandle): string {
  return template
    .replaceAll("{httpsBase}", s.httpsBase)
    .replaceAll("{httpBase}", s.httpBase)
    .replaceAll("{foreignBase}", s.foreignBase)
    .replaceAll("{scenarioPath}", `/s/${s.id}`);
}

function baseOf(s: ScenarioHandle, origin: Request["origin"]): string {
  switch (origin) {
    case "https":
      return s.httpsBase;
    case "http":
      return s.httpBase;
    case "foreign":
      return s.foreignBase;
    default: {
      const _x: never = origin;
      return _x;
    }
  }
}

function errorName(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** Read a body until `minBytes` bytes and `minEvents` SSE events arrived, then cancel it. */
async function readAtLeast(res: Response, minBytes: number, minEvents: number): Promise<SseEvent[]> {
  assert.ok(res.body, "a streamed response has a body");
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let bytes = 0;
  let text = "";
  let events: SseEvent[] = [];
  try {
    while (bytes < minBytes || events.length < minEvents) {
      const { done, value } = await reader.read();
      assert.ok(
        !done,
        `the stream ended after ${bytes} bytes / ${events.length} events, ` +
          `expected at least ${minBytes} bytes / ${minEvents} events`,
      );
      bytes += value.length;
      if (minEvents > 0) {
        text += decoder.decode(value, { stream: true });
        events = sseEvents(text);
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return events;
}

async function observeResponse(
  res: Response,
  exp: z.output<typeof ResponseObservationSchema>,
  s: ScenarioHandle,
): Promise<void> {
  try {
    assert.equal(res.status, exp.status, "status");
    if (exp.content_type !== undefined) {
      assert.equal(res.headers.get("content-type"), exp.content_type, "content-type");
    }
    for (const [k, v] of Object.entries(exp.headers ?? {})) {
      assert.equal(res.headers.get(k), v, `header ${k}`);
    }
    if (exp.location !== undefined) {
      assert.equal(res.headers.get("location"), expand(exp.location, s), "location");
    }
  } catch (e) {
    await res.body?.cancel();
    throw e;
  }
  let events: SseEvent[];
  if (exp.min_bytes !== undefined || exp.min_events !== undefined) {
    events = await readAtLeast(res, exp.min_bytes ?? 0, exp.min_events ?? 0);
  } else {
    const bytes = new Uint8Array(await res.arrayBuffer());
    const text = new TextDecoder().decode(bytes);
    if (exp.body_bytes !== undefined) assert.equal(bytes.length, exp.body_bytes, "body size");
    if (exp.body_text !== undefined) assert.equal(text, exp.body_text, "body text");
    if ("json" in exp) assert.deepEqual(JSON.parse(text), exp.json, "json body");
    if (exp.json_subset !== undefined) {
      const json: unknown = JSON.parse(text);
      assert.ok(isRecord(json), "json body is an object");
      for (const [k, v] of Object.entries(exp.json_subset)) assert.deepEqual(json[k], v, `json member ${k}`);
    }
    events = exp.events !== undefined || exp.event_ids || exp.event_data ? sseEvents(text) : [];
    if (exp.events !== undefined) assert.equal(events.length, exp.events, "number of SSE events");
  }
  if (exp.event_ids) {
    assert.deepEqual(events.slice(0, exp.event_ids.length).map((e) => e.id), exp.event_ids, "SSE ids");
  }
  if (exp.event_data) {
    assert.deepEqual(events.slice(0, exp.event_data.length).map((e) => e.data), exp.event_data, "SSE data");
  }
}

async function observe(
  s: ScenarioHandle,
  client: Deno.HttpClient,
  request: Request,
  exp: Observation,
): Promise<void> {
  const url = `${baseOf(s, request.origin)}${request.path}`;
  const init = {
    method: request.method,
    headers: request.headers ?? {},
    client,
    redirect: "manual" as const,
    ...(request.body === undefined ? {} : { body: request.body }),
  };
  const t0 = performance.now();
  const elapsed = () => performance.now() - t0;
  switch (exp.outcome) {
    case "response": {
      const res = await fetch(url, { ...init, signal: AbortSignal.timeout(CASE_TIMEOUT_MS) });
      await observeResponse(res, exp, s);
      if (exp.min_elapsed_ms !== undefined) {
        assert.ok(
          elapsed() >= exp.min_elapsed_ms,
          `took ${elapsed().toFixed(0)} ms, >= ${exp.min_elapsed_ms}`,
        );
      }
      return;
    }
    case "connection_closed": {
      const got = await fetch(url, { ...init, signal: AbortSignal.timeout(CASE_TIMEOUT_MS) }).then(
        async (res) => {
          await res.body?.cancel();
          return `a ${res.status} response`;
        },
        (e: unknown) => e,
      );
      assert.ok(
        got instanceof TypeError,
        `expected the connection to close (TypeError), got ${errorName(got)}`,
      );
      if (exp.min_elapsed_ms !== undefined) {
        assert.ok(
          elapsed() >= exp.min_elapsed_ms,
          `closed after ${elapsed().toFixed(0)} ms, >= ${exp.min_elapsed_ms}`,
        );
      }
      return;
    }
    case "stalled": {
      const got = await fetch(url, { ...init, signal: AbortSignal.timeout(STALL_MS) }).then(
        async (res) => {
          await res.body?.cancel();
          return `a ${res.status} response`;
        },
        (e: unknown) => e,
      );
      assert.ok(
        got instanceof DOMException && got.name === "TimeoutError",
        `expected no response within ${STALL_MS} ms, got ${errorName(got)}`,
      );
      assert.ok(
        elapsed() < 3_000,
        `the ${STALL_MS} ms client timeout fired after ${elapsed().toFixed(0)} ms`,
      );
      return;
    }
    default: {
      const _x: never = exp;
      return _x;
    }
  }
}

async function playCase(mock: MockServer, c: Case): Promise<void> {
  const s = mock.scenario(c.scenario);
  const client = Deno.createHttpClient({ caCerts: [mock.caCertPem] });
  try {
    for (const [i, step] of c.steps.entries()) {
      try {
        await observe(s, client, step.request, step.expected);
      } catch (e) {
        if (c.steps.length > 1 && e instanceof Error) e.message = `request ${i + 1}: ${e.message}`;
        throw e;
      }
    }
    // the mock saw exactly the requests sent, on the listener they were sent to
    assert.equal(await s.waitForRequests(c.steps.length, 2_000), c.steps.length, "requests recorded");
    assert.deepEqual(
      s.requests().map((r) => `${r.listener} ${r.method} ${r.path}${r.query === "" ? "" : `?${r.query}`}`),
      c.steps.map(({ request: r }) => `${r.origin} ${r.method} ${r.path === "" ? "/" : r.path}`),
    );
  } finally {
    s.release();
    client.close();
  }
}

// ---------------------------------------------------------------------------------------------------
// tests

Deno.test("scenario fixtures: every file validates, index.json lists them, >= 15 cases", async () => {
  const groups = await loadScenarioFixtures();
  const index: unknown = JSON.parse(await Deno.readTextFile(INDEX));
  const listed = isRecord(index) && isRecord(index["groups"]) ? index["groups"]["scenario"] : undefined;
  assert.deepEqual(
    listed,
    await scenarioFiles(),
    "index.json groups.scenario equals fixtures/scenario/*.json",
  );
  const n = groups.reduce((a, g) => a + g.cases.length, 0);
  assert.ok(n >= 15, `${n} scenario cases, need >= 15`);
  const descriptions = groups.flatMap((g) => g.cases.map((c) => `${g.file}: ${c.description}`));
  assert.equal(new Set(descriptions).size, descriptions.length, "case descriptions are unique per file");
});

Deno.test("scenario fixtures: a malformed file fails the load, naming the file and the problem", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "scenario_fixture_" });
  try {
    const bad = (c: unknown) => ({ description: "bad", cases: [c] });
    const ok = { description: "c", input: { responses: [{}] }, expected: { outcome: "stalled" } };
    const table: [string, unknown, RegExp][] = [
      ["not JSON", "{", /cannot read JSON/],
      ["a typo in the script", bad({ ...ok, input: { responses: [{ delay: 5 }] } }), /responses\.0\.delay/],
      [
        "a typo in a body",
        bad({ ...ok, input: { responses: [{ body: { kind: "text", text: "x" } }] } }),
        /body\.text/,
      ],
      ["an invalid script", bad({ ...ok, input: { responses: [] } }), /responses/],
      ["an unknown outcome", bad({ ...ok, expected: { outcome: "maybe" } }), /outcome/],
      ["requests and expected differ in length", bad({ ...ok, requests: [{}, {}] }), /2 requests but 1/],
      [
        "min_bytes with body_text",
        bad({ ...ok, expected: { outcome: "response", status: 200, min_bytes: 1, body_text: "" } }),
        /exclude body_text/,
      ],
    ];
    for (const [name, content, why] of table) {
      await t.step(name, async () => {
        const file = `${dir}/bad_${name.replaceAll(" ", "_")}.json`;
        await Deno.writeTextFile(file, typeof content === "string" ? content : JSON.stringify(content));
        await assert.rejects(loadScenarioGroup(new URL(`file://${file}`)), (e: unknown) => {
          assert.ok(e instanceof Error);
          assert.match(e.message, new RegExp(`fixture .*bad_${name.replaceAll(" ", "_")}\\.json`));
          assert.match(e.message, why);
          return true;
        });
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("scenario fixtures: a plain client observes what each case expects", async (t) => {
  const groups = await loadScenarioFixtures();
  const mock = await startMockServer();
  try {
    for (const g of groups) {
      for (const c of g.cases) {
        await t.step(`${g.file}: ${c.description}`, () => playCase(mock, c));
      }
    }
  } finally {
    await mock.close();
  }
});
