/**
 * The server-certification profile: every `svc.*` check, in one list. A check's id names its
 * file: `svc.<area>.<name>` is defined in `conformance/svc/<area>.ts`, whose last statement is
 * that area's `checks` list.
 *
 * @module
 */
import type { Check } from "../../src/engine/types.ts";
import type { SvcContext } from "./_context.ts";
import { checks as auth } from "./auth.ts";
import { checks as chaos } from "./chaos.ts";
import { checks as cors } from "./cors.ts";
import { checks as errors } from "./errors.ts";
import { checks as headers } from "./headers.ts";
import { checks as input } from "./input.ts";
import { checks as iso } from "./iso.ts";
import { checks as jwt } from "./jwt.ts";
import { checks as limits } from "./limits.ts";
import { checks as methods } from "./methods.ts";
import { checks as prop } from "./prop.ts";
import { checks as ratelimit } from "./ratelimit.ts";
import { checks as sse } from "./sse.ts";
import { checks as tls } from "./tls.ts";

export type { SvcContext } from "./_context.ts";

/**
 * Each area file's checks, by the file's base name (`auth` → `conformance/svc/auth.ts`).
 *
 * @example
 * ```ts
 * import { svcAreas } from "./mod.ts";
 * for (const [area, checks] of Object.entries(svcAreas)) {
 *   for (const c of checks) if (c.id.split(".")[1] !== area) throw new Error(`${c.id} is not in ${area}.ts`);
 * }
 * ```
 */
export const svcAreas: Readonly<Record<string, readonly Check<SvcContext>[]>> = Object.freeze({
  auth,
  chaos,
  cors,
  errors,
  headers,
  input,
  iso,
  jwt,
  limits,
  methods,
  prop,
  ratelimit,
  sse,
  tls,
});

/**
 * Every svc check, sorted by id.
 *
 * @example
 * ```ts
 * import { svcChecks } from "./mod.ts";
 * const sorted = svcChecks.every((c, i) => i === 0 || svcChecks[i - 1]!.id.localeCompare(c.id) < 0);
 * if (!sorted || svcChecks.length !== Object.values(svcAreas).flat().length) throw new Error("not every svc check, sorted");
 * ```
 */
export const svcChecks: Check<SvcContext>[] = Object.values(svcAreas)
  .flat()
  .sort((a, b) => a.id.localeCompare(b.id));
