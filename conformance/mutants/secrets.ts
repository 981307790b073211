/**
 * The secrets side of the mutation matrix: the command that runs the reference secrets client's
 * driver, and one command per one-fault mutant of it (`src/secrets/_faults.ts`).
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { SECRETS_FAULT_RULES, SECRETS_FAULTS } from "../../src/secrets/_faults.ts";

const DRIVER_PATH = fileURLToPath(new URL("../drivers/secrets/driver.ts", import.meta.url));

/**
 * The argv that runs the reference secrets driver, optionally as a one-fault mutant. Network access
 * is loopback only.
 *
 * @param mutant a fault name; omitted for the reference
 * @returns the command line, `Deno.execPath()` first
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(secretsDriverCommand("no-jti-replay").slice(-2), ["--mutant", "no-jti-replay"]);
 * ```
 */
export function secretsDriverCommand(mutant?: string): string[] {
  return [
    Deno.execPath(),
    "run",
    "--allow-net=127.0.0.1,127.0.0.2,localhost",
    "--allow-env",
    "--allow-read",
    "--allow-write",
    DRIVER_PATH,
    ...(mutant === undefined ? [] : ["--mutant", mutant]),
  ];
}

/** One secrets mutant: its fault, the planned check it must fail, and its driver command. */
export interface SecretsMutant {
  /** the fault name, as a check's `mutants` list names it */
  name: string;
  /** the planned check (`secrets.<area>.<rule>`) whose rule the fault breaks */
  rule: string;
  /** the driver argv */
  command: string[];
}

/**
 * Every secrets mutant.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.ok(secretsMutants.some((m) => m.name === "follow-foreign-redirect" && m.rule === "secrets.token.no-foreign-redirect"));
 * ```
 */
export const secretsMutants: readonly SecretsMutant[] = SECRETS_FAULTS.map((name) => ({
  name,
  rule: SECRETS_FAULT_RULES[name],
  command: secretsDriverCommand(name),
}));
