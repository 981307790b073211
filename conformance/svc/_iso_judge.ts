/**
 * The judge of `svc.iso.concurrent`: run 8 identities at once in restricted workers
 * (`_iso_concurrent.ts`) and fail on any response to one identity that carried another's marker.
 *
 * @module
 */
import { type Verdict, verdict } from "../../src/engine/types.ts";
import type { SvcContext } from "./_context.ts";
import { isoIdentities } from "./_iso_identities.ts";
import { MAX_ROUNDS, RUN_MS, runConcurrent, WORKERS } from "./_iso_concurrent.ts";
import type { Crossing } from "./_iso_worker.ts";

/**
 * Judge `svc.iso.concurrent` against the context's target.
 *
 * @param ctx the check's context
 * @returns the verdict
 */
export async function judgeConcurrent(ctx: SvcContext): Promise<Verdict> {
  const iso = ctx.target.iso;
  if (iso === undefined) {
    return verdict.notApplicable("the target has no [iso] table (resource route, identities)");
  }
  const ids = await isoIdentities(
    ctx.target.credentials,
    iso,
    Array.from({ length: WORKERS }, (_, i) => `W${i}`),
  );
  if (!ids.ok) return verdict.notApplicable(ids.reason);
  const distinct = new Set(ids.ids.map((i) => i.token)).size;
  const outcomes = await runConcurrent(ctx.target, iso, ids.ids);
  const notes = [
    `${WORKERS} workers (net=${ctx.target.baseUrl.host} only), ${distinct} identities` +
    `${ids.minted ? " minted with distinct sub claims" : " from [iso] token_envs"}; each ≤ ${RUN_MS} ms, ` +
    `≤ ${MAX_ROUNDS} rounds of create, read${iso.list === undefined ? "" : ", list"}`,
  ];
  const failed = outcomes.find((o) => !o.ok);
  if (failed !== undefined && !failed.ok) {
    return verdict.error(
      `cannot judge: worker ${failed.worker} gave no report: ${failed.error.name}: ${failed.error.message}`,
      { notes },
    );
  }
  const reports = outcomes.flatMap((o) => o.ok ? [o.report] : []);
  const statuses: Record<string, number> = {};
  let requests = 0, noAnswer = 0, ownMissing = 0, rounds = 0, crossed = 0;
  const crossings: (Crossing & { worker: number; identity: number })[] = [];
  for (const r of reports) {
    requests += r.requests;
    noAnswer += r.noAnswer;
    ownMissing += r.ownMissing;
    rounds += r.rounds;
    crossed += r.crossed;
    for (const [k, n] of Object.entries(r.statuses)) statuses[k] = (statuses[k] ?? 0) + n;
    for (const c of r.crossings) crossings.push({ ...c, worker: r.worker, identity: r.identity });
  }
  notes.push(
    `${rounds} rounds, ${requests} requests; answers: ${
      Object.entries(statuses).sort().map(([k, n]) => `${k} ×${n}`).join(", ") || "none"
    }; no answer: ${noAnswer}`,
  );
  if (ownMissing > 0) notes.push(`${ownMissing} reads of an identity's own new resource lacked its marker`);
  const firstError = reports.find((r) => r.firstError !== undefined)?.firstError;
  if (firstError !== undefined) notes.push(`first request error: ${firstError}`);
  const evidence = { notes, timings: { probe_requests: requests } };
  if (crossings.length > 0) {
    const shown = crossings.slice(0, 5).map((c) =>
      `identity ${c.identity} (worker ${c.worker}) ${c.op} → ${c.status} carried identity ${c.foreign}'s marker ${c.marker}`
    );
    for (const c of crossings.slice(0, 3)) notes.push(`excerpt (${c.op}): ${JSON.stringify(c.excerpt)}`);
    return verdict.fail(
      `no response to one identity may carry another identity's data; ${crossed} of ${requests} did: ${
        shown.join("; ")
      }`,
      evidence,
    );
  }
  const created = Object.entries(statuses).filter(([k]) => /^create 2\d\d$/.test(k)).reduce(
    (a, [, n]) => a + n,
    0,
  );
  if (created === 0) {
    return verdict.error(
      "cannot judge: no worker could create a resource (see the answers), so no marker could cross",
      evidence,
    );
  }
  return verdict.pass(evidence);
}
