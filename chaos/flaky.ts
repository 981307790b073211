/**
 * chaos.flaky: a fraction (0.3) of connections is reset. Every GET (fresh SDK instance, so a fresh
 * connection) must succeed, retrying as needed. The reset decision is Toxiproxy's random draw (its
 * `-seed` flag is not applied by v2.12.0), so the check judges what happened: a request that failed
 * before using `1 + max_retries` attempts fails the check; a request whose every attempt was reset
 * is bad luck, not a fault, and is only noted. It runs until it has seen enough resets.
 *
 * @module
 */
import type { SdkContext } from "../src/engine/sdk_context.ts";
import { defineCheck } from "../src/engine/registry.ts";
import { type Check, verdict } from "../src/engine/types.ts";
import { describeError } from "../src/driver/describe.ts";
import {
  attempts,
  configureClient,
  evidence,
  get,
  noAnswer,
  OK_BODY,
  SETUP_CALL_MS,
  withChaos,
} from "./_helpers.ts";
import { describeToxic } from "./toxiproxy.ts";

/** Requests chaos.flaky makes at most, and the resets it wants to have seen before it stops. */
const FLAKY = { maxRequests: 40, minRequests: 8, wantResets: 3, maxRetries: 4, toxicity: 0.3 } as const;

const flaky = defineCheck<SdkContext>({
  id: "chaos.flaky",
  title: "Succeed on GET when a seeded fraction of connections reset",
  level: "SHOULD",
  source: "000 §7.3 Chaos / Network Tests (intermittent packet drops: verify retry policy)",
  rationale: "On a network that drops some connections, an idempotent GET should get through by retrying " +
    "within its budget (seed 000 §2.3 allows retries on GET); an SDK that gives up early turns passing " +
    "network faults into failures its users see.",
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

/** This file's check (chaos.flaky). */
export const checks: readonly Check<SdkContext>[] = [flaky];
