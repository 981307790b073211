/**
 * The server mutants (one-fault variants of the reference server) and the checks that must catch
 * each, derived from every svc check's `mutants` list.
 *
 * @module
 */
import { FAULT_DESCRIPTIONS, SERVER_FAULTS, type ServerFault } from "../reference_server/faults.ts";
import { svcChecks } from "../svc/mod.ts";

/** One server mutant and the checks that must fail against it. */
export interface ServerMutant {
  name: ServerFault;
  description: string;
  /** ids of the checks that name this mutant */
  checks: string[];
  /** whether it must be served over https (a check it names requires https_target) */
  https: boolean;
}

/**
 * Every server mutant, with the checks that name it.
 *
 * @returns the mutants, in SERVER_FAULTS order
 * @example
 * ```ts
 * import { serverMutants } from "./server.ts";
 * const m = serverMutants().find((x) => x.name === "accept-alg-none");
 * if (!m?.checks.includes("svc.jwt.alg-none")) throw new Error("mapping");
 * ```
 */
export function serverMutants(): ServerMutant[] {
  return SERVER_FAULTS.map((name) => {
    const named = svcChecks.filter((c) => c.mutants.includes(name));
    return {
      name,
      description: FAULT_DESCRIPTIONS[name],
      checks: named.map((c) => c.id),
      https: named.some((c) => c.requires.includes("https_target")),
    };
  });
}

/**
 * Mutant names that checks refer to but the reference server does not implement (must be empty).
 *
 * @returns the unknown names
 */
export function unknownServerMutants(): string[] {
  const known = new Set<string>(SERVER_FAULTS);
  return [...new Set(svcChecks.flatMap((c) => c.mutants))].filter((m) => !known.has(m));
}
