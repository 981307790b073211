import assert from "node:assert/strict";
import { loadFixtures, type ProblemOutcome } from "../../src/schema/fixture.ts";
import { parseProblem, problemToSdkError } from "../../src/schema/problem.ts";
import type { SdkError } from "../../src/schema/protocol.ts";
import { describeDifferences, judgeProblemCase } from "./_problem_match.ts";

const OUT_OF_CREDIT = {
  status: 403,
  contentType: "application/problem+json",
  body: JSON.stringify({
    type: "https://example.com/probs/out-of-credit",
    title: "You do not have enough credit.",
    detail: "Your current balance is 30, but that costs 50.",
    instance: "/account/12345/msgs/abc",
    balance: 30,
    accounts: ["/account/12345"],
  }),
};
const KIT: ProblemOutcome = {
  type: "problem",
  code: "out-of-credit",
  kind: "You do not have enough credit.",
  message: "Your current balance is 30, but that costs 50.",
  correlation_id: "/account/12345/msgs/abc",
  details: { balance: 30, accounts: ["/account/12345"] },
  mapping: "rfc9457",
};
const kitError: SdkError = {
  type: "problem",
  status: 403,
  code: "out-of-credit",
  kind: "You do not have enough credit.",
  message: "Your current balance is 30, but that costs 50.",
  correlation_id: "/account/12345/msgs/abc",
  details: { balance: 30, accounts: ["/account/12345"] },
};

Deno.test("the kit's own parser gives an allowed outcome for every Problem fixture", async () => {
  for (const g of await loadFixtures("problem")) {
    for (const c of g.cases) {
      const wire = { status: c.input.status, contentType: c.input.content_type, body: c.input.body };
      const e = problemToSdkError(parseProblem(wire), wire.status);
      const j = judgeProblemCase(e, c.expected.outcomes, wire);
      assert.ok(j.ok, `${g.file}: ${c.description}: ${describeDifferences(j.fields)}`);
    }
  }
});

Deno.test("RFC 9457: every documented reading is accepted", () => {
  const readings: Partial<SdkError>[] = [
    { code: "https://example.com/probs/out-of-credit" },
    { code: "you_do_not_have_enough_credit" },
    { code: "you-do-not-have-enough-credit" },
    { kind: "https://example.com/probs/out-of-credit" },
    { kind: "out-of-credit" },
    { message: "You do not have enough credit." },
    { message: "You do not have enough credit.: Your current balance is 30, but that costs 50." },
    { correlation_id: "" },
    { details: {} },
    { details: { balance: 30 } },
  ];
  for (const r of readings) {
    const j = judgeProblemCase({ ...kitError, ...r }, [KIT], OUT_OF_CREDIT);
    assert.ok(j.ok, `${JSON.stringify(r)}: ${describeDifferences(j.fields)}`);
  }
  const sent = judgeProblemCase({ ...kitError, correlation_id: "req-1" }, [KIT], OUT_OF_CREDIT, "req-1");
  assert.ok(sent.ok, "the request's own X-Request-ID stands in for a missing correlation_id extension");
});

Deno.test("RFC 9457: values from nowhere, changed extensions and missing fields are refused", () => {
  const wrong: [Partial<SdkError>, string][] = [
    [{ code: "forbidden" }, "code"],
    [{ code: undefined }, "code"],
    [{ kind: "problem" }, "kind"],
    [{ message: "" }, "message"],
    [{ message: "request failed" }, "message"],
    [{ correlation_id: "other" }, "correlation_id"],
    [{ details: { balance: 31 } }, "details"],
    [{ details: { invented: true } }, "details"],
  ];
  for (const [r, field] of wrong) {
    const j = judgeProblemCase({ ...kitError, ...r }, [KIT], OUT_OF_CREDIT);
    assert.equal(j.ok, false, JSON.stringify(r));
    assert.deepEqual(j.fields.filter((f) => !f.ok).map((f) => f.field), [field], JSON.stringify(r));
  }
});

Deno.test("canonical envelopes are compared exactly; an empty correlation_id may be the sent request id", () => {
  const wire = { status: 404, contentType: "application/json", body: "{}" };
  const o: ProblemOutcome = {
    type: "problem",
    code: "not_found",
    kind: "NotFound",
    message: "m",
    correlation_id: "",
    details: { a: 1 },
  };
  const e: SdkError = {
    type: "problem",
    code: "not_found",
    kind: "NotFound",
    message: "m",
    details: { a: 1 },
  };
  assert.ok(judgeProblemCase(e, [o], wire).ok);
  assert.ok(judgeProblemCase({ ...e, correlation_id: "rid" }, [o], wire, "rid").ok);
  const j = judgeProblemCase({ ...e, message: "M", details: {} }, [o], wire);
  assert.equal(
    describeDifferences(j.fields),
    'message: expected "m", got "M"; details: expected {"a":1}, got {}',
  );
  const t = judgeProblemCase({ type: "timeout" }, [o, { type: "transport" }], wire);
  assert.equal(describeDifferences(t.fields), "type: expected problem | transport, got timeout");
});
