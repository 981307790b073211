/**
 * The `deno run` flags of one of the kit's tasks in deno.json (permissions, `--no-prompt`, the V8
 * flags), for a bench or test that starts the kit as that task does, without writing the list again.
 *
 * @module
 */
import denoJson from "../../deno.json" with { type: "json" };

/**
 * `run` and the flags of a `deno run` task, up to its main module.
 *
 * @param name the task, e.g. "certify"
 * @returns `["run", "--v8-flags=…", "--allow-net=…", …]`
 * @throws Error when there is no such task, or it is not a `deno run` of a module
 * @example
 * ```ts
 * import { kitTaskFlags } from "./kit_task.ts";
 * const f = kitTaskFlags("certify");
 * if (f[0] !== "run" || !f.includes("--no-prompt") || f.some((a) => !a.startsWith("-") && a !== "run")) {
 *   throw new Error(f.join(" "));
 * }
 * ```
 */
export function kitTaskFlags(name: string): string[] {
  const tasks: Record<string, string> = denoJson.tasks;
  const words = (tasks[name] ?? "").split(" ");
  const main = words.findIndex((w, i) => i > 1 && !w.startsWith("-"));
  if (words[0] !== "deno" || words[1] !== "run" || main < 0) {
    throw new Error(`deno.json has no "deno run" task ${JSON.stringify(name)}`);
  }
  return words.slice(1, main);
}
