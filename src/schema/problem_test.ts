import assert from "node:assert/strict";
import fc from "fast-check";
import {
  fromRfc9457,
  parseProblem,
  PROBLEM_PARSE_MESSAGES,
  ProblemSchema,
  problemToSdkError,
  toRfc9457,
} from "./problem.ts";
import type { Problem } from "./problem.ts";
import { SdkErrorSchema } from "./protocol.ts";
import { canonicalShape } from "./_problem_shape.ts";

const CANONICAL: Problem = {
  code: "not_found",
  kind: "NotFound",
  message: "no such app",
  correlation_id: "req-1",
  details: { id: "a1" },
};

Deno.test("parseProblem() reads a canonical envelope and drops unknown members", () => {
  const r = parseProblem({
    status: 404,
    contentType: "application/json",
    body: JSON.stringify({ ...CANONICAL, stack: "at /srv/app.js:1" }),
  });
  assert.deepEqual(r, { ok: true, problem: CANONICAL, source: "canonical" });
});

Deno.test("parseProblem() tells truncated JSON from other non-JSON", async (t) => {
  const cases: [string, string][] = [
    ['{"code":"x","message":"abc', "truncated_json"],
    ["[1,2", "truncated_json"],
    ['"unterminated', "truncated_json"],
    ["{}}", "not_json"],
    ["<html></html>", "not_json"],
    ["{'a':1}", "not_json"],
    ["  ", "empty_body"],
    ["[]", "not_object"],
    ['{"code":"x"}', "invalid_envelope"],
  ];
  for (const [body, code] of cases) {
    await t.step(`${JSON.stringify(body)} -> ${code}`, () => {
      assert.deepEqual(parseProblem({ status: 500, contentType: "application/json", body }), {
        ok: false,
        error: { code },
      });
    });
  }
});

Deno.test("parseProblem() maps application/problem+json via fromRfc9457", () => {
  const r = parseProblem({
    status: 429,
    contentType: "application/problem+json",
    body: JSON.stringify({ type: "about:blank", title: "Too Many Requests", retry_in: 3 }),
  });
  assert.deepEqual(r, {
    ok: true,
    source: "rfc9457",
    problem: {
      code: "http_429",
      kind: "Too Many Requests",
      message: "Too Many Requests",
      correlation_id: "",
      details: { retry_in: 3 },
    },
  });
});

Deno.test("problemToSdkError() maps both outcomes to valid SdkErrors", () => {
  const ok = problemToSdkError({ ok: true, problem: CANONICAL, source: "canonical" }, 404);
  assert.deepEqual(ok, { type: "problem", status: 404, ...CANONICAL });
  assert.ok(SdkErrorSchema.safeParse(ok).success);
  const bad = problemToSdkError({ ok: false, error: { code: "not_json" } }, 502);
  assert.deepEqual(bad, { type: "transport", status: 502, message: PROBLEM_PARSE_MESSAGES.not_json });
  assert.ok(SdkErrorSchema.safeParse(bad).success);
});

const SECRET = "ronc_fuzzsecret_0123456789abcdef";

/** Problem-ish bodies: canonical with noise, RFC 9457, wrong types, deep nesting, cut JSON, text. */
function bodyArb(): fc.Arbitrary<string> {
  const str = fc.oneof(fc.string(), fc.constant(SECRET), fc.string({ unit: "grapheme", maxLength: 40 }));
  const anyJson = fc.jsonValue({ maxDepth: 4 });
  const canonicalish = fc.record({
    code: fc.oneof(str, anyJson),
    kind: fc.oneof(str, anyJson),
    message: fc.oneof(str, anyJson),
    correlation_id: fc.oneof(str, anyJson),
    details: fc.oneof(fc.dictionary(fc.string(), anyJson), anyJson),
  }, { requiredKeys: [] });
  const withExtra = fc.tuple(canonicalish, fc.dictionary(fc.string(), anyJson)).map(([a, b]) => ({
    ...b,
    ...a,
  }));
  const rfc = fc.record({
    type: fc.oneof(fc.webUrl(), fc.constant("about:blank"), anyJson),
    title: fc.oneof(str, anyJson),
    status: fc.oneof(fc.integer(), anyJson),
    detail: fc.oneof(str, anyJson),
    instance: fc.oneof(str, anyJson),
    secret: fc.constant(SECRET),
  }, { requiredKeys: [] });
  const json = fc.oneof(withExtra, rfc, anyJson).map((v) => JSON.stringify(v) ?? "");
  const deep = fc.integer({ min: 1, max: 5000 }).map((n) => "[".repeat(n) + "]".repeat(n));
  const cut = fc.tuple(json, fc.nat()).map(([s, n]) => s.slice(0, s.length === 0 ? 0 : n % s.length));
  const text = fc.tuple(fc.string(), fc.constant(SECRET), fc.string()).map((p) =>
    `<html>${p.join("")}</html>`
  );
  return fc.oneof(json, deep, cut, text, fc.string(), fc.string({ unit: "binary" }));
}

Deno.test("parseProblem() never throws and never returns the raw body (fast-check, seed 42)", () => {
  const contentType = fc.constantFrom(null, "application/json", "application/problem+json", "text/html", "");
  fc.assert(
    fc.property(bodyArb(), fc.integer({ min: 100, max: 599 }), contentType, (body, status, ct) => {
      const parsed = parseProblem({ status, contentType: ct, body });
      const err = problemToSdkError(parsed, status);
      assert.ok(SdkErrorSchema.safeParse(err).success);
      if (!parsed.ok) {
        assert.equal(err.message, PROBLEM_PARSE_MESSAGES[parsed.error.code]);
        assert.ok(!JSON.stringify(parsed).includes(SECRET));
        assert.ok(!JSON.stringify(err).includes(SECRET));
      } else {
        assert.ok(ProblemSchema.safeParse(parsed.problem).success);
      }
      if (body.trim().length >= 16) {
        assert.ok(!JSON.stringify(parsed).includes(body.trim()), "the parse result quotes the body");
        assert.ok(!JSON.stringify(err).includes(body.trim()), "the SdkError quotes the body");
      }
    }),
    { seed: 42, numRuns: 300 },
  );
});

Deno.test("fromRfc9457(toRfc9457(p)) is p when details do not collide (fast-check, seed 42)", () => {
  const reserved = new Set(["type", "title", "status", "detail", "instance", "correlation_id"]);
  const problem = fc.record({
    code: fc.string({ minLength: 1 }),
    kind: fc.string(),
    message: fc.string(),
    correlation_id: fc.string(),
    details: fc.dictionary(fc.string().filter((k) => !reserved.has(k) && k !== "__proto__"), fc.jsonValue()),
  });
  fc.assert(
    fc.property(problem, fc.integer({ min: 400, max: 599 }), (p, status) => {
      const rfc = toRfc9457(p, status);
      const back = fromRfc9457(JSON.parse(JSON.stringify(rfc)), status);
      assert.deepEqual(back, JSON.parse(JSON.stringify(p)));
    }),
    { seed: 42, numRuns: 300 },
  );
});

/** parseProblem as it was before the fast path: zod decides every canonical envelope. */
function parseWithZodOnly(input: { status: number; contentType: string | null; body: string }) {
  const fast = parseProblem(input);
  const raw = typeof input.body === "string" ? input.body : "";
  const text = (raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw).trim();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return fast; // not JSON: the fast path is not involved
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return fast;
  const obj = json as Record<string, unknown>;
  const z = ProblemSchema.safeParse(obj);
  if (z.success) return { ok: true, problem: z.data, source: "canonical" };
  const media = (input.contentType ?? "").split(";")[0]?.trim().toLowerCase();
  const rfcShaped = (typeof obj["type"] === "string" || typeof obj["title"] === "string") && !("code" in obj);
  if (media === "application/problem+json" || rfcShaped) {
    return {
      ok: true,
      problem: fromRfc9457(obj, Number.isInteger(input.status) ? input.status : undefined),
      source: "rfc9457",
    };
  }
  return { ok: false, error: { code: "invalid_envelope" } };
}

Deno.test("parseProblem()'s fast path agrees with zod on every problem fixture", async () => {
  let n = 0;
  for await (const e of Deno.readDir(new URL("../../fixtures/problem/", import.meta.url))) {
    if (!e.name.endsWith(".json")) continue;
    const group = JSON.parse(
      await Deno.readTextFile(new URL(`../../fixtures/problem/${e.name}`, import.meta.url)),
    );
    for (
      const c of group.cases as { input: { status: number; content_type: string | null; body: string } }[]
    ) {
      const input = { status: c.input.status, contentType: c.input.content_type, body: c.input.body };
      assert.deepEqual(
        parseProblem(input),
        parseWithZodOnly(input),
        `${e.name}: ${String(c.input.body).slice(0, 60)}`,
      );
      n++;
    }
  }
  assert.ok(n >= 8, `only ${n} fixture cases`);
});

Deno.test("canonicalShape() agrees with ProblemSchema on generated objects (fast-check, seed 7)", () => {
  const str = fc.oneof(fc.string(), fc.constant(""), fc.constant("__proto__"));
  const member = fc.oneof(str, fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined));
  const details = fc.oneof(
    fc.dictionary(fc.oneof(fc.string(), fc.constant("__proto__")), fc.jsonValue({ maxDepth: 2 })),
    fc.jsonValue({ maxDepth: 2 }),
  );
  // valid, near-valid (one member missing or of another type) and hostile (__proto__, deep, huge) objects
  const obj = fc.record({ code: member, kind: member, message: member, correlation_id: member, details }, {
    requiredKeys: [],
  });
  const valid = fc.record({ code: str, kind: str, message: str, correlation_id: str, details });
  const body = fc.tuple(fc.oneof(obj, valid), fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })))
    .map(([o, extra]) => JSON.stringify({ ...extra, ...o }));
  const hostile = fc.constantFrom(
    '{"code":"a","kind":"b","message":"c","correlation_id":"d","details":{"__proto__":{"x":1},"y":2}}',
    '{"__proto__":{"code":"a"},"kind":"b","message":"c","correlation_id":"d","details":{}}',
    '{"code":"a","kind":"b","message":"c","correlation_id":"d","details":[]}',
    '{"code":"a","kind":"b","message":"c","correlation_id":"d","details":null}',
    '{"code":"a","code":1,"kind":"b","message":"c","correlation_id":"d","details":{}}',
  );
  fc.assert(
    fc.property(
      fc.oneof(body, hostile),
      fc.constantFrom(null, "application/json", "application/problem+json"),
      (b, ct) => {
        const json = JSON.parse(b) as Record<string, unknown>;
        const fast = canonicalShape(json);
        const z = ProblemSchema.safeParse(json);
        if (fast === "unsure") return; // zod decides these
        assert.equal(fast !== undefined, z.success, b);
        if (fast !== undefined && z.success) assert.deepEqual(fast, z.data);
        const input = { status: 400, contentType: ct, body: b };
        assert.deepEqual(parseProblem(input), parseWithZodOnly(input));
      },
    ),
    { seed: 7, numRuns: 1000 },
  );
});
