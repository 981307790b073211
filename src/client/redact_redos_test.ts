import assert from "node:assert/strict";
import { redactText } from "./redact.ts";

Deno.test("redactText() stays linear on adversarial input (64 KiB of each pattern's worst case)", () => {
  const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl";
  assert.equal(redactText(`a ${jwt} b`), "a [REDACTED] b");
  assert.equal(redactText(`x.${jwt}`), "x.[REDACTED]");
  assert.equal(redactText("eyJabc.defg.h"), "eyJabc.defg.h", "too short a first segment is no JWT");
  for (const unit of ["eyJ-", "eyJa", "eyJaaaa.", "Bearer ", '"token":"', "ronc_", "cap:", "token="]) {
    const text = unit.repeat(Math.ceil(65_536 / unit.length));
    const t0 = performance.now();
    redactText(text, ["a-secret-value"]);
    const ms = performance.now() - t0;
    assert.ok(ms < 500, `${JSON.stringify(unit)} × 64 KiB took ${ms.toFixed(0)} ms`);
  }
});
