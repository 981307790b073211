/**
 * The kit's command line: one task per profile (`certify`, `chaos`, `certify:server`, …, as the
 * profile list names them), `selftest` and `matrix`. Exit codes: 0 every applicable MUST passes
 * (after expected failures), 1 a failure, 2 a usage, config or start error. A server run with a
 * target file may contact only the hosts that file names (`net_scope.ts`).
 *
 * @module
 */
import { errorMessage } from "../src/util/error_message.ts";

/**
 * Top-level usage text.
 *
 * @param tasks the profiles' tasks and titles
 * @returns the text
 * @example
 * ```ts
 * import { usageText } from "./main.ts";
 * if (!usageText([{ task: "certify", title: "SDKs" }]).includes("selftest")) throw new Error();
 * ```
 */
export function usageText(tasks: readonly { task: string; title: string }[]): string {
  const rows = [
    ...tasks.map((t) => [t.task, t.title]),
    ["selftest", "the mutation matrix of every profile: the reference and every one-fault mutant"],
    ["matrix", "merge report.json files into one checks × targets table"],
  ];
  const w = Math.max(...rows.map(([a]) => (a ?? "").length));
  return `usage: deno task <task> [flags]   (each task takes --help)\n${
    rows.map(([a, b]) => `  ${(a ?? "").padEnd(w)}  ${b}`).join("\n")
  }`;
}

/**
 * Dispatch a command line. Modules load on demand, so `matrix` needs no network or process
 * permissions.
 *
 * @param args the process arguments
 * @returns the exit code
 */
export async function main(args: readonly string[]): Promise<number> {
  const [cmd, ...rest] = args;
  if (cmd === "matrix") return (await import("./matrix_cmd.ts")).matrixMain(rest);
  let profiles: typeof import("./profiles.ts");
  try {
    profiles = await import("./profiles.ts");
  } catch (e) {
    console.error(`the kit's profiles could not be loaded: ${errorMessage(e)}`);
    return 2;
  }
  const text = usageText(profiles.PROFILES);
  if (cmd === "selftest") return (await import("./selftest.ts")).selftestMain(rest);
  if (cmd === "--help" || cmd === "-h" || cmd === "help") {
    console.log(text);
    return 0;
  }
  const profile = cmd === undefined ? undefined : profiles.profileNamed(cmd);
  if (!profile) {
    console.error(cmd === undefined ? text : `unknown command: ${JSON.stringify(cmd)}\n${text}`);
    return 2;
  }
  if (profile.name === "svc") {
    // A server target file names the only non-kit hosts the run may contact: allow exactly those
    // (in a child process if need be), never prompt. (An rpc target names a plugin, no host.)
    const code = await (await import("./net_scope.ts")).runNetScoped(profile.task, rest, profile.flags);
    if (code !== undefined) return code;
  }
  return (await import("./certify.ts")).certifyMain(profile, rest);
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
