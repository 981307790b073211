/**
 * The oversized-token probe (svc.jwt.oversized): one request whose bearer token is 256 KiB (from
 * `fixtures/jwt/forgeries.json`); the server must answer it with a 4xx within
 * {@linkcode OVERSIZED_BOUND_MS}. RFC 9110 §5.4: a server that receives header fields larger than
 * it wishes to process MUST respond with a 4xx (RFC 6585 §5: 431 is the precise one), so a
 * connection closed or reset without an answer fails too, once a small request on a fresh connection
 * shows the server is still up. The token never reaches the evidence: the request shows it as its
 * length, and any run of it a response echoes is masked.
 *
 * @module
 */
import { type Evidence, type Verdict, verdict } from "../../src/engine/types.ts";
import { type Exchange, last, type SvcContext } from "./_context.ts";
import { baseline, firstProtected, noAnswer, routeRequest } from "./_util.ts";
import { forgeriesFor } from "./_jwt_kit.ts";

/** How fast the 4xx must come, from the request's start to the whole answer. */
export const OVERSIZED_BOUND_MS = 2_000;
/** How long the probe waits for any answer (so a late 4xx is seen and reported as late). */
export const OVERSIZED_WAIT_MS = 3 * OVERSIZED_BOUND_MS;

/**
 * Mask every run of the token (24 or more of its characters) in a text.
 *
 * @param text a response excerpt or any evidence text
 * @param token the token
 * @returns the text, each run replaced by `<N chars of the token>`
 * @example
 * ```ts
 * import { maskTokenRuns } from "./_jwt_oversized.ts";
 * const token = "eyJhbGciOiJSUzI1NiJ9." + "A".repeat(100);
 * const out = maskTokenRuns(`bad token ${token.slice(0, 60)}…`, token);
 * if (out.includes("eyJhbGci") || !out.includes("<60 chars of the token>")) throw new Error(out);
 * ```
 */
export function maskTokenRuns(text: string, token: string): string {
  return text.replace(/[A-Za-z0-9_.-]{24,}/g, (run) => {
    const hit = token.includes(run) || token.includes(run.slice(0, 24)) || token.includes(run.slice(-24));
    return hit ? `<${run.length} chars of the token>` : run;
  });
}

function masked(ev: Evidence, token: string): Evidence {
  return JSON.parse(maskTokenRuns(JSON.stringify(ev), token)) as Evidence;
}

/**
 * Send the oversized token once and judge the answer.
 *
 * @param ctx the check's context
 * @param rule the rule for failure messages
 * @returns the verdict
 */
export async function probeOversized(ctx: SvcContext, rule: string): Promise<Verdict> {
  const [c] = await forgeriesFor("svc.jwt.oversized");
  if (c === undefined) {
    return verdict.error("the kit has no svc.jwt.oversized case in fixtures/jwt/forgeries.json");
  }
  const f = await ctx.jwt.forge(c.recipe);
  if (!f.ok) return verdict.notApplicable(`cannot build the token for this target (${f.reason})`);
  const token = f.token;
  const b = await baseline(ctx);
  if (b) return b;
  const r = firstProtected(ctx);
  const label = `${c.name} (${token.length} chars)`;
  const res = await ctx.probe.send(routeRequest(r, { bearer: token, label, timeoutMs: OVERSIZED_WAIT_MS }));
  const big = last(ctx.probe);
  const ms = Math.round(res.ms);
  const notes = [`bearer token: ${token.length} characters`, `bound: ${OVERSIZED_BOUND_MS} ms`];
  const ev = (focus: Exchange[], more: string[] = []) =>
    masked(ctx.probe.evidence([...notes, ...more], focus), token);
  if (res.status >= 400 && res.status < 500) {
    if (ms > OVERSIZED_BOUND_MS) {
      return verdict.fail(
        `${rule}; it answered ${res.status} after ${ms} ms, over the ${OVERSIZED_BOUND_MS} ms bound`,
        ev([big]),
      );
    }
    if (res.status !== 431) ctx.note(`answered ${res.status}; 431 (RFC 6585 §5) names the cause exactly`);
    return verdict.pass(ev([big], [`answered ${res.status} in ${ms} ms`]));
  }
  if (res.status !== 0) {
    const what = res.status < 400 ? "accepted it" : "failed on it";
    return verdict.fail(`${rule}; the server ${what}: ${res.status} in ${ms} ms`, ev([big]));
  }
  const error = res.error ?? "";
  if (/check time limit/.test(error)) {
    return verdict.error(`cannot judge: the check's time ran out during the oversized request`, ev([big]));
  }
  if (/probe time limit/.test(error)) {
    return verdict.fail(`${rule}; no answer within ${OVERSIZED_WAIT_MS} ms`, ev([big]));
  }
  if (/refused/i.test(error)) {
    return verdict.error(`cannot judge: the oversized request found no server: ${noAnswer(res)}`, ev([big]));
  }
  // closed or reset without an answer: the server's doing only if it still answers a small request
  const after = await ctx.probe.send(
    routeRequest(r, { bearer: await ctx.jwt.valid(), label: "afterwards: valid token" }),
  );
  if (after.status === 0) {
    return verdict.error(
      `cannot judge: no answer to the oversized request (${noAnswer(res)}), nor to a small one after it ` +
        `(${noAnswer(after)})`,
      ev([big, last(ctx.probe)]),
    );
  }
  return verdict.fail(
    `${rule}; the server gave no answer, the connection ended (${noAnswer(res)}), while a small request ` +
      `after it got ${after.status} (RFC 9110 §5.4: a server MUST answer header fields too large for it ` +
      "with a 4xx)",
    ev([big, last(ctx.probe)]),
  );
}
