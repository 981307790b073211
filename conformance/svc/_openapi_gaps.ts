/**
 * What an OpenAPI-derived target lacks: for each element the document does not give (and no
 * target file supplies), the checks that cannot be judged without it are `not_applicable` with the
 * reason naming the missing spec element; the field itself throws when read, so a check this
 * table forgot ends in `error`, never in a `pass` on a made-up value. Used by `openapi.ts` and the
 * svc profile.
 *
 * @module
 */
import type { Target } from "./target.ts";

/** An element of a target an OpenAPI document may not give. */
export type GapElement = "protected" | "health" | "write" | "strict_write" | "rate_limit" | "iso";

/** The checks (ids or id prefixes) each element is needed by. */
export const GAP_CHECKS: Readonly<Record<GapElement, readonly string[]>> = {
  // no protected route: the target is refused (every check's baseline needs one), see openapi.ts
  protected: [],
  health: ["svc.auth.health-public", "svc.headers", "svc.methods.trace", "svc.chaos"],
  write: [
    "svc.auth.required",
    "svc.input",
    "svc.limits.body",
    "svc.prop.fuzz",
    "svc.errors",
    "svc.chaos.slow-body",
    "svc.chaos.resets",
  ],
  strict_write: ["svc.input.unknown-fields"],
  rate_limit: ["svc.ratelimit"],
  iso: ["svc.iso"],
};

/** The Target field that holds each element (absent: none to guard). */
const FIELD: Partial<Record<GapElement, "health" | "write" | "rateLimit">> = {
  health: "health",
  write: "write",
  rate_limit: "rateLimit",
};

/**
 * Mark a target's gaps: `target.inapplicable` gets the checks and reasons, and each missing field
 * becomes a getter that throws its reason.
 *
 * @param t the target (changed in place)
 * @param gaps the missing elements and why
 * @returns the same target
 * @example
 * ```ts
 * import { applyGaps } from "./_openapi_gaps.ts";
 * import type { Target } from "./target.ts";
 * const t = applyGaps({} as Target, { rate_limit: "no x-rate-limit" });
 * if (!t.inapplicable?.["svc.ratelimit"]?.includes("no x-rate-limit")) throw new Error();
 * let threw = false;
 * try { void t.rateLimit; } catch { threw = true; }
 * if (!threw) throw new Error("a missing field must throw");
 * ```
 */
export function applyGaps(t: Target, gaps: Partial<Record<GapElement, string>>): Target {
  const map: Record<string, string> = { ...t.inapplicable };
  for (const [el, why] of Object.entries(gaps) as [GapElement, string][]) {
    const reason = `the OpenAPI document does not give it: ${why}`;
    for (const id of GAP_CHECKS[el]) map[id] ??= reason;
    const f = FIELD[el];
    if (f !== undefined) {
      Object.defineProperty(t, f, {
        get: () => {
          throw new Error(`kit: the target has no ${f} (${why})`);
        },
        enumerable: false,
        configurable: true,
      });
    }
  }
  if (Object.keys(map).length > 0) t.inapplicable = map;
  return t;
}

/**
 * Why a target cannot be judged by a check: the reason of the most specific entry of
 * `target.inapplicable` that selects the id (exact id, or a prefix ending at a segment).
 *
 * @param t the target
 * @param id a check id
 * @returns the reason, or undefined
 * @example
 * ```ts
 * import { inapplicableWhy } from "./_openapi_gaps.ts";
 * const t = { inapplicable: { "svc.input": "no write" } };
 * if (inapplicableWhy(t, "svc.input.injection") !== "no write") throw new Error();
 * if (inapplicableWhy(t, "svc.inputs.x") !== undefined) throw new Error();
 * ```
 */
export function inapplicableWhy(t: Pick<Target, "inapplicable">, id: string): string | undefined {
  const m = t.inapplicable;
  if (m === undefined) return undefined;
  const keys = Object.keys(m).filter((k) => id === k || id.startsWith(`${k}.`)).sort((a, b) =>
    b.length - a.length
  );
  return keys[0] === undefined ? undefined : m[keys[0]];
}
