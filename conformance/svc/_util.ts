/**
 * Helpers shared by the svc checks: the baseline request, Problem recognition, leak scans that
 * ignore the kit's own payloads echoed back, and the words for a probe that got no answer.
 *
 * @module
 */
import { z } from "zod";
import { type Verdict, verdict } from "../../src/engine/types.ts";
import type { Exchange, ProbeRequest, ProbeResponse, SvcContext } from "./_context.ts";
import type { RouteSpec } from "./target.ts";
import { DATA_LEAK_PATTERNS, LEAK_PATTERNS, type LeakHit, scanLeaks } from "./leaks.ts";
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
  if (res.status === 0) {
    return verdict.error(
      `cannot judge: no answer to the baseline ${r.method} ${r.path} with the kit's valid token: ${
        noAnswer(res)
      }`,
      ctx.probe.evidence(),
    );
  }
  return verdict.error(
    `baseline failed: ${r.method} ${r.path} with the kit's valid token answered ${res.status}, ` +
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

/** The injection fixture group (`fixtures/injection/payloads.json`). */
export const InjectionFixtureSchema = z.object({
  description: z.string(),
  cases: z.array(
    z.object({
      name: z.string().min(1),
      kind: z.enum(["sql", "nosql", "path", "template"]),
      payload: z.string().min(1),
      expect: z.array(z.enum(["4xx", "clean-2xx"])).min(1),
    }).strict(),
  ).min(1),
}).strict();
/** One injection case. */
export type InjectionCase = z.infer<typeof InjectionFixtureSchema>["cases"][number];

/** Strings the kit sends (its payloads, generated strings that carry a leak signature): never a leak. */
const kitSent = new Set<string>();
const MAX_REMEMBERED = 256;
let injectionCases: Promise<InjectionCase[]> | undefined;

/**
 * Load the injection payloads (validated, once per process) and remember each of them as the kit's
 * own, so that every leak scan strips them wherever they come back (stored by an earlier probe, by
 * another check, or by an earlier run).
 *
 * @returns the cases
 */
export function loadInjectionCases(): Promise<InjectionCase[]> {
  injectionCases ??= (async () => {
    const url = new URL("../../fixtures/injection/payloads.json", import.meta.url);
    const cases = InjectionFixtureSchema.parse(JSON.parse(await Deno.readTextFile(url))).cases;
    for (const c of cases) kitSent.add(c.payload);
    return cases;
  })();
  injectionCases.catch(() => {
    injectionCases = undefined;
  });
  return injectionCases;
}

/**
 * Remember every string in a value the kit is about to send that would itself match a leak pattern
 * (a generated body can contain one by chance): its echo, in any later response, is not a leak.
 *
 * @param value a request body (any JSON value) or text
 */
export function rememberSent(value: unknown): void {
  const walk = (v: unknown, depth: number): void => {
    if (kitSent.size >= MAX_REMEMBERED || depth > 8) return;
    if (typeof v === "string") {
      if (v.length >= 3 && scanLeaks(v).length > 0) kitSent.add(v);
    } else if (Array.isArray(v)) {
      for (const x of v) walk(x, depth + 1);
    } else if (v !== null && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        walk(k, depth + 1);
        walk(x, depth + 1);
      }
    }
  };
  walk(value, 0);
}

/** The forms a sent string may come back in: raw, JSON-escaped (once or twice), URL-encoded. */
function echoForms(e: string): string[] {
  const json = JSON.stringify(e).slice(1, -1);
  const uri = encodeURIComponent(e);
  const forms = new Set([
    e,
    json,
    JSON.stringify(json).slice(1, -1),
    uri,
    uri.replaceAll("%20", "+"),
    encodeURI(e),
  ]);
  return [...forms].sort((a, b) => b.length - a.length);
}

/**
 * Leaks in the response to one probe, with every string the kit sent removed first (this probe's
 * `echoes`, the injection payloads, remembered generated strings): a payload stored and listed back
 * is data, not a leak. An error body (4xx/5xx) is scanned with every pattern; a 2xx/3xx body (data)
 * only with the signatures of errors and file content (`DATA_LEAK_PATTERNS`).
 *
 * @param res the response
 * @param echoes the strings this probe sent
 * @returns the leak hits
 */
export function leaksIn(res: ProbeResponse, echoes: readonly string[] = []): LeakHit[] {
  let text = res.text;
  for (const e of new Set([...echoes, ...kitSent])) {
    if (e.length < 3) continue;
    for (const f of echoForms(e)) if (text.includes(f)) text = text.split(f).join(" ");
  }
  return scanLeaks(text, res.status >= 400 ? LEAK_PATTERNS : DATA_LEAK_PATTERNS);
}

function silenceKind(error: string): string {
  if (/refused/i.test(error)) return "connection refused";
  if (/time limit|timed out|deadline/i.test(error)) return "timed out";
  if (/not an HTTP response|invalid HTTP|parse|too large|header/i.test(error)) {
    return "not a valid HTTP response";
  }
  if (/reset|broken pipe|closed|eof|incomplete|canceled|interrupted/i.test(error)) {
    return "connection closed or reset";
  }
  return "no answer";
}

/**
 * What happened to a probe that got no HTTP answer (status 0): refused, timed out, closed or reset,
 * or not HTTP, with the error's own message.
 *
 * @param r the response or exchange
 * @returns e.g. `connection refused (fetch failed (cause: … Connection refused (os error 111)))`
 */
export function noAnswer(r: { error?: string | undefined }): string {
  const e = r.error ?? "no HTTP response";
  return `${silenceKind(e)} (${e})`;
}

/**
 * The verdict for probes that got no HTTP answer: the check saw nothing to judge, so it is an
 * `error` ("cannot judge: …"), never a pass.
 *
 * @param ctx the check's context
 * @param silent the exchanges that got no answer (status 0)
 * @param total how many probes were sent
 * @param notes evidence notes
 * @returns the `error` verdict
 */
export function cannotJudge(
  ctx: SvcContext,
  silent: readonly Exchange[],
  total: number,
  notes: string[] = [],
): Verdict {
  const kinds = new Map<string, number>();
  for (const e of silent) {
    const k = silenceKind(e.error ?? "");
    kinds.set(k, (kinds.get(k) ?? 0) + 1);
  }
  const first = silent[0];
  const what = first === undefined
    ? ""
    : `; first: ${first.method} ${first.path.slice(0, 80)}${first.label ? ` (${first.label})` : ""}: ${
      noAnswer(first)
    }`;
  return verdict.error(
    `cannot judge: ${silent.length} of ${total} probes got no answer (${
      [...kinds].map(([k, n]) => `${k} ×${n}`).join(", ")
    })${what}`,
    ctx.probe.evidence(notes, silent),
  );
}

/** A short random tag for probe paths. */
export function tag(): string {
  return crypto.randomUUID().slice(0, 8);
}
