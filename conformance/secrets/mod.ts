/**
 * Every `secrets.*` check, by area file. One file per area, each ending with its `checks` list, so a
 * reader finds a check from its id in one hop: `secrets.pep.jti-replay` lives in `pep.ts`.
 *
 * @module
 */
import type { Check } from "../../src/engine/types.ts";
import type { SecretsCheckContext } from "./_context.ts";
import { checks as audit } from "./audit.ts";
import { checks as kv } from "./kv.ts";
import { checks as pep } from "./pep.ts";
import { checks as token } from "./token.ts";
import { checks as uri } from "./uri.ts";
import { checks as wrap } from "./wrap.ts";

/**
 * Each area file's base name with that file's checks.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { secretsAreas } from "./mod.ts";
 * for (const [file, checks] of Object.entries(secretsAreas)) {
 *   assert.ok(checks.every((c) => c.id.startsWith(`secrets.${file}.`)), file);
 * }
 * ```
 */
export const secretsAreas: Readonly<Record<string, readonly Check<SecretsCheckContext>[]>> = {
  audit,
  kv,
  pep,
  token,
  uri,
  wrap,
};

/** Every secrets check, sorted by id. */
export const secretsChecks: Check<SecretsCheckContext>[] = Object.values(secretsAreas)
  .flat()
  .sort((a, b) => a.id.localeCompare(b.id));
