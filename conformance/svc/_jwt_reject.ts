/**
 * How the forged-token checks of svc.jwt.* judge: every forgery of the check's fixture cases must be
 * refused after a valid token is accepted (the baseline); the jku/x5u probe also watches the kit's key
 * listener, which must never be contacted.
 *
 * @module
 */
import { type Evidence, type Verdict, verdict } from "../../src/engine/types.ts";
import { type Exchange, last, type SvcContext } from "./_context.ts";
import { baseline, cannotJudge, firstProtected, routeRequest } from "./_util.ts";
import { type ForgeOptions, forgeriesFor } from "./_jwt_kit.ts";
import { startKeyListener } from "./_jwt_listener.ts";
import { acceptedAlgorithms } from "./_jwt_algs.ts";

/**
 * Send every forged token of a check's fixture cases (a `null_signature` case once per algorithm the
 * server accepts) after the baseline; each must get a 4xx (401 expected), none a 2xx/3xx or 5xx.
 *
 * @param ctx the check's context
 * @param id the check id (its fixture cases)
 * @param rule the rule for failure messages
 * @param opts where remote-key headers point
 * @returns the verdict
 */
export async function rejectsAll(
  ctx: SvcContext,
  id: string,
  rule: string,
  opts: ForgeOptions = {},
): Promise<Verdict> {
  const r = firstProtected(ctx);
  const cases = await forgeriesFor(id);
  const built: { name: string; token: string }[] = [];
  const skipped: string[] = [];
  const accepted = acceptedAlgorithms(ctx.target.credentials);
  for (const c of cases) {
    // a null signature is tried under every algorithm the server accepts
    const algs = c.recipe.kind === "null_signature" ? accepted : [undefined];
    for (const alg of algs) {
      const name = alg === undefined ? c.name : `${c.name}, ${alg}`;
      const f = await ctx.jwt.forge(c.recipe, alg === undefined ? opts : { ...opts, alg });
      if (f.ok) built.push({ name, token: f.token });
      else skipped.push(`${name}: ${f.reason}`);
    }
  }
  if (built.length === 0) {
    return verdict.notApplicable(`cannot build these tokens for this target (${skipped.join("; ")})`);
  }
  const b = await baseline(ctx);
  if (b) return b;
  const bad: Exchange[] = [];
  const silent: Exchange[] = [];
  for (const t of built) {
    const res = await ctx.probe.send(routeRequest(r, { bearer: t.token, label: t.name }));
    if (res.status === 0) silent.push(last(ctx.probe));
    else if (res.status < 400 || res.status >= 500) bad.push(last(ctx.probe));
    else if (res.status !== 401) ctx.note(`"${t.name}" was rejected with ${res.status} (401 expected)`);
  }
  const notes = [`forged tokens sent: ${built.length}`, ...skipped.map((s) => `skipped ${s}`)];
  const ev = ctx.probe.evidence(notes, bad);
  if (bad.length > 0) {
    return verdict.fail(
      `${rule}; ${bad.length} of ${built.length} forged tokens were not rejected: ` +
        bad.map((e) => `${e.label} → ${e.status}`).join(", "),
      ev,
    );
  }
  if (silent.length > 0) return cannotJudge(ctx, silent, built.length, notes);
  return verdict.pass(ev);
}

function withNote(ev: Evidence, note: string): Evidence {
  return { ...ev, notes: [...(ev.notes ?? []), note] };
}

/**
 * The jku/x5u probe: the forgeries point at the kit's key listener on 127.0.0.2; the tokens must
 * be refused and the listener never contacted (a contact fails even when the token was refused).
 *
 * @param ctx the check's context
 * @param id the check id
 * @param rule the rule for failure messages
 * @returns the verdict
 */
export async function refusesRemoteKeys(ctx: SvcContext, id: string, rule: string): Promise<Verdict> {
  const listener = await startKeyListener();
  let v: Verdict;
  try {
    v = await rejectsAll(ctx, id, rule, { remoteKeyBase: listener.base });
    // a server may fetch the key after answering: give it a moment before the listener closes
    await new Promise((res) => setTimeout(res, 300));
  } finally {
    await listener.close();
  }
  const seen = `kit key listener ${listener.base}: ${
    listener.hits.length === 0
      ? "never contacted"
      : `contacted ${listener.hits.length}× (${listener.hits.join(", ")})`
  }`;
  if (v.outcome === "pass") {
    if (listener.hits.length === 0) return verdict.pass(withNote(v.evidence, seen));
    return verdict.fail(
      `${rule}; the tokens were refused, but the server fetched the key URL from the token (${seen})`,
      withNote(v.evidence, seen),
    );
  }
  if (v.outcome === "fail") return verdict.fail(`${v.reason}; ${seen}`, withNote(v.evidence, seen));
  if (listener.hits.length > 0 && v.outcome === "error") {
    return verdict.fail(
      `${rule}; the server fetched the key URL from the token (${seen})`,
      ctx.probe.evidence([seen]),
    );
  }
  return v;
}
