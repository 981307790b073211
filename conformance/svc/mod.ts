/**
 * The server-certification profile: every `svc.*` check, in one list.
 *
 * @module
 */
import type { Check } from "../../src/engine/types.ts";
import type { SvcContext } from "./_context.ts";
import { authChecks } from "./auth.ts";
import { jwtChecks } from "./jwt.ts";
import { errorsChecks } from "./errors.ts";
import { headersChecks } from "./headers.ts";
import { corsChecks } from "./cors.ts";
import { limitsChecks } from "./limits.ts";
import { inputChecks } from "./input.ts";
import { propChecks } from "./prop.ts";
import { ratelimitChecks } from "./ratelimit.ts";
import { sseChecks } from "./sse.ts";
import { methodsChecks } from "./methods.ts";

export type { SvcContext } from "./_context.ts";

/** Every svc check, sorted by id. */
export const svcChecks: Check<SvcContext>[] = [
  ...authChecks,
  ...jwtChecks,
  ...errorsChecks,
  ...headersChecks,
  ...corsChecks,
  ...limitsChecks,
  ...inputChecks,
  ...propChecks,
  ...ratelimitChecks,
  ...sseChecks,
  ...methodsChecks,
].sort((a, b) => a.id.localeCompare(b.id));

/** TEMPORARY (replaced by the area lists): checks grouped by the area their id names. */
export const svcAreas: Readonly<Record<string, readonly Check<SvcContext>[]>> = Object.groupBy(
  svcChecks,
  (c) => (c.id.split(".")[1] ?? "").replaceAll("-", "_"),
) as Record<string, Check<SvcContext>[]>;
