/**
 * The chaos checks (`chaos.*`): Toxiproxy between the SDK and the mock server injects latency,
 * a half-open connection, resets, an outage, slicing, truncation, a throttled body and a seeded
 * fraction of resets. Seed 000 §7.3 (and §2.2, §4.4). Toxiproxy cannot delay a TCP connect (the
 * kernel accepts), so no check here claims to test a connect timeout.
 *
 * Every verdict's evidence names the toxics and their attributes, the configured timeouts and
 * retries, the connection attempts the proxy saw, the requests the mock server saw, and the time.
 *
 * @module
 */
import { isDeepStrictEqual } from "node:util";
import type { SdkContext } from "../src/engine/sdk_context.ts";
import { defineCheck } from "../src/engine/registry.ts";
import { type Check, type Verdict, verdict } from "../src/engine/types.ts";
import {
  type AnyProxy,
  attempts,
  type ChaosRun,
  configureClient,
  describeError,
  evidence,
  get,
  noAnswer,
  SETUP_CALL_MS,
  timedGet,
  unconnected,
  withChaos,
} from "./_helpers.ts";
import { describeToxic, pickFreePort } from "./toxiproxy.ts";

const OK_BODY = { kind: "json", value: { ok: true } } as const;

/**
 * Judge a request that must end in a typed error of `want` within `boundMs`.
 *
 * @param run the chaos run
 * @param boundMs the bound (configured value plus margin)
 * @param want the SdkError type the rule asks for
 * @param rule the rule, for failure messages
 * @param maxAttempts attempts allowed (1 + max_retries), when the check bounds them
 * @returns the verdict
 */
async function mustFailWithin(
  run: ChaosRun,
  boundMs: number,
  want: "timeout" | "network",
  rule: string,
  maxAttempts?: number,
  observable = true,
): Promise<Verdict> {
  const { r, ms, att, ev } = await timedGet(run, boundMs + 2000, [
    `bound: a ${want} error within ${boundMs} ms` +
    (maxAttempts === undefined ? "" : `, at most ${maxAttempts} attempts`),
  ]);
  if (observable && (r.kind === "ok" || r.kind === "sdk_error")) {
    const u = unconnected(run, att, ev);
    if (u) return u;
  }
  if (maxAttempts !== undefined && att !== undefined && att > maxAttempts) {
    return verdict.fail(
      `${rule}: ${att} connection attempts, at most ${maxAttempts} allowed (1 + max_retries)`,
      ev,
    );
  }
  switch (r.kind) {
    case "ok":
      return verdict.fail(
        `${rule}: the request succeeded (status ${r.result.status}) after ${Math.round(ms)} ms`,
        ev,
      );
    case "sdk_error":
      if (r.error.type !== want) {
        return verdict.fail(`${rule}: expected a ${want} error, got ${describeError(r.error)}`, ev);
      }
      if (ms > boundMs) {
        return verdict.fail(
          `${rule}: the ${want} error came after ${Math.round(ms)} ms, bound ${boundMs} ms`,
          ev,
        );
      }
      return verdict.pass(ev);
    case "no_reply":
    case "driver_fault":
      return noAnswer(run, r, ms, att, true, rule);
    default: {
      const never: never = r;
      return verdict.error(`unknown call result ${String(never)}`, ev);
    }
  }
}

/** chaos.latency: 5 s of latency on every response byte; the total timeout (2 s) must fire. */
export const latency: Check<SdkContext> = defineCheck<SdkContext>({
  id: "chaos.latency",
  title: "Time out within bounds under 5 s of injected latency",
  level: "MUST",
  source: "000 §7.3 Chaos / Network Tests (latency injection), §2.2 Timeouts",
  requires: ["http", "toxiproxy"],
  mutants: ["no-timeout"],
  timeLimitMs: 25_000,
  run: (ctx) =>
    withChaos(ctx, {
      script: { name: "chaos.latency", responses: [{ status: 200, body: OK_BODY }] },
      toxics: [{ type: "latency", stream: "downstream", attributes: { latency: 5000, jitter: 0 } }],
      timeouts: { connect_ms: 1000, read_ms: 1000, total_ms: 2000 },
      max_retries: 0,
    }, (run) =>
      mustFailWithin(
        run,
        6000,
        "timeout",
        "with read_ms=1000 and total_ms=2000 under 5000 ms latency the SDK must time out within 6000 ms",
      )),
});

/** chaos.half-open: the connection accepts and then goes silent (timeout toxic, no close). */
export const halfOpen: Check<SdkContext> = defineCheck<SdkContext>({
  id: "chaos.half-open",
  title: "Time out on a connection that accepts and then goes silent",
  level: "MUST",
  source: "000 §7.3 Chaos / Network Tests (half-open connections), §2.2 Timeouts",
  requires: ["http", "toxiproxy"],
  mutants: ["no-timeout"],
  timeLimitMs: 20_000,
  run: (ctx) =>
    withChaos(ctx, {
      script: { name: "chaos.half-open", responses: [{ status: 200, body: OK_BODY }] },
      toxics: [{ type: "timeout", stream: "downstream", attributes: { timeout: 0 } }],
      timeouts: { connect_ms: 1000, read_ms: 500, total_ms: 3000 },
      max_retries: 0,
    }, (run) =>
      mustFailWithin(
        run,
        5000,
        "timeout",
        "with read_ms=500 on a silent connection the SDK must time out within 5000 ms",
      )),
});

/** chaos.reset: every connection is reset on its first byte; a typed network error, bounded attempts. */
export const reset: Check<SdkContext> = defineCheck<SdkContext>({
  id: "chaos.reset",
  title: "Turn a peer reset into a typed network error, with bounded attempts",
  level: "MUST",
  source: "000 §7.3 Chaos / Network Tests (intermittent drops: no infinite loops), §2.3 Bounded retries",
  requires: ["http", "toxiproxy"],
  mutants: ["retry-forever"],
  timeLimitMs: 25_000,
  run: (ctx) =>
    withChaos(ctx, {
      script: { name: "chaos.reset", responses: [{ status: 200, body: OK_BODY }] },
      toxics: [{ type: "reset_peer", stream: "upstream", attributes: { timeout: 0 } }],
      // total_ms is long on purpose: the retry bound, not the total budget, must end the request.
      timeouts: { connect_ms: 1000, read_ms: 2000, total_ms: 30_000 },
      max_retries: 2,
    }, (run) =>
      mustFailWithin(
        run,
        10_000,
        "network",
        "with max_retries=2 every connection reset must end in a network error",
        3,
      )),
});

/** chaos.down: the proxy is disabled (connections refused), then the upstream refuses behind it. */
export const down: Check<SdkContext> = defineCheck<SdkContext>({
  id: "chaos.down",
  title: "Give up on a refused upstream within bounded attempts and time",
  level: "MUST",
  source: "000 §4.4 Backoff on Error (stop retrying after the configured max), §7.3",
  requires: ["http", "toxiproxy"],
  mutants: ["retry-forever"],
  timeLimitMs: 40_000,
  run: (ctx) =>
    withChaos(ctx, {
      script: { name: "chaos.down", responses: [{ status: 200, body: OK_BODY }] },
      toxics: [],
      timeouts: { connect_ms: 1000, read_ms: 2000, total_ms: 30_000 },
      max_retries: 2,
    }, async (run) => {
      // Phase 1: the proxy is disabled, its port refuses connections (attempts are not observable).
      await run.proxy.setEnabled(false);
      const refused = await mustFailWithin(
        run,
        10_000,
        "network",
        "proxy disabled (connection refused), max_retries=2: the SDK must give up with a network error",
        undefined,
        false, // refused connections never reach the proxy's log; phase 2 observes the attempts
      );
      if (refused.outcome !== "pass") return refused;
      // Phase 2: the proxy accepts but its upstream refuses (a port nobody listens on): each attempt
      // is accepted and closed, so the proxy counts them.
      const chaos = run.ctx.chaos;
      if (!chaos) return refused;
      const dead: AnyProxy = await chaos.createProxy(pickFreePort());
      try {
        const url = new URL(run.base);
        url.port = String(dead.listenPort);
        const base = url.toString().replace(/\/$/, "");
        const c = await configureClient({ ...run, base, configured: { ...run.configured, base_url: base } });
        if (!c.ok) return c.verdict;
        const phase2: ChaosRun = {
          ...run,
          base,
          proxy: dead,
          client: c.client,
          connectionsAtStart: dead.connections?.(),
        };
        const v = await mustFailWithin(
          phase2,
          10_000,
          "network",
          "upstream refused behind the proxy, max_retries=2: the SDK must give up with a network error",
          3,
        );
        if (v.outcome === "pass") {
          v.evidence.notes = [
            "phase 1 (proxy disabled, connections refused) passed: " +
            (refused.evidence.notes ?? []).join(" | "),
            ...(v.evidence.notes ?? []),
          ];
        }
        return v;
      } finally {
        await dead.remove?.().catch(() => {});
      }
    }),
});

/**
 * The known ~23 KB JSON document `chaos.slicer` serves: multi-byte UTF-8, so slices split characters.
 *
 * @returns a fresh copy of the document
 */
export function slicerDocument(): { items: { i: number; name: string; v: number; ok: boolean }[] } {
  const items = [];
  for (let i = 0; i < 300; i++) {
    items.push({ i, name: `item-${i}-ünïcødé-✓-日本-${"x".repeat(i % 17)}`, v: i * 1.5, ok: i % 3 === 0 });
  }
  return { items };
}

/** chaos.slicer: the response arrives in 1–8 byte TCP slices and must round-trip exactly. */
export const slicer: Check<SdkContext> = defineCheck<SdkContext>({
  id: "chaos.slicer",
  title: "Parse a response delivered in 1–8 byte slices exactly",
  level: "MUST",
  source: "000 §7.3 Chaos / Network Tests",
  requires: ["http", "toxiproxy"],
  mutants: ["first-chunk-only"],
  timeLimitMs: 40_000,
  run: (ctx) => {
    const doc = slicerDocument();
    return withChaos(ctx, {
      script: { name: "chaos.slicer", responses: [{ status: 200, body: { kind: "json", value: doc } }] },
      toxics: [{
        type: "slicer",
        stream: "downstream",
        attributes: { average_size: 4, size_variation: 4, delay: 0 },
      }],
      timeouts: { connect_ms: 2000, read_ms: 5000, total_ms: 20_000 },
      max_retries: 0,
    }, async (run) => {
      const size = new TextEncoder().encode(JSON.stringify(doc)).byteLength;
      const { r, ms, att, ev } = await timedGet(run, 25_000, [`expected body: ${size} bytes of JSON`]);
      switch (r.kind) {
        case "ok":
          if (r.result.status !== 200) return verdict.fail(`expected status 200, got ${r.result.status}`, ev);
          return isDeepStrictEqual(r.result.json, doc) ? verdict.pass(ev) : verdict.fail(
            `the ${size}-byte JSON body delivered in 1–8 byte slices did not round-trip exactly ` +
              `(got ${JSON.stringify(r.result.json ?? null).length} characters)`,
            ev,
          );
        case "sdk_error":
          return verdict.fail(
            `the ${size}-byte JSON body delivered in 1–8 byte slices must parse, got ${
              describeError(r.error)
            }`,
            ev,
          );
        case "no_reply":
        case "driver_fault":
          return noAnswer(run, r, ms, att, false, "");
        default: {
          const never: never = r;
          return verdict.error(`unknown call result ${String(never)}`, ev);
        }
      }
    });
  },
});

/** chaos.truncated: the connection closes after 32 KiB of a 64 KiB body with a correct Content-Length. */
export const truncated: Check<SdkContext> = defineCheck<SdkContext>({
  id: "chaos.truncated",
  title: "Never return success for a body cut short (limit_data)",
  level: "MUST",
  source: "000 §7.3 Chaos / Network Tests",
  requires: ["http", "toxiproxy"],
  mutants: ["accept-truncated"],
  timeLimitMs: 25_000,
  run: (ctx) => {
    const value = { data: "t".repeat(64 * 1024) };
    const limit = 32 * 1024;
    return withChaos(ctx, {
      script: { name: "chaos.truncated", responses: [{ status: 200, body: { kind: "json", value } }] },
      toxics: [{ type: "limit_data", stream: "downstream", attributes: { bytes: limit } }],
      timeouts: { connect_ms: 2000, read_ms: 3000, total_ms: 10_000 },
      max_retries: 1,
    }, async (run) => {
      const { r, ms, att, ev } = await timedGet(run, 15_000, [
        `body: ${JSON.stringify(value).length} bytes of JSON with Content-Length; the proxy closes every ` +
        `connection after ${limit} bytes (TLS included)`,
      ]);
      const u = r.kind === "sdk_error" ? unconnected(run, att, ev) : undefined;
      if (u) return u;
      switch (r.kind) {
        case "ok":
          return verdict.fail(
            `a body cut short after ${limit} bytes was reported as success (status ${r.result.status})`,
            ev,
          );
        case "sdk_error":
          return verdict.pass(ev);
        case "no_reply":
        case "driver_fault":
          return noAnswer(run, r, ms, att, false, "");
        default: {
          const never: never = r;
          return verdict.error(`unknown call result ${String(never)}`, ev);
        }
      }
    });
  },
});

/**
 * chaos.bandwidth: a 2 MiB body at 64 KB/s (~32 s) must hit the 2 s total timeout. At that rate a
 * 16 KiB TLS record arrives every ~0.25 s, so the 3 s read (idle) timeout never fires: only the
 * total timeout can end the request.
 */
export const bandwidth: Check<SdkContext> = defineCheck<SdkContext>({
  id: "chaos.bandwidth",
  title: "Respect the total timeout on a throttled large body",
  level: "MUST",
  source: "000 §2.2 Timeouts (overall request timeout), §7.3",
  requires: ["http", "toxiproxy"],
  mutants: ["idle-timeout-only"],
  timeLimitMs: 25_000,
  run: (ctx) =>
    withChaos(ctx, {
      script: {
        name: "chaos.bandwidth",
        responses: [{ status: 200, body: { kind: "json", value: { data: "b".repeat(2 * 1024 * 1024) } } }],
      },
      toxics: [{ type: "bandwidth", stream: "downstream", attributes: { rate: 64 } }],
      timeouts: { connect_ms: 2000, read_ms: 3000, total_ms: 2000 },
      max_retries: 0,
      max_response_bytes: 8 * 1024 * 1024,
    }, (run) =>
      mustFailWithin(
        run,
        6000,
        "timeout",
        "a 2 MiB body at 64 KB/s takes ~32 s: with total_ms=2000 the SDK must time out within 6000 ms " +
          "(data keeps flowing, so read_ms=3000 never fires)",
      )),
});

/** Requests chaos.flaky makes at most, and the resets it wants to have seen before it stops. */
const FLAKY = { maxRequests: 40, minRequests: 8, wantResets: 3, maxRetries: 4, toxicity: 0.3 } as const;

/**
 * chaos.flaky: a fraction (0.3) of connections is reset. Every GET (fresh SDK instance, so a fresh
 * connection) must succeed, retrying as needed. The reset decision is Toxiproxy's random draw (its
 * `-seed` flag is not applied by v2.12.0), so the check judges what happened: a request that failed
 * before using `1 + max_retries` attempts fails the check; a request whose every attempt was reset
 * is bad luck, not a fault, and is only noted. It runs until it has seen enough resets.
 */
export const flaky: Check<SdkContext> = defineCheck<SdkContext>({
  id: "chaos.flaky",
  title: "Succeed on GET when a seeded fraction of connections reset",
  level: "SHOULD",
  source: "000 §7.3 Chaos / Network Tests (intermittent packet drops: verify retry policy)",
  requires: ["http", "toxiproxy", "retry"],
  mutants: ["never-retry"],
  timeLimitMs: 60_000,
  run: (ctx) =>
    withChaos(ctx, {
      script: { name: "chaos.flaky", responses: [{ status: 200, body: OK_BODY }] },
      toxics: [{
        type: "reset_peer",
        stream: "upstream",
        toxicity: FLAKY.toxicity,
        attributes: { timeout: 0 },
      }],
      timeouts: { connect_ms: 2000, read_ms: 3000, total_ms: 15_000 },
      max_retries: FLAKY.maxRetries,
    }, async (run) => {
      const allowed = 1 + FLAKY.maxRetries;
      const observable = run.proxy.connections?.() !== undefined;
      let resets = 0;
      let unlucky = 0;
      let succeeded = 0;
      const log: string[] = [];
      const t0 = performance.now();
      for (let i = 0; i < FLAKY.maxRequests; i++) {
        if (i >= FLAKY.minRequests && resets >= FLAKY.wantResets) break;
        if (run.ctx.signal.aborted) break;
        let client = run.client;
        if (i > 0) {
          const c = await configureClient(run);
          if (!c.ok) return c.verdict;
          client = c.client;
        }
        const before = run.proxy.connections?.();
        const s = performance.now();
        const r = await get(run, 20_000, client);
        const ms = performance.now() - s;
        const att = await attempts(run, before);
        log.push(
          `#${i + 1}: ${r.kind === "sdk_error" ? describeError(r.error) : r.kind}, attempts ${att ?? "?"}, ` +
            `${Math.round(ms)} ms`,
        );
        await run.session.call("close", { client }, SETUP_CALL_MS);
        const ev = () =>
          evidence(run, { result: r, ms, attempts: att }, [
            `request ${i + 1}: max_retries=${FLAKY.maxRetries} allows ${allowed} attempts`,
            ...log,
          ]);
        switch (r.kind) {
          case "ok":
            succeeded++;
            if (att !== undefined) resets += Math.max(0, att - 1);
            break;
          case "sdk_error":
            if (att === undefined) {
              return verdict.fail(`GET ${i + 1} failed under ${FLAKY.toxicity} reset toxicity`, ev());
            }
            if (att < allowed) {
              return verdict.fail(
                `GET ${i + 1} gave up after ${att} attempt(s) with ${describeError(r.error)}; ` +
                  `max_retries=${FLAKY.maxRetries} allows ${allowed} on a reset connection`,
                ev(),
              );
            }
            resets += att;
            unlucky++;
            break;
          case "no_reply":
          case "driver_fault":
            return noAnswer(run, r, ms, att, true, `GET ${i + 1} under reset toxicity must end`);
          default: {
            const never: never = r;
            return verdict.error(`unknown call result ${String(never)}`);
          }
        }
      }
      const total = performance.now() - t0;
      const ev = evidence(run, { ms: total }, [
        `requests: ${log.length}, succeeded: ${succeeded}, every attempt reset (bad luck, not counted): ${unlucky}`,
        observable ? `connections reset: ${resets}` : "resets not observable (external Toxiproxy)",
        `toxic: ${describeToxic(run.toxics[0]!)}`,
        ...log,
      ]);
      if (observable && resets === 0) {
        return verdict.error(`inconclusive: no connection was reset in ${log.length} requests`, ev);
      }
      if (succeeded === 0) return verdict.error("inconclusive: no request could succeed", ev);
      return verdict.pass(ev);
    }),
});

/** Every chaos check, in catalogue order. */
export const CHAOS_CHECKS: Check<SdkContext>[] = [
  latency,
  halfOpen,
  reset,
  down,
  slicer,
  truncated,
  bandwidth,
  flaky,
];
