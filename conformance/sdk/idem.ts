/**
 * `sdk.idem.*` — idempotency keys (seed 000 §2.3, §7.2).
 *
 * @module
 */
import fc from "fast-check";
import { defineCheck } from "../../src/engine/registry.ts";
import type { SdkContext } from "../../src/engine/sdk_context.ts";
import { type Check, verdict } from "../../src/engine/types.ts";
import { callFault, gather, request, setup } from "./_helpers.ts";

const OK = { responses: [{ status: 200, body: { kind: "json" as const, value: { ok: true } } }] };
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
/** >= 122 bits: a UUID v4, or at least 21 base64url characters (126 bits) / 31 hex characters. */
function strongKey(k: string): boolean {
  return UUID_V4.test(k) || /^[A-Za-z0-9_-]{21,}$/.test(k);
}

const keyAttached = defineCheck<SdkContext>({
  id: "sdk.idem.key-attached",
  title: "An idempotent write carries a random Idempotency-Key (UUID v4 by default)",
  level: "MUST",
  source: "000 §2.3 Idempotency helpers (UUID v4 by default)",
  rationale:
    "An idempotency key lets the server recognise a repeated write and apply it once. It must be random and long enough that two different requests never share one, or the server discards a genuine write as a duplicate.",
  requires: ["http", "idempotency"],
  mutants: ["no-idem-key"],
  async run(ctx) {
    const s = await setup(ctx, OK);
    if (!s.ok) return s.verdict;
    const r = await request(s.setup, {
      method: "POST",
      path: "/orders",
      json: { item: 1 },
      idempotent: true,
    });
    if (r.kind !== "ok") return callFault("request", r, s.setup);
    const key = s.setup.scenario.requests()[0]?.headers["idempotency-key"];
    if (key === undefined) {
      return verdict.fail(
        "an idempotent POST must carry an Idempotency-Key header; none was sent",
        gather(s.setup),
      );
    }
    if (!strongKey(key)) {
      return verdict.fail(
        `the Idempotency-Key must be random with >= 122 bits (UUID v4 by default); got "${key.slice(0, 40)}"`,
        gather(s.setup),
      );
    }
    return verdict.pass(
      gather(s.setup, {
        notes: [`Idempotency-Key ${UUID_V4.test(key) ? "is a UUID v4" : "has >= 122 bits"}`],
      }),
    );
  },
});

/** A property over generated request bodies, through the driver. */
const keyUnique = defineCheck<SdkContext>({
  id: "sdk.idem.key-unique",
  title: "Each logical request gets a new key (200 requests → 200 keys)",
  level: "MUST",
  source: "000 §7.2 Property-test idempotency helpers; §2.3",
  rationale:
    "If two logical requests share a key, the server treats the second as a replay of the first and silently drops it. A fresh key per request is what keeps deduplication from losing real writes.",
  requires: ["http", "idempotency"],
  mutants: ["constant-idem-key"],
  timeLimitMs: 30_000,
  async run(ctx) {
    const s = await setup(ctx, OK);
    if (!s.ok) return s.verdict;
    const bodies = fc.sample(fc.record({ n: fc.integer(), name: fc.string({ maxLength: 20 }) }), {
      seed: ctx.seed,
      numRuns: 200,
    });
    for (let i = 0; i < bodies.length; i += 20) {
      const batch = bodies.slice(i, i + 20);
      const rs = await Promise.all(
        batch.map((json, j) =>
          request(s.setup, { method: "POST", path: `/k/${i + j}`, json, idempotent: true }, 8_000)
        ),
      );
      const bad = rs.find((r) => r.kind !== "ok");
      if (bad) return callFault("request", bad, s.setup);
    }
    const keys = s.setup.scenario.requests().map((r) => r.headers["idempotency-key"] ?? "");
    const distinct = new Set(keys.filter((k) => k !== ""));
    const notes = [
      `seed ${ctx.seed}: ${bodies.length} generated POST bodies, ${distinct.size} distinct keys`,
    ];
    if (distinct.size !== bodies.length) {
      return verdict.fail(
        `each logical request must get a new Idempotency-Key: ${bodies.length} requests gave ${distinct.size} distinct keys`,
        { notes, property: { seed: ctx.seed, runs: bodies.length } },
      );
    }
    return verdict.pass({ notes, property: { seed: ctx.seed, runs: bodies.length } });
  },
});

const keyStable = defineCheck<SdkContext>({
  id: "sdk.idem.key-stable",
  title: "Every retry of one request reuses the same Idempotency-Key",
  level: "MUST",
  source: "000 §2.3 Idempotency key stable across retries",
  rationale:
    "A key only prevents double execution if every retry of one request carries it. A new key per attempt makes each retry look like a new write: exactly the duplicate the key exists to stop.",
  requires: ["http", "idempotency", "retry"],
  mutants: ["key-per-attempt"],
  async run(ctx) {
    const unavailable = {
      status: 503,
      body: {
        kind: "json" as const,
        value: { code: "busy", kind: "server", message: "busy", correlation_id: "c", details: {} },
      },
    };
    const s = await setup(ctx, {
      responses: [unavailable, unavailable, { status: 201, body: { kind: "json", value: { ok: true } } }],
    }, {
      configure: { max_retries: 3 },
    });
    if (!s.ok) return s.verdict;
    const r = await request(
      s.setup,
      { method: "POST", path: "/pay", json: { amount: 1 }, idempotent: true },
      10_000,
    );
    if (r.kind === "no_reply" || r.kind === "driver_fault") return callFault("request", r, s.setup);
    const keys = s.setup.scenario.requests().map((q) => q.headers["idempotency-key"]);
    if (keys.length < 2) {
      return verdict.fail(
        `a keyed POST must be retried after 503 (max_retries=3) to show its key is stable; saw ${keys.length} attempt(s)`,
        gather(s.setup),
      );
    }
    const distinct = new Set(keys);
    if (distinct.size !== 1 || keys[0] === undefined) {
      return verdict.fail(
        `every retry must reuse the same Idempotency-Key; ${keys.length} attempts carried ${distinct.size} different values`,
        gather(s.setup),
      );
    }
    return verdict.pass(gather(s.setup, { notes: [`${keys.length} attempts, one key`] }));
  },
});

const callerKey = defineCheck<SdkContext>({
  id: "sdk.idem.caller-key",
  title: "A caller-given idempotency key is sent verbatim",
  level: "SHOULD",
  source: "000 §2.3 Option to provide custom idempotency key",
  rationale:
    "Callers that retry across restarts or processes supply their own key (from an order id, say) so the server can match the attempts. An SDK that replaces or alters that key defeats the deduplication.",
  requires: ["http", "idempotency"],
  mutants: [],
  async run(ctx) {
    const s = await setup(ctx, OK);
    if (!s.ok) return s.verdict;
    const key = `caller-${crypto.randomUUID()}`;
    const r = await request(s.setup, {
      method: "POST",
      path: "/orders",
      json: { item: 2 },
      idempotency_key: key,
    });
    if (r.kind !== "ok") return callFault("request", r, s.setup);
    const sent = s.setup.scenario.requests()[0]?.headers["idempotency-key"];
    if (sent !== key) {
      return verdict.fail(
        `a caller-given Idempotency-Key must be sent verbatim; sent ${
          sent === undefined ? "none" : `"${sent.slice(0, 60)}"`
        }`,
        gather(s.setup),
      );
    }
    return verdict.pass(gather(s.setup, { notes: ["caller key sent verbatim"] }));
  },
});

/** The `sdk.idem.*` checks, in file order. */
export const checks: readonly Check<SdkContext>[] = [keyAttached, keyUnique, keyStable, callerKey];
