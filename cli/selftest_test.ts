/**
 * The mutation matrix of every profile under `deno test`: one test per row (the reference of
 * each profile, and each one-fault mutant), from the same pipeline as `deno task selftest`.
 */
import { registerSelftest } from "./register.ts";

await registerSelftest({ seed: 1 });
