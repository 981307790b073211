/**
 * The SDK side of the mutation matrix: the command that runs the reference client's driver, and
 * one command per one-fault mutant of it (client faults from `src/client/_faults.ts`, plus the
 * faults the driver itself injects).
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { behaviourOf, CLIENT_FAULTS, GLOBAL_TOKEN_FILE, isClientFault } from "../../src/client/_faults.ts";
import { DRIVER_FAULTS } from "../drivers/reference/driver.ts";
import { isTlsFault, TLS_FAULTS, usesNode } from "../drivers/reference/_tls_faults.ts";

const DRIVER_PATH = fileURLToPath(new URL("../drivers/reference/driver.ts", import.meta.url));

/**
 * The argv that runs the reference client's driver, optionally as a one-fault mutant.
 *
 * The driver gets network access to loopback only. For `no-verify` the command adds
 * `--unsafely-ignore-certificate-errors`: that is how a Deno SDK vendor would realistically turn
 * certificate verification off, so the mutant is built the way the real mistake is made. For
 * `ignore-custom-ca` (an SDK that trusts only its bundled roots) the driver starts without
 * `DENO_CERT` and `NODE_EXTRA_CA_CERTS`, which Deno itself reads at start-up.
 *
 * @param mutant a fault name (see {@link sdkMutants}); omitted for the reference itself
 * @returns the command line (`Deno.execPath()` first, or `env -u …` before it for `ignore-custom-ca`)
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const cmd = referenceDriverCommand("retry-forever");
 * assert.deepEqual(cmd.slice(-2), ["--mutant", "retry-forever"]);
 * assert.ok(referenceDriverCommand("no-verify").includes("--unsafely-ignore-certificate-errors"));
 * ```
 */
export function referenceDriverCommand(mutant?: string): string[] {
  const bundledRootsOnly = isClientFault(mutant) && !behaviourOf(mutant).trustCustomCa;
  const args = [
    "--allow-net=127.0.0.1,127.0.0.2,localhost",
    "--allow-env",
    "--allow-read",
    "--allow-write",
    ...(isClientFault(mutant) && !behaviourOf(mutant).verifyTls
      ? ["--unsafely-ignore-certificate-errors"]
      : []),
    ...(isTlsFault(mutant) && usesNode(mutant) ? ["--allow-run=node"] : []),
    DRIVER_PATH,
    ...(mutant === undefined ? [] : ["--mutant", mutant]),
  ];
  if (mutant === "env-skip-verify") return ["sh", "-c", SKIP_VERIFY_LAUNCHER, Deno.execPath(), ...args];
  const unset = bundledRootsOnly ? ["env", "-u", "DENO_CERT", "-u", "NODE_EXTRA_CA_CERTS"] : [];
  return [...unset, Deno.execPath(), "run", ...args];
}

/**
 * The `env-skip-verify` launcher (`sh -c`, `$0` = deno): a vendor's wrapper that turns certificate
 * checks off when `VAULT_SKIP_VERIFY` or `NOMAD_SKIP_VERIFY` is set to anything, `false` included.
 */
const SKIP_VERIFY_LAUNCHER = 'if [ -n "${VAULT_SKIP_VERIFY:-}${NOMAD_SKIP_VERIFY:-}" ]; then ' +
  'exec "$0" run --unsafely-ignore-certificate-errors "$@"; else exec "$0" run "$@"; fi';

/**
 * URL of the bundled reference client as an SDK module (for `sdk.iso.workers`), optionally as a
 * one-fault mutant.
 *
 * @param mutant a fault name
 * @returns the module URL
 * @example
 * ```ts
 * import { referenceSdkModule } from "./sdk.ts";
 * if (!referenceSdkModule("global-token").endsWith("reference.ts?mutant=global-token")) throw new Error();
 * ```
 */
export function referenceSdkModule(mutant?: string): string {
  const url = new URL("../modules/reference.ts", import.meta.url);
  if (mutant !== undefined) url.searchParams.set("mutant", mutant);
  return url.href;
}

/** One SDK mutant of the matrix: its fault name and the driver command that runs it. */
export interface SdkMutant {
  /** the fault name, as the checks' `mutants` lists name it */
  name: string;
  /** the driver argv */
  command: string[];
}

/**
 * Every SDK mutant: each client fault, driver fault and TLS fault, with its command.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const names = sdkMutants.map((m) => m.name);
 * assert.ok(names.includes("no-verify") && names.includes("dto-rename"));
 * assert.equal(new Set(names).size, names.length);
 * ```
 */
export const sdkMutants: readonly SdkMutant[] = [...CLIENT_FAULTS, ...DRIVER_FAULTS, ...TLS_FAULTS].map((
  name,
) => ({
  name,
  command: referenceDriverCommand(name),
}));

/**
 * Remove what a mutant leaves behind on purpose: the `global-token-file` mutant shares its token
 * through a fixed file (that is its fault).
 *
 * @returns when done (never throws)
 */
export async function cleanupSdkMutants(): Promise<void> {
  await Deno.remove(GLOBAL_TOKEN_FILE).catch(() => {});
}
