/**
 * Every `sdk.*` check, in one list (one file per area; a reader finds a check from its
 * id: `sdk.retry.bounded` lives in `retry.ts`).
 *
 * @module
 */
import type { Check } from "../../src/engine/types.ts";
import type { SdkContext } from "../../src/engine/sdk_context.ts";
import * as caps from "./caps.ts";
import * as tls from "./tls.ts";
import * as timeouts from "./timeouts.ts";
import * as retry from "./retry.ts";
import * as idem from "./idem.ts";
import * as errors from "./errors.ts";
import * as prop from "./prop.ts";
import * as dos from "./dos.ts";
import * as sse from "./sse.ts";
import * as dto from "./dto.ts";
import * as correlation from "./correlation.ts";
import * as iso from "./iso.ts";
import * as concurrency from "./concurrency.ts";
import * as manifest from "./manifest.ts";
import * as redirect from "./redirect.ts";

function checksOf(mod: Record<string, unknown>): Check<SdkContext>[] {
  return Object.values(mod).filter((v): v is Check<SdkContext> =>
    typeof v === "object" && v !== null && "id" in v && "run" in v &&
    typeof (v as { run: unknown }).run === "function"
  );
}

/** Every sdk check, sorted by id. */
export const sdkChecks: Check<SdkContext>[] = [
  caps,
  tls,
  timeouts,
  retry,
  idem,
  errors,
  prop,
  dos,
  sse,
  dto,
  correlation,
  iso,
  concurrency,
  manifest,
  redirect,
]
  .flatMap(checksOf)
  .sort((a, b) => a.id.localeCompare(b.id));
