/**
 * What the `svc.iso.*` checks do as one identity, through the check's bounded probe: create a
 * resource carrying a unique marker, read, update, list and delete it; and the set-up they share
 * (the `[iso]` table, identities, A's resource proven readable by A).
 *
 * @module
 */
import { type Verdict, verdict } from "../../src/engine/types.ts";
import { last, type ProbeResponse, type SvcContext } from "./_context.ts";
import { cannotJudge, firstProtected, routeRequest } from "./_util.ts";
import type { IsoTarget } from "./_iso_target.ts";
import { type Identity, isoIdentities } from "./_iso_identities.ts";

/**
 * The value at a JSON pointer (RFC 6901), or undefined.
 *
 * @param doc the parsed JSON
 * @param pointer e.g. "/id" or "/data/id"
 * @returns the value there
 * @example
 * ```ts
 * import { atPointer } from "./_iso_ops.ts";
 * if (atPointer({ data: { "a/b": 7 } }, "/data/a~1b") !== 7) throw new Error();
 * ```
 */
export function atPointer(doc: unknown, pointer: string): unknown {
  if (pointer === "") return doc;
  let at: unknown = doc;
  for (const raw of pointer.slice(1).split("/")) {
    const k = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(at) && /^\d+$/.test(k)) at = at[Number(k)];
    else if (at !== null && typeof at === "object") at = (at as Record<string, unknown>)[k];
    else return undefined;
  }
  return at;
}

/**
 * A unique marker for one resource: letters and digits only (fits most name schemas).
 *
 * @param tag a suffix naming the identity ("a", "b")
 * @returns e.g. "isokit0f3a9c1b2d4ea"
 * @example
 * ```ts
 * import { newMarker } from "./_iso_ops.ts";
 * const m = newMarker("a");
 * if (!/^isokit[0-9a-f]{12}a$/.test(m) || m === newMarker("a")) throw new Error(m);
 * ```
 */
export function newMarker(tag: string): string {
  return `isokit${crypto.randomUUID().replace(/-/g, "").slice(0, 12)}${tag}`;
}

/**
 * The create (or update) body with the marker in the target's marker field.
 *
 * @param iso the `[iso]` table (its marker field)
 * @param body the example body
 * @param marker the marker
 * @returns a copy of the body carrying the marker
 * @example
 * ```ts
 * import { markedBody } from "./_iso_ops.ts";
 * const b = markedBody({ markerField: "name" }, { name: "w", quantity: 1 }, "isokitX");
 * if (b["name"] !== "isokitX" || b["quantity"] !== 1) throw new Error();
 * ```
 */
export function markedBody(
  iso: Pick<IsoTarget, "markerField">,
  body: Record<string, unknown>,
  marker: string,
): Record<string, unknown> {
  return { ...body, [iso.markerField]: marker };
}

/**
 * The path of one resource.
 *
 * @param iso the `[iso]` table (its resource route)
 * @param id the resource's id (percent-encoded into the path)
 * @returns the path
 * @example
 * ```ts
 * import { resourcePath } from "./_iso_ops.ts";
 * if (resourcePath({ resource: "/items/{id}" }, "a/b") !== "/items/a%2Fb") throw new Error();
 * ```
 */
export function resourcePath(iso: Pick<IsoTarget, "resource">, id: string): string {
  return iso.resource.replace("{id}", encodeURIComponent(id));
}

/** A resource one identity created. */
export interface Created {
  who: Identity;
  id: string;
  path: string;
  marker: string;
}

/** Whether a response is 2xx. */
export const ok2xx = (r: ProbeResponse): boolean => r.status >= 200 && r.status < 300;

/**
 * Create a resource as `who`, carrying `marker`; its id read at the target's pointer.
 *
 * @returns the resource, or an error verdict (the kit cannot judge without it)
 */
export async function createAs(
  ctx: SvcContext,
  iso: IsoTarget,
  who: Identity,
  marker: string,
): Promise<{ ok: true; created: Created } | { ok: false; verdict: Verdict }> {
  const c = iso.create;
  const res = await ctx.probe.send({
    method: c.method,
    path: c.path,
    bearer: who.token,
    json: markedBody(iso, c.body, marker),
    label: `${who.label} creates`,
  });
  if (res.status === 0) return { ok: false, verdict: cannotJudge(ctx, [last(ctx.probe)], ctx.probe.count) };
  if (!ok2xx(res)) {
    return {
      ok: false,
      verdict: verdict.error(
        `cannot judge: identity ${who.label}'s ${c.method} ${c.path} answered ${res.status}, so there is no ` +
          "resource to protect (check [iso].create and the identities' tokens)",
        ctx.probe.evidence(),
      ),
    };
  }
  let id: unknown;
  try {
    id = atPointer(JSON.parse(res.text), iso.idPointer);
  } catch { /* not JSON */ }
  if (typeof id !== "string" && typeof id !== "number") {
    return {
      ok: false,
      verdict: verdict.error(
        `cannot judge: no id at JSON pointer ${JSON.stringify(iso.idPointer)} in the create response ` +
          "(check [iso].id_pointer)",
        ctx.probe.evidence(),
      ),
    };
  }
  const sid = String(id);
  return { ok: true, created: { who, id: sid, path: resourcePath(iso, sid), marker } };
}

/** GET a path as `who`. */
export function getAs(ctx: SvcContext, who: Identity, path: string, label: string): Promise<ProbeResponse> {
  return ctx.probe.send({ method: "GET", path, bearer: who.token, label });
}

/** Two proven identities and the `[iso]` table. */
export interface IsoPair {
  iso: IsoTarget;
  a: Identity;
  b: Identity;
}

/** What every object check starts from: A's resource, readable by A. */
export interface IsoStart extends IsoPair {
  created: Created;
}

type Step<T> = { ok: true; value: T } | { ok: false; verdict: Verdict };

/**
 * Set up two identities: the `[iso]` table and what else the check needs (else not applicable),
 * each identity's token proven on the first protected route (else the kit cannot judge).
 *
 * @param ctx the check's context
 * @param needs what else the check needs from `[iso]`, with the reason when absent
 * @returns the pair, or the verdict to return
 */
export async function isoPair(
  ctx: SvcContext,
  needs: (iso: IsoTarget) => string | undefined = () => undefined,
): Promise<Step<IsoPair>> {
  const iso = ctx.target.iso;
  if (iso === undefined) {
    return {
      ok: false,
      verdict: verdict.notApplicable("the target has no [iso] table (resource route, identities)"),
    };
  }
  const missing = needs(iso);
  if (missing !== undefined) return { ok: false, verdict: verdict.notApplicable(missing) };
  const ids = await isoIdentities(ctx.target.credentials, iso, ["A", "B"]);
  if (!ids.ok) return { ok: false, verdict: verdict.notApplicable(ids.reason) };
  const [a, b] = ids.ids;
  if (a === undefined || b === undefined) throw new Error("two identities expected");
  const r = firstProtected(ctx);
  for (const who of [a, b]) {
    const res = await ctx.probe.send(routeRequest(r, { bearer: who.token, label: `baseline: ${who.label}` }));
    if (res.status === 0) return { ok: false, verdict: cannotJudge(ctx, [last(ctx.probe)], ctx.probe.count) };
    if (!ok2xx(res)) {
      return {
        ok: false,
        verdict: verdict.error(
          `baseline failed: ${r.method} ${r.path} as identity ${who.label} answered ${res.status}, so a ` +
            "refusal would prove nothing (check the identities' tokens)",
          ctx.probe.evidence(),
        ),
      };
    }
  }
  return { ok: true, value: { iso, a, b } };
}

/**
 * Set up as {@linkcode isoPair}, then A creates a marked resource and reads it back (else the
 * kit cannot judge).
 *
 * @param ctx the check's context
 * @param needs what else the check needs from `[iso]`, with the reason when absent
 * @returns the start, or the verdict to return
 */
export async function isoStart(
  ctx: SvcContext,
  needs: (iso: IsoTarget) => string | undefined = () => undefined,
): Promise<Step<IsoStart>> {
  const p = await isoPair(ctx, needs);
  if (!p.ok) return p;
  const { iso, a } = p.value;
  const c = await createAs(ctx, iso, a, newMarker("a"));
  if (!c.ok) return c;
  const own = await getAs(ctx, a, c.created.path, "A reads its own");
  if (own.status === 0) return { ok: false, verdict: cannotJudge(ctx, [last(ctx.probe)], ctx.probe.count) };
  if (!ok2xx(own) || !own.text.includes(c.created.marker)) {
    await cleanUp(ctx, iso, [c.created]);
    return {
      ok: false,
      verdict: verdict.error(
        `cannot judge: identity A's GET ${c.created.path} of its own new resource answered ${own.status}` +
          `${ok2xx(own) ? " without its marker" : ""} (check [iso].resource and id_pointer)`,
        ctx.probe.evidence(),
      ),
    };
  }
  return { ok: true, value: { ...p.value, created: c.created } };
}

/** Delete what the check created, as its owner, where the target has a delete route. */
export async function cleanUp(ctx: SvcContext, iso: IsoTarget, created: readonly Created[]): Promise<void> {
  if (!iso.delete || ctx.signal.aborted) return;
  for (const c of created) {
    await ctx.probe.send({
      method: "DELETE",
      path: c.path,
      bearer: c.who.token,
      label: `${c.who.label} cleans up`,
    });
  }
}
