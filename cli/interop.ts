/**
 * Cross-SDK interop under `deno test`: the same fixtures through every SDK's driver must give the
 * same typed outcome (Problem code/kind/correlation, DTO canonical JSON, the invalid-token error).
 * One `Deno.test` per fixture, named by the fixture; a disagreement fails with a table of each
 * SDK's outcome. A team with SDKs in several languages puts this in its own repository:
 *
 * ```ts ignore
 * import { registerInterop } from "@ron/conformance-kit";
 * await registerInterop({
 *   drivers: [{ name: "python", command: "python3 sdk-py/driver.py" }, { name: "go", command: "sdk-go/driver" }],
 *   seed: 1,
 *   allowed: ["problem RFC 9457 body without code"], // known disagreements (each must still disagree)
 * });
 * ```
 *
 * @module
 */
import { agree, interopFixtureNames, interopOutcomes, type InteropTarget } from "../conformance/interop.ts";
import { newCanary } from "../src/driver/canary.ts";
import { maskCanaries } from "../src/driver/canary.ts";
import { startDriver } from "../src/driver/host.ts";
import { startMockServer } from "../src/mock/server.ts";
import { splitCommand } from "../src/util/args.ts";
import { deadlineOrThrow } from "../src/util/deadline.ts";

/** One SDK taking part: its name in the tables, and its driver command. */
export interface InteropDriver {
  /** the column name (default: the driver's `hello` name) */
  name?: string;
  /** the driver: a command line (split shell-like) or an argv */
  command: string | readonly string[];
}

/** Options of {@linkcode registerInterop}. */
export interface RegisterInteropOptions {
  /** two or more SDK drivers: each a driver command line, or a name and a command */
  drivers: readonly (InteropDriver | string)[];
  /** the run's seed; the comparison draws no random numbers, so it changes nothing (kept for symmetry with the CLI) @default 1 */
  seed?: number;
  /**
   * known disagreements, by fixture name: a listed fixture whose SDKs disagree passes; one whose
   * SDKs now agree fails (remove it), and a name that is no fixture fails too
   */
  allowed?: readonly string[];
  /** bound on the whole comparison, in ms @default 180000 */
  timeLimitMs?: number;
  /** register each test with this instead of `Deno.test` (e.g. to collect or wrap the definitions) */
  register?: (def: Deno.TestDefinition) => void;
}

const LIMIT_MS = 180_000;

function argvOf(command: string | readonly string[]): string[] {
  if (typeof command !== "string") return [...command];
  const s = splitCommand(command);
  if (!s.ok) throw new Error(`registerInterop: driver ${JSON.stringify(command)}: ${s.error}`);
  return s.value;
}

/**
 * The table a failing interop test prints: one line per SDK.
 *
 * @param fixture the fixture's name
 * @param row SDK name → outcome
 * @returns the text
 * @example
 * ```ts
 * import { outcomeTable } from "./interop.ts";
 * const t = outcomeTable("problem x", { py: "problem code=a", go: "problem code=b" });
 * if (!t.includes("py   problem code=a")) throw new Error(t);
 * ```
 */
export function outcomeTable(fixture: string, row: Readonly<Record<string, string>>): string {
  const w = Math.max(3, ...Object.keys(row).map((k) => k.length));
  return [
    `SDKs disagree on ${JSON.stringify(fixture)}:`,
    ...Object.entries(row).map(([k, v]) => `  ${k.padEnd(w)}  ${v}`),
  ]
    .join("\n");
}

/**
 * Register one `Deno.test` per interop fixture. The comparison runs once, lazily, when the first
 * of those tests starts (one mock server, one driver per SDK, every fixture through each).
 *
 * @param opts the drivers, the allowed disagreements
 * @returns once the tests are registered (await it at the top level of a test module)
 * @example
 * ```ts
 * import { registerInterop } from "./interop.ts";
 * const names: string[] = [];
 * await registerInterop({ drivers: ["a", "b"], register: (d) => void names.push(d.name) });
 * if (!names.includes("interop: invalid token → 401 Problem")) throw new Error(names.join());
 * ```
 */
export async function registerInterop(opts: RegisterInteropOptions): Promise<void> {
  if (opts.drivers.length < 2) throw new Error("registerInterop needs two or more drivers");
  const drivers = opts.drivers.map((d) => typeof d === "string" ? { command: d } : d);
  const argvs = drivers.map((d) => argvOf(d.command));
  const fixtures = await interopFixtureNames();
  const register = opts.register ?? ((d: Deno.TestDefinition) => Deno.test(d));
  const allowed = new Set(opts.allowed ?? []);
  const unknown = [...allowed].filter((a) => !fixtures.includes(a));
  if (unknown.length > 0) {
    register({
      name: "interop: allowed disagreements name real fixtures",
      fn: () => {
        throw new Error(`allowed names no fixture: ${unknown.map((u) => JSON.stringify(u)).join(", ")}`);
      },
    });
  }
  let shared: Promise<{ outcomes: Map<string, Record<string, string>>; canaries: string[] }> | undefined;
  const run = () =>
    shared ??= (async () => {
      const canaries: string[] = [];
      const mint = () => {
        const c = newCanary();
        canaries.push(c);
        return c;
      };
      const mock = await startMockServer({ seed: opts.seed ?? 1 });
      const targets: InteropTarget[] = [];
      try {
        for (const [i, argv] of argvs.entries()) {
          const s = await startDriver({ command: argv, canaries: () => canaries });
          if (!s.ok) {
            throw new Error(
              `driver ${argv.join(" ")} did not start: ${maskCanaries(s.detail, canaries)}`,
            );
          }
          targets.push({ name: drivers[i]?.name ?? s.session.hello.name, session: s.session });
        }
        const names = targets.map((t) => t.name);
        if (new Set(names).size !== names.length) {
          throw new Error(`two SDKs share a name: ${names.join(", ")}`);
        }
        const outcomes = await deadlineOrThrow(
          interopOutcomes(targets, mock, mint),
          opts.timeLimitMs ?? LIMIT_MS,
          "the interop comparison",
        );
        return { outcomes, canaries };
      } finally {
        await Promise.all(targets.map((t) => t.session.close().catch(() => {})));
        await mock.close().catch(() => {});
      }
    })();
  for (const fixture of fixtures) {
    register({
      name: `interop: ${fixture}`,
      sanitizeOps: false,
      sanitizeResources: false,
      fn: async () => {
        const { outcomes, canaries } = await run();
        const row = outcomes.get(fixture);
        if (!row) throw new Error(`no outcome for ${fixture}`);
        const same = agree(row);
        if (!same && !allowed.has(fixture)) {
          throw new Error(maskCanaries(outcomeTable(fixture, row), canaries));
        }
        if (same && allowed.has(fixture)) {
          throw new Error(
            `listed as a known disagreement, but the SDKs now agree: remove ${JSON.stringify(fixture)}`,
          );
        }
      },
    });
  }
}
