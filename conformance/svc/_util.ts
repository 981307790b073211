/**
 * Helpers shared by the svc checks: the baseline request, Problem recognition, leak scans that
 * ignore the probe's own payload echoed back.
 *
 * @module
 */
import { type Verdict, verdict } from "../../src/engine/types.ts";
import type { ProbeRequest, ProbeResponse, SvcContext } from "./_context.ts";
import type { RouteSpec } from "./target.ts";
import { type LeakHit, scanLeaks } from "./leaks.ts";
import { errorMessage } from "../../src/util/error_message.ts";

/** The first protected route (the one auth probes use). */
export function firstProtected(ctx: SvcContext): RouteSpec {
  const r = ctx.target.protected[0];
  if (r === undefined) throw new Error("target has no protected route");
  return r;
}

/** The request a route's example describes, with extra fields. */
export function routeRequest(r: RouteSpec, extra: Partial<ProbeRequest> = {}): ProbeRequest {
  const req: ProbeRequest = { method: r.method, path: r.path, ...extra };
  if (r.body !== undefined && req.json === undefined && req.text === undefined && req.stream === undefined) {
    req.json = r.body;
  }
  return req;
}

/**
 * Prove the kit's valid token works on the first protected route (else every rejection would be
 * meaningless): `undefined` when it does, an `error` verdict when it does not.
 */
export async function baseline(ctx: SvcContext): Promise<Verdict | undefined> {
  const r = firstProtected(ctx);
  let token: string;
  try {
    token = await ctx.jwt.valid();
  } catch (e) {
    return verdict.error(`the kit could not build a valid token: ${errorMessage(e)}`);
  }
  const res = await ctx.probe.send(routeRequest(r, { bearer: token, label: "baseline: valid token" }));
  if (res.status >= 200 && res.status < 300) return undefined;
  return verdict.error(
    `baseline failed: ${r.method} ${r.path} with the kit's valid token answered ${
      res.status || res.error
    }, ` +
      "so rejections prove nothing (check the target's credentials)",
    ctx.probe.evidence(),
  );
}

/** Whether a response is a Problem envelope, and why not. */
export function problemShape(
  res: ProbeResponse,
): { ok: true; form: "canonical" | "rfc9457" } | { ok: false; why: string } {
  const ct = res.headers["content-type"] ?? "";
  if (!/^application\/(?:problem\+)?json\b/i.test(ct)) return { ok: false, why: `Content-Type is "${ct}"` };
  let body: unknown;
  try {
    body = JSON.parse(res.text);
  } catch {
    return { ok: false, why: "the body is not JSON" };
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    return { ok: false, why: "the body is not an object" };
  }
  const o = body as Record<string, unknown>;
  const str = (k: string) => typeof o[k] === "string";
  if (str("code") && str("message")) {
    const missing = ["kind", "correlation_id"].filter((k) => !str(k));
    if (o["details"] !== undefined && (typeof o["details"] !== "object" || o["details"] === null)) {
      return { ok: false, why: "details is not an object" };
    }
    if (missing.length > 0) return { ok: false, why: `missing ${missing.join(", ")}` };
    return { ok: true, form: "canonical" };
  }
  if (str("title") && typeof o["status"] === "number") return { ok: true, form: "rfc9457" };
  return { ok: false, why: "no code/message (nor RFC 9457 title/status)" };
}

/** The `correlation_id` of a JSON Problem body, if any. */
export function correlationId(res: ProbeResponse): string | undefined {
  try {
    const b: unknown = JSON.parse(res.text);
    if (
      b !== null && typeof b === "object" && "correlation_id" in b && typeof b.correlation_id === "string"
    ) {
      return b.correlation_id;
    }
  } catch { /* not JSON */ }
  return undefined;
}

/**
 * Leaks in a response body, ignoring the probe's own payloads echoed back (raw or JSON-escaped).
 *
 * @param res the response
 * @param echoes the strings the probe sent
 * @returns the leak hits
 */
export function leaksIn(res: ProbeResponse, echoes: readonly string[] = []): LeakHit[] {
  let text = res.text;
  for (const e of echoes) {
    if (e.length < 3) continue;
    const forms = [e, JSON.stringify(e).slice(1, -1), encodeURIComponent(e)];
    for (const f of forms) text = text.split(f).join(" ");
  }
  return scanLeaks(text);
}

/** A short random tag for probe paths. */
export function tag(): string {
  return crypto.randomUUID().slice(0, 8);
}
