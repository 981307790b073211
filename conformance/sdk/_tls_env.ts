/**
 * `sdk.tls.env-no-downgrade`'s machinery: the driver runs with every usual "skip TLS verification"
 * environment variable set to a value that means *verify* (`false`, `1`, …); the SDK must still
 * refuse a certificate from an untrusted CA. Internal to the conformance suite.
 *
 * @module
 */
import type { SdkContext } from "../../src/engine/sdk_context.ts";
import { type Verdict, verdict } from "../../src/engine/types.ts";
import { describeCall, describeError } from "../../src/driver/describe.ts";
import { callFault, gather, request, setup } from "./_helpers.ts";
import { judged, type Seen } from "./_judge.ts";
import { control, OK, TYPE_NOTE } from "./_tls_control.ts";

/**
 * Verification switches of common ecosystems, each set to the value that keeps verification ON.
 * A client that reads "set" as "skip" (node-vault with `VAULT_SKIP_VERIFY=false`) turns it off.
 */
export const VERIFY_ON_ENV: Readonly<Record<string, string>> = Object.freeze({
  VAULT_SKIP_VERIFY: "false", // HashiCorp Vault clients (Go, node-vault, hvac)
  NOMAD_SKIP_VERIFY: "false", // HashiCorp Nomad
  CONSUL_HTTP_SSL_VERIFY: "true", // HashiCorp Consul
  NODE_TLS_REJECT_UNAUTHORIZED: "1", // Node.js
  PYTHONHTTPSVERIFY: "1", // CPython (PEP 493)
  GIT_SSL_NO_VERIFY: "false", // git (which reads any value as "skip")
});

const RULE =
  "with every skip-verify variable set to a false-like value, an untrusted certificate must still be refused";

const reachedUntrusted = (s: Seen) => s.scenario.requests().filter((q) => q.listener === "untrusted").length;

/** Any request that reached the listener with the untrusted certificate. */
function judge(seen: readonly Seen[]): Verdict | undefined {
  const s = seen.find((x) => reachedUntrusted(x) > 0);
  if (!s) return undefined;
  return verdict.fail(`${RULE}; ${reachedUntrusted(s)} request(s) reached the server`, gather(s));
}

/**
 * Run the check.
 *
 * @param ctx the check's context
 * @returns the verdict
 */
export function envNoDowngrade(ctx: SdkContext): Promise<Verdict> {
  const env = Object.entries(VERIFY_ON_ENV).map(([k, v]) => `${k}=${v}`).join(" ");
  const envNote = `driver environment: ${env}`;
  return judged(ctx, judge, async () => {
    const s = await setup(ctx, OK, {
      listener: "untrusted",
      env: { ...VERIFY_ON_ENV },
      configure: { max_retries: 0 },
    });
    if (!s.ok) return s.verdict;
    const ctl = await control(ctx, s.setup.session);
    if (ctl) return ctl;
    const r = await request(s.setup, { method: "GET", path: "/secret" });
    if (r.kind === "no_reply" || r.kind === "driver_fault") return callFault("request", r, s.setup);
    const n = reachedUntrusted(s.setup);
    if (n > 0) {
      return verdict.fail(
        `${RULE}; ${n} request(s) reached the server`,
        gather(s.setup, { notes: [envNote] }),
      );
    }
    if (r.kind === "ok") {
      return verdict.fail(`${RULE}; got ${describeCall(r)}`, gather(s.setup, { notes: [envNote] }));
    }
    return verdict.pass(gather(s.setup, {
      reply: r.error,
      notes: [`server cert from an untrusted CA refused: ${describeError(r.error)}`, envNote, TYPE_NOTE],
    }));
  });
}
