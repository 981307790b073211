/**
 * Starting the fake driver in the driver host's tests.
 *
 * @module
 */
import { type DriverHostOptions, startDriver } from "../host.ts";
import type { DriverSession } from "../types.ts";

/** The fake driver's path. */
export const FAKE: string = new URL("./fake_driver.ts", import.meta.url).pathname;

/**
 * The fake driver's command line.
 *
 * @param mode how it misbehaves (see fake_driver.ts)
 * @returns the argv
 */
export function command(mode: string): string[] {
  return [Deno.execPath(), "run", "-A", "--no-config", "--no-lock", "--quiet", FAKE, mode];
}

/**
 * Start the fake driver (closeGraceMs 300), or throw.
 *
 * @param mode how it misbehaves
 * @param opts more host options
 * @param canaries the canaries the host knows
 * @returns the live session
 */
export async function start(
  mode: string,
  opts: Partial<DriverHostOptions> = {},
  canaries: string[] = [],
): Promise<DriverSession> {
  const r = await startDriver({
    command: command(mode),
    canaries: () => canaries,
    closeGraceMs: 300,
    ...opts,
  });
  if (!r.ok) throw new Error(`driver did not start: ${r.detail}`);
  return r.session;
}

/**
 * Run `fn` with a started fake driver; close it whatever happens.
 *
 * @param mode how it misbehaves
 * @param fn the test body
 * @param opts more host options
 * @param canaries the canaries the host knows
 */
export async function withSession(
  mode: string,
  fn: (s: DriverSession) => Promise<void>,
  opts: Partial<DriverHostOptions> = {},
  canaries: string[] = [],
): Promise<void> {
  const s = await start(mode, opts, canaries);
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}
