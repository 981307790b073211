/**
 * The `svc` profile: HTTP API servers, probed from outside (`deno task certify:server`). A target
 * file names the server; with none, the kit starts its bundled reference server (HTTPS with an
 * ephemeral CA, or plain HTTP with `--http`).
 *
 * The server chaos checks (`svc.chaos.*`, `conformance/svc/chaos.ts`) are this profile's too: their ids start
 * with `svc.` (the id names the profile), they use the same target file and context, and a report keeps one
 * profile. They need Toxiproxy before the server, which `--chaos` starts on first use (`_chaos_session.ts`);
 * `deno task chaos --target FILE` is `certify:server --chaos --only svc.chaos`. Without `--chaos` they are
 * `not_applicable` and name that command, so `deno task certify:server` starts no Toxiproxy and stays fast.
 * The selftest runs every row with Toxiproxy (a chaos mutant's row needs it).
 *
 * @module
 */
import {
  defineProfile,
  flagValues,
  type OpenTarget,
  type Profile,
  type Result,
  type TargetSpec,
} from "../../src/engine/profile.ts";
import type { CheckResult } from "../../src/engine/types.ts";
import { runChecks } from "../../src/engine/runner.ts";
import { shellQuote } from "../../src/util/args.ts";
import { errorMessage } from "../../src/util/error_message.ts";
import type { KitChaosEnv } from "../../chaos/toxiproxy.ts";
import { FAULT_DESCRIPTIONS, SERVER_FAULTS, type ServerFault } from "../reference_server/faults.ts";
import { startReferenceServer } from "../reference_server/server.ts";
import { Prober, type SvcContext } from "./_context.ts";
import { JwtKit } from "./_jwt_kit.ts";
import { svcAreas, svcChecks } from "./mod.ts";
import { loadTarget, type Target, targetCapabilities, TargetError } from "./target.ts";
import { type ChaosStarter, chaosStarter, REFERENCE_CHAOS, svcChaosFor } from "./_chaos_session.ts";
import { inapplicableWhy } from "./_openapi_gaps.ts";
import { OPENAPI_FLAGS, openApiRequest, openApiSpec } from "./_openapi_open.ts";
import { referenceOpenApiTarget } from "./openapi.ts";

/** The default per-check time limit of svc checks, in ms. */
const SVC_TIME_LIMIT_MS = 15_000;

/**
 * An open svc target: each check gets its own bounded probe and the shared JWT kit.
 *
 * @param target the resolved target
 * @param seed the run's seed
 * @param close what stops the server, if the kit started it
 * @returns the open target
 */
export function openSvcTarget(
  target: Target,
  seed: number,
  close: () => Promise<void>,
  chaos?: KitChaosEnv,
): OpenTarget<SvcContext> {
  const jwt = new JwtKit(target.credentials);
  const capabilities = targetCapabilities(target);
  return {
    info: { name: target.name, version: target.version, language: "http", capabilities: [...capabilities] },
    capabilities,
    canaries: () => [],
    defaultTimeLimitMs: SVC_TIME_LIMIT_MS,
    ...(target.inapplicable ? { inapplicable: (id: string) => inapplicableWhy(target, id) } : {}),
    makeContext(check, signal, note) {
      const probe = new Prober(target.baseUrl, signal, target.caCertPem);
      const scoped = chaos === undefined ? undefined : svcChaosFor(chaos, target);
      const ctx: SvcContext = {
        seed,
        signal,
        timeLimitMs: check.timeLimitMs ?? SVC_TIME_LIMIT_MS,
        note,
        target,
        probe,
        jwt,
        ...(scoped ? { chaos: scoped.chaos } : {}),
      };
      return Promise.resolve({
        ctx,
        dispose: async () => {
          probe.close();
          await scoped?.dispose();
        },
      });
    },
    close,
  };
}

/**
 * Run the svc checks against a resolved target, without the pipeline (tests, embedding).
 *
 * @param target the resolved target
 * @param opts seed, selection, concurrency
 * @returns the results, sorted by id
 */
export function certifyTarget(
  target: Target,
  opts: { seed: number; only?: string[]; concurrency?: number },
): Promise<CheckResult[]> {
  const t = openSvcTarget(target, opts.seed, () => Promise.resolve());
  return runChecks(svcChecks, {
    seed: opts.seed,
    concurrency: opts.concurrency ?? 6,
    capabilities: t.capabilities,
    defaultTimeLimitMs: SVC_TIME_LIMIT_MS,
    makeContext: t.makeContext,
    ...(t.inapplicable ? { inapplicable: t.inapplicable } : {}),
    ...(opts.only ? { only: opts.only } : {}),
  });
}

function referenceSpec(
  seed: number,
  https: boolean,
  mutant: string | undefined,
  chaos?: ChaosStarter,
  openapi?: string,
): TargetSpec<SvcContext> {
  const fault: ServerFault | undefined = SERVER_FAULTS.find((f) => f === mutant);
  return {
    label: mutant ?? "reference server",
    command: (chaos?.required ? "deno task chaos" : `deno task certify:server${https ? "" : " --http"}`) +
      (openapi === undefined ? "" : ` --openapi ${shellQuote(openapi)}`),
    async open(): Promise<Result<OpenTarget<SvcContext>>> {
      if (mutant !== undefined && fault === undefined) {
        return { ok: false, error: `no server mutant ${mutant}` };
      }
      const env = chaos === undefined ? undefined : await chaos.env();
      if (env !== undefined && !env.ok) return { ok: false, error: env.error };
      try {
        const s = await startReferenceServer({
          https,
          ...(fault ? { fault } : {}),
          ...(env?.value
            ? { front: REFERENCE_CHAOS.front, sseBackpressureMs: REFERENCE_CHAOS.sseBackpressureMs }
            : {}),
        });
        if (env?.value) s.target.chaos = { ...REFERENCE_CHAOS.bounds };
        // --openapi PATH: the target derived from the document the reference serves
        const t = openapi === undefined ? s.target : await referenceOpenApiTarget(s.target, openapi).catch(
          async (e) => {
            await s.close();
            throw e;
          },
        );
        if (env?.value) t.chaos = { ...REFERENCE_CHAOS.bounds };
        return { ok: true, value: openSvcTarget(t, seed, () => s.close(), env?.value) };
      } catch (e) {
        return { ok: false, error: `the reference server did not start: ${errorMessage(e)}` };
      }
    },
  };
}

function fileSpec(seed: number, path: string, chaos?: ChaosStarter): TargetSpec<SvcContext> {
  return {
    label: path,
    command: `deno task ${chaos ? "chaos" : "certify:server"} --target ${shellQuote(path)}`,
    async open(): Promise<Result<OpenTarget<SvcContext>>> {
      try {
        const t = await loadTarget(path);
        const env = chaos === undefined ? undefined : await chaos.env();
        if (env !== undefined && !env.ok) return { ok: false, error: env.error };
        return { ok: true, value: openSvcTarget(t, seed, () => Promise.resolve(), env?.value) };
      } catch (e) {
        if (e instanceof TargetError) return { ok: false, error: `target error: ${e.message}` };
        return { ok: false, error: `target ${path}: ${errorMessage(e)}` };
      }
    },
  };
}

const areas = svcAreas;
const chaosMutant = (fault: string): boolean => (areas["chaos"] ?? []).some((c) => c.mutants.includes(fault));
const needsHttps = (fault: string): boolean =>
  Object.values(areas).flat().some((c) => c.mutants.includes(fault) && c.requires.includes("https_target"));

function probeTotals(results: readonly CheckResult[]): string[] {
  let requests = 0;
  let probeMs = 0;
  for (const r of results) {
    const v = r.verdict;
    const t = v.outcome === "pass" || v.outcome === "fail"
      ? v.evidence.timings
      : v.outcome === "error"
      ? v.evidence?.timings
      : undefined;
    requests += t?.["probe_requests"] ?? 0;
    probeMs += t?.["probe_ms"] ?? 0;
  }
  return [`probe requests: ${requests} (${Math.round(probeMs)} ms of request time)`];
}

/** The `svc` profile. */
export const svcProfile: Profile = defineProfile({
  name: "svc",
  task: "certify:server",
  title: "HTTP API servers, probed from outside",
  home: "conformance/svc",
  idSegments: 3,
  capabilities: ["https_target", "sse_route"],
  flags: [
    {
      name: "--target",
      value: "FILE",
      help: "the server's target file (TOML); without it the bundled reference server",
    },
    { name: "--http", help: "serve the bundled reference over plain HTTP (default HTTPS)" },
    {
      name: "--chaos",
      help: "a fresh Toxiproxy proxy before the server for each check: the svc.chaos checks apply " +
        "(`deno task chaos --target FILE` runs them alone)",
    },
    ...OPENAPI_FLAGS,
  ],
  defaultConcurrency: 6,
  selftestConcurrency: 6,
  areas,
  // seed 002 §5: services are reached over TLS; svc.headers.hsts (MUST) can only be judged over https
  levels: { "beta-ready": ["https_target"], hardened: [] },
  mutants: SERVER_FAULTS.map((name) => ({ name, description: FAULT_DESCRIPTIONS[name] })),
  footer: probeTotals,
  start: (env) => {
    // Toxiproxy starts on the first target that needs it (--chaos, or a selftest row)
    const required = chaosStarter(env.seed, true);
    const optional = chaosStarter(env.seed, false, required);
    return Promise.resolve({
      ok: true,
      value: {
        banner: [],
        targets(flags) {
          const file = flagValues(flags, "--target")[0];
          const chaos = flags["--chaos"] === true ? required : undefined;
          const oa = openApiRequest(flags);
          if (!oa.ok) return oa;
          if (oa.value?.kind === "server") {
            return { ok: true, value: [openApiSpec(env.seed, oa.value, openSvcTarget, chaos)] };
          }
          if (oa.value?.kind === "reference") {
            const https = flags["--http"] !== true;
            return { ok: true, value: [referenceSpec(env.seed, https, undefined, chaos, oa.value.docPath)] };
          }
          if (file !== undefined) return { ok: true, value: [fileSpec(env.seed, file, chaos)] };
          return { ok: true, value: [referenceSpec(env.seed, flags["--http"] !== true, undefined, chaos)] };
        },
        // the selftest: every row with Toxiproxy (a chaos mutant's row needs it; others use it if it starts)
        reference: (mutant) =>
          referenceSpec(
            env.seed,
            mutant === undefined || needsHttps(mutant),
            mutant,
            mutant !== undefined && chaosMutant(mutant) ? required : optional,
          ),
        close: () => required.close(),
      },
    });
  },
});
