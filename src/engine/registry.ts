/**
 * The check registry: every check is a value registered once, by id.
 * A second `defineCheck` with an id already registered throws (the load fails).
 *
 * @module
 */
import { z } from "zod";
import type { BaseContext, Check } from "./types.ts";

// profile.area.name or profile.name, kebab-case; each profile checks its own ids (defineProfile).
const ID = /^[a-z][a-z0-9]*(\.[a-z0-9]+(-[a-z0-9]+)*){1,2}$/;

/** Metadata of a check. */
export interface CheckMeta {
  /** `profile.area.name` (or `profile.name`) in kebab-case */
  id: string;
  /** the rule, in one line */
  title: string;
  /** the requirement level */
  level: "MUST" | "SHOULD" | "FUTURE";
  /** the seed (file and section) or norm it comes from */
  source: string;
  /** why the rule matters */
  rationale?: string | undefined;
  /** capabilities the target must have */
  requires: string[];
  /** mutants that must fail it */
  mutants: string[];
  /** its own time limit in ms */
  timeLimitMs?: number | undefined;
}

const checkMeta: z.ZodType<CheckMeta> = z.object({
  id: z.string().regex(ID, "id must be profile.area.name (or profile.name) in kebab-case"),
  title: z.string().min(1),
  level: z.enum(["MUST", "SHOULD", "FUTURE"]),
  source: z.string().min(3),
  rationale: z.string().min(10).optional(),
  requires: z.array(z.string().regex(/^[a-z][a-z0-9_]*$/)),
  mutants: z.array(z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/)),
  timeLimitMs: z.number().int().positive().max(180_000).optional(),
});
/** Metadata of a check, validated when it is defined. */
export const CheckMetaSchema: z.ZodType<CheckMeta> = checkMeta;

const registered = new Map<string, CheckMeta>();

/**
 * Define (and register) a check. Throws on invalid metadata or a duplicate id.
 *
 * @param check the check value
 * @returns the same check
 * @example
 * ```ts
 * import { defineCheck } from "./registry.ts";
 * import { verdict } from "./types.ts";
 * const c = defineCheck({
 *   id: "sdk.example.doc-" + crypto.randomUUID().slice(0, 8), title: "example", level: "SHOULD",
 *   source: "000 §1", requires: [], mutants: [], run: () => Promise.resolve(verdict.pass()),
 * });
 * if (!c.id.startsWith("sdk.example.")) throw new Error("unexpected id");
 * ```
 */
export function defineCheck<C extends BaseContext>(check: Check<C>): Check<C> {
  const meta = CheckMetaSchema.parse({
    id: check.id,
    title: check.title,
    level: check.level,
    source: check.source,
    rationale: check.rationale,
    requires: check.requires,
    mutants: check.mutants,
    timeLimitMs: check.timeLimitMs,
  });
  if (registered.has(meta.id)) {
    throw new Error(`duplicate check id: ${meta.id}`);
  }
  registered.set(meta.id, meta);
  return check;
}

/**
 * Metadata of every check defined so far, sorted by id.
 *
 * @returns the registered checks' metadata
 */
export function registeredChecks(): CheckMeta[] {
  return [...registered.values()].sort((a, b) => a.id.localeCompare(b.id));
}
