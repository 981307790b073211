/**
 * The slow SSE reader of `svc.chaos.slow-reader`: two subscribers through one fresh proxy; one
 * stops reading at once (its socket, the proxy and the kernel buffer what the server writes, ~8 MiB
 * through Toxiproxy on loopback, measured), the other reads on. After the target's backpressure
 * timeout plus a grace for those buffers to fill, the stalled one is read again: a server that
 * dropped it gives what was buffered and then the end; one that did not goes on streaming.
 *
 * @module
 */
import { type Verdict, verdict } from "../../src/engine/types.ts";
import type { SvcContext } from "./_context.ts";
import { closeQuietly, dial, requestHead, type SvcChaos, writeAll } from "./_chaos_net.ts";

/** Seconds added to the backpressure timeout before judging: the buffers fill first. */
export const FILL_GRACE_S = 10;
/** A stream that sent less than this meanwhile may never have filled the buffers: no verdict. */
export const MIN_JUDGED_BYTES = 32 * 1024 * 1024;
/** How much longer the kit waits, past the grace, for a slow stream (or a loaded machine) to send that much. */
export const EXTRA_WAIT_S = 30;
/** How long the stalled subscriber is read at the end. */
const DRAIN_MS = 3000;

interface Reader {
  bytes: number;
  /** ms (from the start) of the last data, and of the end if it ended */
  lastDataMs: number;
  endedMs?: number;
  status?: number;
}

async function readOn(c: Deno.Conn, r: Reader, t0: number, untilMs: number, maxBytes: number): Promise<void> {
  const buf = new Uint8Array(64 * 1024);
  let head = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((res) =>
    timer = setTimeout(() => res("late"), untilMs - performance.now())
  );
  try {
    while (r.bytes < maxBytes) {
      const n = await Promise.race([c.read(buf).catch(() => null), late]);
      if (n === "late") return;
      if (n === null) {
        r.endedMs = performance.now() - t0;
        return;
      }
      if (r.status === undefined && head.length < 256) {
        head += new TextDecoder().decode(buf.subarray(0, Math.min(n, 256)));
        const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
        if (m) r.status = Number(m[1]);
      }
      r.bytes += n;
      r.lastDataMs = performance.now() - t0;
    }
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Stall one subscriber, keep another reading, and judge whether the stalled one was dropped.
 *
 * @param ctx the check's context
 * @param chaos its chaos environment
 * @param path the SSE route
 * @returns the verdict
 */
export async function slowReader(ctx: SvcContext, chaos: SvcChaos, path: string): Promise<Verdict> {
  const timeoutS = ctx.target.chaos?.sseBackpressureTimeoutS ?? 30;
  const token = await ctx.jwt.valid();
  const proxy = await chaos.proxy();
  const head = requestHead(ctx.target, "GET", path, ["Accept: text/event-stream"], token) + "\r\n";
  const stalled = await dial(ctx.target, proxy.listenPort);
  const healthy = await dial(ctx.target, proxy.listenPort);
  const t0 = performance.now();
  const judgeAt = t0 + (timeoutS + FILL_GRACE_S) * 1000;
  const h: Reader = { bytes: 0, lastDataMs: 0 };
  const s: Reader = { bytes: 0, lastDataMs: 0 };
  let judgedAt = judgeAt;
  try {
    await writeAll(stalled, head);
    await writeAll(healthy, head);
    await readOn(healthy, h, t0, judgeAt, Number.MAX_SAFE_INTEGER);
    if (performance.now() < judgeAt) {
      await new Promise((r) => setTimeout(r, Math.max(0, judgeAt - performance.now())));
    }
    // not enough sent yet to be sure the buffers filled: read on, up to EXTRA_WAIT_S more
    if (h.endedMs === undefined && h.bytes < MIN_JUDGED_BYTES) {
      await readOn(healthy, h, t0, judgeAt + EXTRA_WAIT_S * 1000, MIN_JUDGED_BYTES);
    }
    judgedAt = performance.now();
    await readOn(stalled, s, t0, judgedAt + DRAIN_MS, 512 * 1024 * 1024);
  } finally {
    closeQuietly(stalled);
    closeQuietly(healthy);
  }
  const windowMs = judgedAt - t0;
  const ev = {
    timings: {
      backpressure_timeout_ms: timeoutS * 1000,
      judged_at_ms: Math.round(windowMs),
      other_bytes: h.bytes,
      other_last_data_ms: Math.round(h.lastDataMs),
      other_ended_ms: h.endedMs === undefined ? -1 : Math.round(h.endedMs),
      stalled_buffered_bytes: s.bytes,
      stalled_ended: s.endedMs === undefined ? 0 : 1,
      stalled_status: s.status ?? 0,
    },
    notes: [
      proxy.describe(),
      `GET ${path} twice; one subscriber read nothing for ${
        Math.round(windowMs / 1000)
      } s (the backpressure ` +
      `timeout + ${FILL_GRACE_S} s for the socket and proxy buffers to fill, longer, up to ${EXTRA_WAIT_S} s, until the ` +
      `other had received ${MIN_JUDGED_BYTES / 1048576} MiB), then was read for ≤ ${DRAIN_MS} ms`,
    ],
  };
  if (h.status !== undefined && (h.status < 200 || h.status >= 300)) {
    return verdict.error(`cannot judge: the SSE route answered ${h.status} to the kit's valid token`, ev);
  }
  if (h.endedMs !== undefined) {
    return verdict.error(
      `cannot judge: the SSE stream ended by itself after ${h.bytes} bytes in ${
        Math.round(h.endedMs)
      } ms; the check needs a never-ending stream (name one in [chaos] sse_path)`,
      ev,
    );
  }
  const othersOk = h.lastDataMs >= windowMs / 2;
  const dropped = s.endedMs !== undefined;
  if (dropped && othersOk) return verdict.pass(ev);
  if (dropped) {
    return verdict.fail(
      `the stalled subscriber was dropped, but the other one received nothing after ${
        Math.round(h.lastDataMs)
      } ms of ${Math.round(windowMs)} ms: one slow reader stalled the stream for every subscriber`,
      ev,
    );
  }
  if (h.bytes < MIN_JUDGED_BYTES) {
    return verdict.error(
      `cannot judge: the stream sent the other subscriber only ${(h.bytes / 1048576).toFixed(1)} MiB in ${
        Math.round(windowMs / 1000)
      } s, less than the ${
        MIN_JUDGED_BYTES / 1048576
      } MiB the socket and proxy buffers may hold: the server may never have seen the subscriber stall ` +
        `(name a faster never-ending route in [chaos] sse_path)`,
      ev,
    );
  }
  return verdict.fail(
    `a subscriber that read nothing for ${
      Math.round(windowMs / 1000)
    } s was not dropped (sse_backpressure_timeout_s = ${timeoutS}, +${FILL_GRACE_S} s for the buffers): the stream went on for ${DRAIN_MS} ms when it was read again, while the ` +
      `other subscriber had received ${(h.bytes / 1048576).toFixed(1)} MiB`,
    ev,
  );
}
