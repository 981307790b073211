/**
 * `deno task chaos`: Toxiproxy between the kit and what it certifies.
 *
 * - `--driver CMD` (or `--sdk-module`): the SDK chaos checks (`chaos.*`) against that driver.
 * - `--target FILE`: the server chaos checks (`svc.chaos.*`) against that server: the svc profile
 *   with `--chaos --only svc.chaos` (its hosts allowed as `certify:server` allows them).
 * - neither: the SDK chaos checks on the reference driver, then the server chaos checks on the
 *   bundled reference server (plain HTTP); their reports go to `--out` and `--out`/svc-chaos.
 *
 * `--only` picks from both (`chaos.latency`, `svc.chaos.resets`); the exit code is the worse of the two.
 *
 * @module
 */
import type { FlagSpec, Profile } from "../src/engine/profile.ts";
import { COMMON_FLAGS, parseFlags, usage } from "./flags.ts";
import { certifyMain } from "./certify.ts";
import { profileNamed } from "./profiles.ts";

/** The id prefix of the server chaos checks. */
export const SVC_CHAOS = "svc.chaos";

/** What `deno task chaos` runs for a command line. */
export interface ChaosPlan {
  /** each run: the profile's name and the arguments for its pipeline */
  runs: { profile: "chaos" | "svc"; args: string[] }[];
}

function valueFlags(flags: readonly FlagSpec[]): Set<string> {
  return new Set(flags.filter((f) => f.value !== undefined).map((f) => f.name));
}

/**
 * Split a `deno task chaos` command line into the runs it means.
 *
 * @param args the arguments after `chaos`
 * @param sdkFlags the chaos profile's flags
 * @param svcFlags the svc profile's flags
 * @returns the runs, or a usage error
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { chaosPlan } from "./chaos_cmd.ts";
 * const flags = [{ name: "--driver" as const, value: "CMD", help: "" }];
 * const svc = [{ name: "--target" as const, value: "FILE", help: "" }, { name: "--chaos" as const, help: "" }, { name: "--http" as const, help: "" }];
 * const both = chaosPlan(["--seed", "1"], flags, svc);
 * assert.ok(both.ok && both.value.runs.map((r) => r.profile).join() === "chaos,svc");
 * const t = chaosPlan(["--target", "t.toml"], flags, svc);
 * assert.ok(t.ok && t.value.runs[0]?.args.join(" ") === "--target t.toml --chaos --only svc.chaos");
 * ```
 */
export function chaosPlan(
  args: readonly string[],
  sdkFlags: readonly FlagSpec[],
  svcFlags: readonly FlagSpec[],
): { ok: true; value: ChaosPlan } | { ok: false; error: string } {
  const target: FlagSpec = svcFlags.find((f) => f.name === "--target") ??
    { name: "--target", value: "FILE", help: "" };
  const all = [...sdkFlags, target];
  const parsed = parseFlags(args, all);
  if (!parsed.ok) return parsed;
  const takesValue = valueFlags([...COMMON_FLAGS, ...all]);
  const rest: string[] = [];
  const only: string[] = [];
  let out: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? "";
    const eq = a.startsWith("--") ? a.indexOf("=") : -1;
    const name = eq > 0 ? a.slice(0, eq) : a;
    const value = eq > 0 ? a.slice(eq + 1) : takesValue.has(name) ? args[++i] ?? "" : undefined;
    if (name === "--only") only.push(...(value ?? "").split(",").map((s) => s.trim()));
    else if (name === "--out") out = value;
    else rest.push(...(value === undefined ? [a] : [name, value]));
  }
  const file = parsed.value.profile["--target"];
  const sdkSubject = sdkFlags.some((f) =>
    f.value !== undefined && parsed.value.profile[f.name] !== undefined
  );
  const svcOnly = only.filter((o) => o === "svc" || o.startsWith(SVC_CHAOS) || SVC_CHAOS.startsWith(o));
  const sdkOnly = only.filter((o) => !svcOnly.includes(o));
  const outArgs = (dir: string | undefined) => dir === undefined ? [] : ["--out", dir];
  const onlyArgs = (ids: string[], dflt?: string) =>
    ids.length > 0 ? ["--only", ids.join(",")] : dflt ? ["--only", dflt] : [];
  if (file !== undefined) {
    if (sdkSubject) {
      return { ok: false, error: "--target (a server) and a driver cannot be certified in one run" };
    }
    if (sdkOnly.length > 0) {
      return {
        ok: false,
        error: `--only ${sdkOnly.join(",")}: a --target run has only the ${SVC_CHAOS} checks`,
      };
    }
    return {
      ok: true,
      value: {
        runs: [{
          profile: "svc",
          args: [...rest, "--chaos", ...outArgs(out), ...onlyArgs(svcOnly, SVC_CHAOS)],
        }],
      },
    };
  }
  if (sdkSubject) {
    if (svcOnly.length > 0) {
      return {
        ok: false,
        error: `--only ${svcOnly.join(",")}: ${SVC_CHAOS} checks certify a server (--target)`,
      };
    }
    return { ok: true, value: { runs: [{ profile: "chaos", args: [...args] }] } };
  }
  const runs: ChaosPlan["runs"] = [];
  if (only.length === 0 || sdkOnly.length > 0) {
    runs.push({ profile: "chaos", args: [...rest, ...outArgs(out), ...onlyArgs(sdkOnly)] });
  }
  if (only.length === 0 || svcOnly.length > 0) {
    const dir = runs.length > 0 ? `${out ?? "reports"}/svc-chaos` : out;
    runs.push({
      profile: "svc",
      args: [...rest, "--chaos", "--http", ...outArgs(dir), ...onlyArgs(svcOnly, SVC_CHAOS)],
    });
  }
  if (runs.length > 1 && (parsed.value.common.json || parsed.value.common.fixExpectations)) {
    return {
      ok: false,
      error:
        "--json and --fix-expectations take one run: add --driver, --target, or --only chaos / --only svc.chaos",
    };
  }
  return { ok: true, value: { runs } };
}

/**
 * Run `deno task chaos`.
 *
 * @param args the arguments after `chaos`
 * @returns the exit code (the worse of the runs')
 */
export async function chaosMain(args: readonly string[]): Promise<number> {
  const sdk = profileNamed("chaos");
  const svc = profileNamed("svc");
  if (!sdk || !svc) throw new Error("the chaos and svc profiles must exist");
  const target = svc.flags.filter((f) => f.name === "--target");
  const parsed = parseFlags(args, [...sdk.flags, ...target]);
  if (parsed.ok && parsed.value.common.help) {
    console.log(
      `${usage("chaos", [...sdk.flags, ...target])}\n\nWith --target, the ${SVC_CHAOS} checks against that ` +
        `server; with a driver, the chaos.* checks against it; with neither, the chaos.* checks on the ` +
        `reference driver, then the ${SVC_CHAOS} checks on the reference server (reports in --out/svc-chaos).`,
    );
    return 0;
  }
  const plan = chaosPlan(args, sdk.flags, svc.flags);
  if (!plan.ok) {
    console.error(`usage error: ${plan.error}\n${usage("chaos", [...sdk.flags, ...target])}`);
    return 2;
  }
  let exit = 0;
  for (const run of plan.value.runs) {
    const profile: Profile = run.profile === "svc" ? svc : sdk;
    if (run.profile === "svc" && parsed.ok && parsed.value.profile["--target"] !== undefined) {
      const { runNetScoped } = await import("./net_scope.ts");
      const code = await runNetScoped("chaos", args, [...sdk.flags, ...target]);
      if (code !== undefined) return code;
    }
    exit = Math.max(exit, await certifyMain(profile, run.args));
  }
  return exit;
}
