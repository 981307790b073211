/**
 * The kit's command line: `certify`, `chaos`, `server`, `selftest`, `matrix`
 * (each a `deno task`). Exit codes: 0 all applicable MUST pass (after expected failures),
 * 1 a failure, 2 usage / config / driver-start error.
 *
 * @module
 */
import { loadServerModule } from "./_optional.ts";

/** Top-level usage text. */
export const USAGE = `usage: main.ts <command> [flags]
  certify    certify an SDK through its driver (deno task certify --help)
  chaos      the chaos suite through Toxiproxy (same flags as certify)
  server     certify an API server (deno task certify:server --target FILE)
  selftest   the mutation matrix: reference and every mutant, client and server
  matrix     merge report.json files into one checks × SDKs table`;

/**
 * Dispatch a command line. Subcommands are loaded on demand, so `matrix` needs no network or
 * process permissions.
 *
 * @param args the process arguments
 * @returns the exit code
 */
export async function main(args: string[]): Promise<number> {
  const [cmd, ...rest] = args;
  switch (cmd) {
    case "certify":
      return (await import("./certify.ts")).certifyMain(rest, "sdk");
    case "chaos":
      return (await import("./certify.ts")).certifyMain(rest, "chaos");
    case "selftest":
      return (await import("./selftest.ts")).selftestMain(rest);
    case "matrix":
      return (await import("./matrix_cmd.ts")).matrixMain(rest);
    case "server": {
      const m = await loadServerModule();
      if (!m.ok) {
        console.error(`server certification unavailable: ${m.reason}`);
        return 2;
      }
      return m.value.serverMain(rest);
    }
    case "--help":
    case "-h":
    case "help":
      console.log(USAGE);
      return 0;
    default:
      console.error(cmd === undefined ? USAGE : `unknown command: ${cmd}\n${USAGE}`);
      return 2;
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
