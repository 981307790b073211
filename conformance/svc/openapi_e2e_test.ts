import assert from "node:assert/strict";
import { startReferenceServer } from "../reference_server/server.ts";
import type { ServerFault } from "../reference_server/faults.ts";
import { certifyTarget } from "./profile.ts";
import { referenceOpenApiTarget } from "./openapi.ts";
import type { Target } from "./target.ts";

/** Certify one fresh reference server (or mutant), from its own target or from its OpenAPI document. */
async function outcomes(
  from: "target" | "openapi",
  opts: { fault?: ServerFault; only?: string[] } = {},
): Promise<Record<string, string>> {
  const s = await startReferenceServer({ ...(opts.fault ? { fault: opts.fault } : {}) });
  try {
    const t: Target = from === "target" ? s.target : await referenceOpenApiTarget(s.target, "/openapi.json");
    const results = await certifyTarget(t, { seed: 1, ...(opts.only ? { only: opts.only } : {}) });
    return Object.fromEntries(results.map((r) => [r.id, r.verdict.outcome]));
  } finally {
    await s.close();
  }
}

Deno.test({
  name: "certify:server --openapi gives the reference server the same verdict per check as its target",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const fromTarget = await outcomes("target");
    const fromSpec = await outcomes("openapi");
    assert.deepEqual(fromSpec, fromTarget);
    assert.ok(Object.values(fromSpec).filter((o) => o === "pass").length >= 35, JSON.stringify(fromSpec));
  },
});

Deno.test({
  name: "a target derived from the document still catches the mutants its derived routes exist for",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const cases: [ServerFault, string][] = [
      ["crash-on-type", "svc.prop.fuzz"], // the schema-driven fuzz
      ["lenient-input", "svc.input.unknown-fields"], // the strict write route
      ["no-rate-limit", "svc.ratelimit.enforced"], // x-rate-limit
      ["open-route", "svc.auth.required"], // the secured routes
      ["list-unscoped", "svc.iso.list-scoped"], // the derived [iso] routes
    ];
    for (const [fault, id] of cases) {
      const got = await outcomes("openapi", { fault, only: [id] });
      assert.equal(got[id], "fail", `${fault} must fail ${id} (got ${got[id]})`);
    }
  },
});
