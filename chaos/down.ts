/**
 * chaos.down: the proxy is disabled (connections refused), then the upstream refuses behind it.
 *
 * @module
 */
import type { SdkContext } from "../src/engine/sdk_context.ts";
import { defineCheck } from "../src/engine/registry.ts";
import type { Check } from "../src/engine/types.ts";
import {
  type AnyProxy,
  type ChaosRun,
  configureClient,
  mustFailWithin,
  OK_BODY,
  withChaos,
} from "./_helpers.ts";
import { pickFreePort } from "./toxiproxy.ts";

/** How long a fresh proxy must see no connection before the SDK is pointed at it. */
const QUIET_MS = 300;

/**
 * A proxy on a free port that no stray client is hitting: a port another process just released may
 * still receive a retrying client's connections (a retry-forever SDK of another run), which would be
 * counted as this SDK's attempts. A proxy that sees a connection before the SDK is pointed at it is
 * removed and another port is tried.
 */
async function quietProxy(create: (upstreamPort: number) => Promise<AnyProxy>): Promise<AnyProxy> {
  for (let tries = 1;; tries++) {
    const p = await create(pickFreePort());
    const before = p.connections?.() ?? 0;
    await new Promise((r) => setTimeout(r, QUIET_MS));
    if ((p.connections?.() ?? 0) === before || tries >= 5) return p;
    await p.remove?.().catch(() => {});
  }
}

const down = defineCheck<SdkContext>({
  id: "chaos.down",
  title: "Give up on a refused upstream within bounded attempts and time",
  level: "MUST",
  source: "000 §4.4 Backoff on Error (stop retrying after the configured max), §7.3",
  rationale: "When the service is down, an SDK that keeps retrying holds up its caller and adds load to a " +
    "service trying to recover; seed 000 §4.4 has it stop after the configured maximum and report the " +
    "failure.",
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
      const dead: AnyProxy = await quietProxy((port) => chaos.createProxy(port));
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

/** This file's check (chaos.down). */
export const checks: readonly Check<SdkContext>[] = [down];
