/**
 * The run of `svc.chaos.idle-connections`: 200 keep-alive connections through one fresh proxy, each
 * sends one health request and then stays open doing nothing; meanwhile three new clients, one
 * after the other, must each be served within the target's `new_client_ms`.
 *
 * @module
 */
import { type Verdict, verdict } from "../../src/engine/types.ts";
import type { SvcContext } from "./_context.ts";
import { closeQuietly, dial, readResponse, requestHead, type SvcChaos, writeAll } from "./_chaos_net.ts";

/** How many idle connections the check holds open. */
export const IDLE_CONNECTIONS = 200;
const NEW_CLIENTS = 3;

/**
 * Hold 200 idle keep-alive connections and time three new clients.
 *
 * @param ctx the check's context
 * @param chaos its chaos environment
 * @returns the verdict
 */
export async function idleConnections(ctx: SvcContext, chaos: SvcChaos): Promise<Verdict> {
  const bound = ctx.target.chaos?.newClientMs ?? 2000;
  const proxy = await chaos.proxy();
  const head = requestHead(ctx.target, "GET", ctx.target.health, ["Connection: keep-alive"]) + "\r\n";
  const conns: Deno.Conn[] = [];
  let served = 0;
  let dialErrors = 0;
  const newMs: number[] = [];
  const newStatus: number[] = [];
  const t0 = performance.now();
  try {
    for (let batch = 0; batch < IDLE_CONNECTIONS / 20 && !ctx.signal.aborted; batch++) {
      await Promise.all(Array.from({ length: 20 }, async () => {
        try {
          const c = await dial(ctx.target, proxy.listenPort);
          conns.push(c);
          await writeAll(c, head);
          const r = await readResponse(c, 1500);
          if (r !== undefined && r.status >= 200 && r.status < 300) served++;
        } catch {
          dialErrors++;
        }
      }));
    }
    const setupMs = performance.now() - t0;
    for (let i = 0; i < NEW_CLIENTS && !ctx.signal.aborted; i++) {
      const t = performance.now();
      let c: Deno.Conn | undefined;
      try {
        c = await dial(ctx.target, proxy.listenPort);
        await writeAll(c, requestHead(ctx.target, "GET", ctx.target.health, ["Connection: close"]) + "\r\n");
        const r = await readResponse(c, bound + 3000);
        newStatus.push(r?.status ?? 0);
      } catch {
        newStatus.push(0);
      } finally {
        closeQuietly(c);
      }
      newMs.push(performance.now() - t);
    }
    const ev = {
      timings: {
        idle_connections: conns.length,
        idle_served_first: served,
        dial_errors: dialErrors,
        setup_ms: Math.round(setupMs),
        new_client_bound_ms: bound,
        new_client_max_ms: Math.round(Math.max(0, ...newMs)),
      },
      notes: [
        proxy.describe(),
        `new clients: ${
          newMs.map((m, i) => `${Math.round(m)} ms → ${newStatus[i] || "no answer"}`).join(", ")
        }`,
      ],
    };
    if (conns.length < IDLE_CONNECTIONS / 2) {
      return verdict.error(
        `cannot judge: only ${conns.length} of ${IDLE_CONNECTIONS} connections opened`,
        ev,
      );
    }
    const slow = newMs.filter((m, i) =>
      m > bound || !((newStatus[i] ?? 0) >= 200 && (newStatus[i] ?? 0) < 300)
    );
    if (slow.length > 0) {
      return verdict.fail(
        `with ${conns.length} idle keep-alive connections open (${served} of them served their first request), ${slow.length} of ${NEW_CLIENTS} new clients were not served within new_client_ms = ${bound} (${
          ev.notes[1]
        })`,
        ev,
      );
    }
    return verdict.pass(ev);
  } finally {
    for (const c of conns) closeQuietly(c);
  }
}
