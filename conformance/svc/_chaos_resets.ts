/**
 * The run of `svc.chaos.resets`: 20 writes, each cut at a seeded byte of the request (head or body):
 * the even ones through their own fresh proxy whose `limit_data` toxic closes the connection there
 * (a FIN), the odd ones, on a plain HTTP target, sent straight to it and reset by the kit (a TCP RST,
 * `_chaos_rst.ts`); then the health route,
 * and (when the target names a list route) every write's resource once with what was sent, or not
 * at all.
 *
 * @module
 */
import { type Verdict, verdict } from "../../src/engine/types.ts";
import type { SvcContext } from "./_context.ts";
import { closeQuietly, dial, readResponse, requestHead, type SvcChaos, writeAll } from "./_chaos_net.ts";
import { errorMessage } from "../../src/util/error_message.ts";
import { resetAfter } from "./_chaos_rst.ts";

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** How many writes are cut. */
export const RESET_WRITES = 20;

/**
 * A small seeded generator (mulberry32): the same seed cuts the same bytes.
 *
 * @param seed the run's seed
 * @returns numbers in [0, 1)
 * @example
 * ```ts
 * import { seeded } from "./_chaos_resets.ts";
 * const a = seeded(1), b = seeded(1);
 * if (a() !== b()) throw new Error();
 * ```
 */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The body of write `i`: the write route's example with its first string field set to `marker`,
 * that field first, then JSON whitespace (so most cut points fall inside the body), then the rest.
 *
 * @param example the target's write body
 * @param marker the unique value
 * @param pad spaces between the marker and the rest
 * @returns the key that carries the marker, the object sent, and its text
 * @example
 * ```ts
 * import { markedBody } from "./_chaos_resets.ts";
 * const b = markedBody({ name: "w", quantity: 1 }, "m-1", 3);
 * if (b?.text !== '{"name":"m-1",   "quantity":1}' || b.key !== "name") throw new Error(b?.text);
 * ```
 */
export function markedBody(
  example: Record<string, unknown>,
  marker: string,
  pad: number,
): { key: string; sent: Record<string, unknown>; text: string } | undefined {
  const key = Object.keys(example).find((k) => typeof example[k] === "string");
  if (key === undefined) return undefined;
  const rest: Record<string, unknown> = { ...example };
  delete rest[key];
  const restText = JSON.stringify(rest).slice(1, -1);
  const text = `{${JSON.stringify(key)}:${JSON.stringify(marker)}${restText === "" ? "" : ","}${
    " ".repeat(pad)
  }${restText}}`;
  return { key, sent: { ...example, [key]: marker }, text };
}

function* objects(v: unknown): Generator<Record<string, unknown>> {
  if (Array.isArray(v)) { for (const x of v) yield* objects(x); }
  else if (v !== null && typeof v === "object") {
    yield v as Record<string, unknown>;
    for (const x of Object.values(v)) yield* objects(x);
  }
}

async function getList(ctx: SvcContext, path: string, token: string): Promise<unknown> {
  const client = ctx.target.caCertPem === undefined
    ? undefined
    : Deno.createHttpClient({ caCerts: [ctx.target.caCertPem] });
  try {
    const init: RequestInit & { client?: Deno.HttpClient } = {
      signal: AbortSignal.timeout(10_000),
      headers: { authorization: `Bearer ${token}`, accept: "application/json" },
      redirect: "manual",
    };
    if (client) init.client = client;
    const res = await fetch(new URL(path, ctx.target.baseUrl), init);
    const text = await res.text();
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
    if (text.length > 16 * 1024 * 1024) throw new Error(`GET ${path}: more than 16 MiB`);
    return JSON.parse(text);
  } finally {
    client?.close();
  }
}

/**
 * Cut 20 writes at seeded points, then judge health and (with a list route) atomicity.
 *
 * @param ctx the check's context
 * @param chaos its chaos environment
 * @returns the verdict
 */
export async function resetWrites(ctx: SvcContext, chaos: SvcChaos): Promise<Verdict> {
  const rng = seeded(ctx.seed);
  const run = Math.floor(rng() * 0xffffff).toString(16).padStart(6, "0");
  const token = await ctx.jwt.valid();
  const w = ctx.target.write;
  const pad = Math.max(0, Math.min(4096, Math.floor(ctx.target.bodyLimit / 4) - 200));
  const sent: {
    marker: string;
    key: string;
    sent: Record<string, unknown>;
    cut: number;
    of: number;
    status: number;
    rst?: boolean;
  }[] = [];
  const notes: string[] = [];
  for (let i = 0; i < RESET_WRITES && !ctx.signal.aborted; i++) {
    const marker = `chaos-${ctx.seed}-${run}-${i}`;
    const body = markedBody(w.body, marker, pad);
    if (body === undefined) {
      return verdict.error(
        "cannot judge: the write route's example body has no string field to mark each write",
      );
    }
    const bodyBytes = new TextEncoder().encode(body.text);
    const head = requestHead(ctx.target, w.method, w.path, [
      "Content-Type: application/json",
      `Content-Length: ${bodyBytes.length}`,
    ], token) + "\r\n";
    const total = new TextEncoder().encode(head).length + bodyBytes.length;
    const cut = 1 + Math.floor(rng() * (total - 1));
    if (i % 2 === 1 && ctx.target.baseUrl.protocol === "http:") {
      const why = await resetAfter(ctx.target, concat(new TextEncoder().encode(head), bodyBytes), cut);
      if (why !== undefined) return verdict.error(`cannot judge: write ${i} could not be reset: ${why}`);
      sent.push({ marker, key: body.key, sent: body.sent, cut, of: total, status: 0, rst: true });
      continue;
    }
    const proxy = await chaos.proxy();
    await proxy.addToxic({ type: "limit_data", stream: "upstream", attributes: { bytes: cut } });
    if (i === 0) notes.push(proxy.describe());
    let status = 0;
    let conn: Deno.Conn | undefined;
    try {
      conn = await dial(ctx.target, proxy.listenPort);
      await writeAll(conn, head).catch(() => {});
      await writeAll(conn, bodyBytes).catch(() => {});
      status = (await readResponse(conn, 2000))?.status ?? 0;
    } catch (e) {
      notes.push(`write ${i}: ${errorMessage(e)}`);
    } finally {
      closeQuietly(conn);
    }
    sent.push({ marker, key: body.key, sent: body.sent, cut, of: total, status });
  }
  await new Promise((r) => setTimeout(r, 500)); // let handlers of cut requests finish
  const health = await ctx.probe.send({
    method: "GET",
    path: ctx.target.health,
    label: "health after the resets",
  });
  const ev = (): { timings: Record<string, number>; notes: string[] } => ({
    timings: {
      writes: sent.length,
      answered: sent.filter((s) => s.status !== 0).length,
      health_status: health.status,
    },
    notes: [
      ...notes,
      `cut points (byte/of): ${
        sent.map((s) => `${s.cut}/${s.of}${s.rst ? " RST" : ""}${s.status ? `→${s.status}` : ""}`).join(" ")
      }`,
      ...(ctx.target.chaos?.list === undefined
        ? ["no [chaos] list route: whether a cut write was half-applied is not judged"]
        : []),
    ],
  });
  if (health.status < 200 || health.status >= 300) {
    return verdict.fail(
      `after ${sent.length} writes cut mid-request the health route answered ${
        health.status === 0 ? `nothing (${health.error ?? ""})` : health.status
      }`,
      ev(),
    );
  }
  const listPath = ctx.target.chaos?.list;
  if (listPath === undefined) return verdict.pass(ev());
  let list: unknown;
  try {
    list = await getList(ctx, listPath, token);
  } catch (e) {
    return verdict.error(`cannot judge: the list route: ${errorMessage(e)}`, ev());
  }
  const bad: string[] = [];
  let present = 0;
  const all = [...objects(list)];
  for (const s of sent) {
    const found = all.filter((o) => o[s.key] === s.marker);
    if (found.length > 0) present++;
    if (found.length > 1) bad.push(`${s.marker} listed ${found.length} times`);
    for (const o of found.slice(0, 1)) {
      const differs = Object.keys(s.sent).filter((k) =>
        k in o && JSON.stringify(o[k]) !== JSON.stringify(s.sent[k])
      );
      if (differs.length > 0) {
        bad.push(
          `${s.marker} (cut at byte ${s.cut} of ${s.of}) listed with ${
            differs.map((k) => `${k}=${JSON.stringify(o[k])}, sent ${JSON.stringify(s.sent[k])}`).join(", ")
          }`,
        );
      }
    }
  }
  const e = ev();
  e.timings = { ...e.timings, listed: present };
  if (bad.length > 0) {
    return verdict.fail(
      `${bad.length} of ${sent.length} writes cut mid-request were half-applied or repeated: ${
        bad.slice(0, 4).join("; ")
      }`,
      e,
    );
  }
  return verdict.pass(e);
}
