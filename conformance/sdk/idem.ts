/**
 * `sdk.idem.*` — idempotency keys (seed 000 §2.3, §7.2).
 *
 * @module
 */
import fc from "fast-check";
import { defineCheck } from "../../src/engine/registry.ts";
import type { SdkContext } from "../../src/engine/sdk_context.ts";
import { type Check, type Verdict, verdict } from "../../src/engine/types.ts";
import { callFault, gather, request, setup, unobserved } from "./_helpers.ts";
import { judged, type Seen } from "./_judge.ts";

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
  run: (ctx) =>
    judged(ctx, weakKey, async () => {
      const s = await setup(ctx, OK);
      if (!s.ok) return s.verdict;
      const r = await request(s.setup, {
        method: "POST",
        path: "/orders",
        json: { item: 1 },
        idempotent: true,
      });
      if (r.kind !== "ok") return callFault("request", r, s.setup);
      const u = unobserved(s.setup, 1, "the idempotent POST");
      if (u) return u;
      const key = s.setup.scenario.requests()[0]?.headers["idempotency-key"] ?? "";
      return weakKey([s.setup]) ?? verdict.pass(
        gather(s.setup, {
          notes: [`Idempotency-Key ${UUID_V4.test(key) ? "is a UUID v4" : "has >= 122 bits"}`],
        }),
      );
    }),
});

/** The judge of sdk.idem.key-attached: an idempotent POST seen without a strong key. */
function weakKey(seen: readonly Seen[]): Verdict | undefined {
  for (const s of seen) {
    for (const q of s.scenario.requests()) {
      const key = q.headers["idempotency-key"];
      if (key === undefined) {
        return verdict.fail(
          "an idempotent POST must carry an Idempotency-Key header; none was sent",
          gather(s),
        );
      }
      if (!strongKey(key)) {
        return verdict.fail(
          `the Idempotency-Key must be random with >= 122 bits (UUID v4 by default); got "${
            key.slice(0, 40)
          }"`,
          gather(s),
        );
      }
    }
  }
  return undefined;
}

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
  run: (ctx) => {
    let runs = 0;
    /** Two logical requests (two paths) that shared a key, or one without a key. */
    const judge = (seen: readonly Seen[]): Verdict | undefined => {
      const owner = new Map<string, string>();
      for (const s of seen) {
        for (const q of s.scenario.requests()) {
          const key = q.headers["idempotency-key"] ?? "";
          const other = owner.get(key);
          if (key === "" || (other !== undefined && other !== q.path)) {
            const what = key === "" ? `${q.path} carried no key` : `${other} and ${q.path} shared one key`;
            return verdict.fail(`each logical request must get a new Idempotency-Key; ${what}`, {
              ...gather(s),
              property: { seed: ctx.seed, runs },
            });
          }
          owner.set(key, q.path);
        }
      }
      return undefined;
    };
    return judged(ctx, judge, async () => {
      const s = await setup(ctx, OK);
      if (!s.ok) return s.verdict;
      const bodies = fc.sample(fc.record({ n: fc.integer(), name: fc.string({ maxLength: 20 }) }), {
        seed: ctx.seed,
        numRuns: 200,
      });
      runs = bodies.length;
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
      const u = unobserved(s.setup, bodies.length, `the ${bodies.length} idempotent POSTs`);
      if (u) return u;
      const keys = new Set(s.setup.scenario.requests().map((r) => r.headers["idempotency-key"] ?? ""));
      const notes = [`seed ${ctx.seed}: ${bodies.length} generated POST bodies, ${keys.size} distinct keys`];
      return judge([s.setup]) ?? verdict.pass({ notes, property: { seed: ctx.seed, runs: bodies.length } });
    });
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
  run: (ctx) =>
    judged(ctx, keyChanged, async () => {
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
      const u = unobserved(s.setup, 1, "the keyed POST");
      if (u) return u;
      const keys = s.setup.scenario.requests().map((q) => q.headers["idempotency-key"]);
      const changed = keyChanged([s.setup]);
      if (changed) return changed;
      if (keys.length < 2) {
        return verdict.error(
          `cannot judge: no retry observed (a keyed POST answered 503 made ${keys.length} attempt(s) with max_retries=3; retrying is judged by sdk.retry.*), so key stability across retries was not shown`,
          gather(s.setup, { reply: r.kind === "ok" ? r.result : r.error }),
        );
      }
      return verdict.pass(gather(s.setup, { notes: [`${keys.length} attempts, one key`] }));
    }),
});

/** The judge of sdk.idem.key-stable: attempts of the one request that carried different keys (or none). */
function keyChanged(seen: readonly Seen[]): Verdict | undefined {
  const s = seen[0];
  if (!s) return undefined;
  const keys = s.scenario.requests().map((q) => q.headers["idempotency-key"]);
  if (keys.length === 0) return undefined;
  const distinct = new Set(keys);
  if (distinct.size === 1 && keys[0] !== undefined) return undefined;
  return verdict.fail(
    `every retry must reuse the same Idempotency-Key; ${keys.length} attempt(s) carried ${
      keys[0] === undefined && distinct.size === 1 ? "no key" : `${distinct.size} different values`
    }`,
    gather(s),
  );
}

const callerKey = defineCheck<SdkContext>({
  id: "sdk.idem.caller-key",
  title: "A caller-given idempotency key is sent verbatim",
  level: "SHOULD",
  source: "000 §2.3 Option to provide custom idempotency key",
  rationale:
    "Callers that retry across restarts or processes supply their own key (from an order id, say) so the server can match the attempts. An SDK that replaces or alters that key defeats the deduplication.",
  requires: ["http", "idempotency"],
  mutants: ["replace-caller-key"],
  run: (ctx) => {
    const key = `caller-${crypto.randomUUID()}`;
    /** A request seen with anything but the caller's key. */
    const judge = (seen: readonly Seen[]): Verdict | undefined => {
      for (const s of seen) {
        for (const q of s.scenario.requests()) {
          const sent = q.headers["idempotency-key"];
          if (sent === key) continue;
          return verdict.fail(
            `a caller-given Idempotency-Key must be sent verbatim; sent ${
              sent === undefined ? "none" : `"${sent.slice(0, 60)}"`
            }`,
            gather(s),
          );
        }
      }
      return undefined;
    };
    return judged(ctx, judge, async () => {
      const s = await setup(ctx, OK);
      if (!s.ok) return s.verdict;
      const r = await request(s.setup, {
        method: "POST",
        path: "/orders",
        json: { item: 2 },
        idempotency_key: key,
      });
      if (r.kind !== "ok") return callFault("request", r, s.setup);
      const u = unobserved(s.setup, 1, "the POST with a caller key");
      if (u) return u;
      return judge([s.setup]) ?? verdict.pass(gather(s.setup, { notes: ["caller key sent verbatim"] }));
    });
  },
});

/** The `sdk.idem.*` checks, in file order. */
export const checks: readonly Check<SdkContext>[] = [keyAttached, keyUnique, keyStable, callerKey];
