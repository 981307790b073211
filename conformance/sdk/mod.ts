/**
 * Every `sdk.*` check, in one list. One file per area, each ending with its `checks` list, so a
 * reader finds a check from its id in one hop: `sdk.retry.bounded` lives in `retry.ts` (a kebab-case
 * area maps to a snake_case file).
 *
 * @module
 */
import type { Check } from "../../src/engine/types.ts";
import type { SdkContext } from "../../src/engine/sdk_context.ts";
import { checks as audit } from "./audit.ts";
import { checks as caps } from "./caps.ts";
import { checks as concurrency } from "./concurrency.ts";
import { checks as correlation } from "./correlation.ts";
import { checks as dos } from "./dos.ts";
import { checks as dto } from "./dto.ts";
import { checks as errors } from "./errors.ts";
import { checks as idem } from "./idem.ts";
import { checks as iso } from "./iso.ts";
import { checks as manifest } from "./manifest.ts";
import { checks as prop } from "./prop.ts";
import { checks as redirect } from "./redirect.ts";
import { checks as retry } from "./retry.ts";
import { checks as sse } from "./sse.ts";
import { checks as timeouts } from "./timeouts.ts";
import { checks as tls } from "./tls.ts";

/**
 * Each area file's base name (`"retry"` for `retry.ts`) with that file's checks, in file order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sdkAreas } from "./mod.ts";
 * for (const [file, checks] of Object.entries(sdkAreas)) {
 *   const area = file.replaceAll("_", "-");
 *   assert.ok(checks.every((c) => c.id.startsWith(`sdk.${area}.`)), file);
 * }
 * ```
 */
export const sdkAreas: Readonly<Record<string, readonly Check<SdkContext>[]>> = {
  audit,
  caps,
  concurrency,
  correlation,
  dos,
  dto,
  errors,
  idem,
  iso,
  manifest,
  prop,
  redirect,
  retry,
  sse,
  timeouts,
  tls,
};

/**
 * Every sdk check, sorted by id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sdkChecks } from "./mod.ts";
 * assert.ok(sdkChecks.some((c) => c.id === "sdk.retry.bounded"));
 * const ids = sdkChecks.map((c) => c.id);
 * assert.deepEqual(ids, [...ids].sort((a, b) => a.localeCompare(b)));
 * ```
 */
export const sdkChecks: Check<SdkContext>[] = Object.values(sdkAreas)
  .flat()
  .sort((a, b) => a.id.localeCompare(b.id));
