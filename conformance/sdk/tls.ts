/**
 * `sdk.tls.*` — transport security: https by default, verified certificates (seed 000 §2.1).
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import type { SdkContext } from "../../src/engine/sdk_context.ts";
import { type Check, type Verdict, verdict } from "../../src/engine/types.ts";
import type { DriverSession } from "../../src/driver/types.ts";
import type { SdkError } from "../../src/schema/protocol.ts";
import { CA_ENV_VARS } from "../../src/driver/host.ts";
import { describeCall, describeError } from "../../src/driver/describe.ts";
import { CALL_MS, callFault, gather, request, type Setup, setup, unobserved } from "./_helpers.ts";
import { judged, type Seen, seenOf, watch } from "./_judge.ts";
import { runPqHybrid } from "./_tls_pq.ts";

const OK = { responses: [{ status: 200, body: { kind: "json" as const, value: { ok: true } } }] };

/**
 * Positive control for checks where refusing is the rule: the same driver must reach the mock
 * server over trusted https, else a refusal proves nothing (an SDK that never sends anything).
 */
async function control(ctx: SdkContext, session: DriverSession): Promise<Verdict | undefined> {
  const s = await setup(ctx, OK, { session });
  if (!s.ok) return s.verdict;
  const r = await request(s.setup, { method: "GET", path: "/control" });
  if (r.kind !== "ok") return callFault("request", r, s.setup);
  return unobserved(s.setup, 1, "a control request over trusted https");
}

/** How refusals are judged here: refusing is the rule; how the error is typed is sdk.errors.*'s. */
const TYPE_NOTE = "any SDK error that sends nothing is a refusal; error types are judged by sdk.errors.*";

const httpsRequired = defineCheck<SdkContext>({
  id: "sdk.tls.https-required",
  title: "An http:// base URL is refused unless allow_insecure_http is set, sending nothing",
  level: "MUST",
  source: "000 §2.1 TLS required by default",
  rationale:
    "Over plain http the token and every payload cross the network readable and alterable by anyone on the path. Refusing http:// (before anything is sent) unless the caller opts in keeps a typo or a stale config from sending credentials in the clear.",
  requires: ["http"],
  mutants: ["allow-http"],
  run: (ctx) => {
    /** Any request that reached the plain-http listener. */
    const judge = (seen: readonly Seen[]): Verdict | undefined => {
      for (const s of seen) {
        const sent = s.scenario.requests().filter((q) => q.listener === "http").length;
        if (sent === 0) continue;
        return verdict.fail(
          `http:// without allow_insecure_http must be refused sending nothing; ${sent} request(s) reached the server`,
          gather(s),
        );
      }
      return undefined;
    };
    return judged(ctx, judge, async () => {
      const scenario = ctx.mock.scenario(OK);
      const session = await ctx.startDriver();
      const ctl = await control(ctx, session);
      if (ctl) return ctl;
      const canary = ctx.newCanary();
      watch(ctx, { scenario, session, canary });
      const conf = await session.call(
        "configure",
        { base_url: scenario.httpBase, token: canary, debug: true },
        CALL_MS,
      );
      if (conf.kind === "no_reply" || conf.kind === "driver_fault") {
        return callFault("configure", conf, { scenario, session });
      }
      if (conf.kind === "sdk_error") {
        return verdict.pass(gather({ scenario, session }, {
          reply: conf.error,
          notes: [`refused at configure: ${describeError(conf.error)}`, TYPE_NOTE],
        }));
      }
      const r = await session.call(
        "request",
        { client: conf.result.client, method: "GET", path: "/plain" },
        CALL_MS,
      );
      if (r.kind === "no_reply" || r.kind === "driver_fault") {
        return callFault("request", r, { scenario, session });
      }
      const sent = judge(seenOf(ctx));
      if (sent) return sent;
      if (r.kind === "ok") {
        return verdict.fail(
          `http:// without allow_insecure_http must be refused sending nothing; got ${describeCall(r)}`,
          gather({ scenario, session }),
        );
      }
      return verdict.pass(gather({ scenario, session }, {
        reply: r.error,
        notes: [`refused at first request, nothing sent: ${describeError(r.error)}`, TYPE_NOTE],
      }));
    });
  },
});

const insecureOptIn = defineCheck<SdkContext>({
  id: "sdk.tls.insecure-opt-in",
  title: "allow_insecure_http really allows http:// (the switch is real)",
  level: "SHOULD",
  source: "000 §2.1 http:// allowed only with explicit allow_insecure_http",
  rationale:
    "Local development needs plain http; if the documented opt-in does not work, developers patch the TLS check out instead. A working, explicit switch lets the secure default stay strict everywhere else.",
  requires: ["http"],
  mutants: ["refuse-http-opt-in"],
  run: (ctx) =>
    judged(ctx, undefined, async () => {
      const s = await setup(ctx, OK, { listener: "http", configure: { allow_insecure_http: true } });
      if (!s.ok) {
        // refusing the http:// base despite the opt-in is this rule's violation, not a kit fault
        if (s.configure?.kind !== "sdk_error") return s.verdict;
        return verdict.fail(
          `with allow_insecure_http an http:// base URL must be accepted; configure failed with ${
            describeError(s.configure.error)
          }`,
          { reply: s.configure.error },
        );
      }
      const r = await request(s.setup, { method: "GET", path: "/plain" });
      if (r.kind === "ok" && r.result.status === 200) {
        const u = unobserved(s.setup, 1, "the http:// request");
        if (u) return u;
        return verdict.pass(gather(s.setup, { notes: ["http:// with allow_insecure_http answered 200"] }));
      }
      if (r.kind === "sdk_error") {
        return verdict.fail(
          `with allow_insecure_http an http:// request must work; got ${describeError(r.error)}`,
          gather(s.setup, { reply: r.error }),
        );
      }
      return callFault("request", r, s.setup);
    }),
});

const verify = defineCheck<SdkContext>({
  id: "sdk.tls.verify",
  title: "A server certificate from an untrusted CA is refused",
  level: "MUST",
  source: "000 §2.1 TLS verification on; 002 §5.2",
  rationale:
    "Without certificate verification anyone who can intercept the connection can pose as the server and collect the token and the data. Encryption alone proves nothing about who is on the other end.",
  requires: ["http", "tls"],
  mutants: ["no-verify"],
  run: (ctx) => {
    /** Any request that reached the listener with the untrusted certificate. */
    const judge = (seen: readonly Seen[]): Verdict | undefined => {
      const s = seen.find((x) => x.scenario.requests().some((q) => q.listener === "untrusted"));
      if (!s) return undefined;
      const n = s.scenario.requests().filter((q) => q.listener === "untrusted").length;
      return verdict.fail(
        `a certificate from an untrusted CA must be refused; ${n} request(s) reached the server`,
        gather(s),
      );
    };
    return judged(ctx, judge, async () => {
      const s = await setup(ctx, OK, { listener: "untrusted", configure: { max_retries: 0 } });
      if (!s.ok) return s.verdict;
      const ctl = await control(ctx, s.setup.session);
      if (ctl) return ctl;
      const r = await request(s.setup, { method: "GET", path: "/secret" });
      if (r.kind === "no_reply" || r.kind === "driver_fault") return callFault("request", r, s.setup);
      const reached = judge([s.setup]);
      if (reached) return reached;
      if (r.kind === "ok") {
        return verdict.fail(
          `a certificate from an untrusted CA must be refused; got ${describeCall(r)}`,
          gather(s.setup),
        );
      }
      return verdict.pass(gather(s.setup, {
        reply: r.error,
        notes: [
          `server cert issued by a second, untrusted CA; refused: ${describeError(r.error)}`,
          TYPE_NOTE,
        ],
      }));
    });
  },
});

/** One https request through a driver started with or without the CA in the environment. */
async function trustedRequest(
  ctx: SdkContext,
  exportCaEnv: boolean,
): Promise<{ verdict: Verdict } | { ok: true; setup: Setup } | { error: SdkError; setup: Setup }> {
  const s = await setup(ctx, OK, exportCaEnv ? {} : { exportCaEnv: false });
  if (!s.ok) return { verdict: s.verdict };
  const r = await request(s.setup, { method: "GET", path: "/ca" });
  if (r.kind === "ok" && r.result.status === 200) {
    const u = unobserved(s.setup, 1, "the https request");
    return u ? { verdict: u } : { ok: true, setup: s.setup };
  }
  if (r.kind === "sdk_error") return { error: r.error, setup: s.setup };
  if (r.kind === "ok") {
    return { verdict: verdict.error(`cannot judge: the https request answered ${describeCall(r)}, not 200`) };
  }
  return { verdict: callFault("request", r, s.setup) };
}

const customCa = defineCheck<SdkContext>({
  id: "sdk.tls.custom-ca",
  title: "A custom CA is trusted, given as ca_cert_pem or in the standard environment variables",
  level: "SHOULD",
  source: "000 §2.1 Allow custom CA bundles (optional parameter or ENV)",
  rationale:
    "Corporate networks and private deployments use their own certificate authorities. If the SDK cannot be told to trust one, users switch verification off entirely, which is far worse.",
  requires: ["http", "tls"],
  mutants: ["ignore-custom-ca"],
  run: (ctx) =>
    judged(ctx, undefined, async () => {
      // First the CA it is given alone (no SSL_CERT_FILE and the like); seed 000 §2.1 accepts an
      // environment variable as well, so a refusal is asked again with the CA exported the standard ways.
      const given = await trustedRequest(ctx, false);
      if ("verdict" in given) return given.verdict;
      if ("ok" in given) {
        return verdict.pass(
          gather(given.setup, { notes: ["trusted the CA given as ca_cert_pem (nothing exported)"] }),
        );
      }
      const env = await trustedRequest(ctx, true);
      if ("verdict" in env) return env.verdict;
      const first = `with ca_cert_pem alone: ${describeError(given.error)}`;
      if ("ok" in env) {
        return verdict.pass(gather(env.setup, {
          notes: [
            first,
            `trusted the CA exported as ${
              CA_ENV_VARS.join(", ")
            } (the environment route seed 000 §2.1 allows)`,
          ],
        }));
      }
      return verdict.fail(
        `a custom CA must be trusted, given as ca_cert_pem or in the environment; ${first}; with ${
          CA_ENV_VARS.join(", ")
        } also set: ${describeError(env.error)}`,
        gather(env.setup, { reply: env.error }),
      );
    }),
});

const pqHybrid = defineCheck<SdkContext>({
  id: "sdk.tls.pq-hybrid",
  title:
    'With tls_pq_mode "hybrid" the SDK completes a handshake with a server that accepts only X25519MLKEM768',
  level: "FUTURE",
  source: "000 §9 PQ toggle hooks (tls_pq_mode)",
  rationale:
    "Traffic recorded today can be decrypted once large quantum computers exist; a hybrid key exchange (X25519 with ML-KEM-768) protects it now and stays as strong as X25519 if ML-KEM falls. The switch only counts if the SDK really connects to a server that offers nothing else (the kit's Go server, which refuses a classical client first; its negotiated group is in the evidence).",
  requires: ["http", "tls", "tls_pq"],
  mutants: ["pq-mode-unsupported"],
  // a first run builds tools/pq_server with Go (bounded at 150 s); later runs start it in milliseconds
  timeLimitMs: 180_000,
  run: runPqHybrid,
});

/** The `sdk.tls.*` checks, in file order. */
export const checks: readonly Check<SdkContext>[] = [
  httpsRequired,
  insecureOptIn,
  verify,
  customCa,
  pqHybrid,
];
