/**
 * `sdk.tls.*` — transport security: https by default, verified certificates (seed 000 §2.1), and a
 * badssl-style certificate matrix: one server per case on loopback, its certificate minted per run
 * by the kit's CA. Refusals ("must refuse, sending nothing") run a positive control first and are
 * judged from what the case's listener saw; accept-controls tell a client that cannot talk to
 * ordinary servers. The cases are the data table {@linkcode CASES}; the machinery is in `_tls_*.ts`.
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import type { SdkContext } from "../../src/engine/sdk_context.ts";
import { type Check, type Verdict, verdict } from "../../src/engine/types.ts";
import type { SdkError } from "../../src/schema/protocol.ts";
import { CA_ENV_VARS } from "../../src/driver/host.ts";
import { describeCall, describeError } from "../../src/driver/describe.ts";
import { CALL_MS, callFault, gather, request, type Setup, setup, unobserved } from "./_helpers.ts";
import { judged, type Seen, seenOf, watch } from "./_judge.ts";
import { control, OK, TYPE_NOTE } from "./_tls_control.ts";
import { type TlsCase, tlsCaseCheck } from "./_tls_case.ts";
import { envNoDowngrade } from "./_tls_env.ts";
import { runPqHybrid } from "./_tls_pq.ts";

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

const VERIFY = "000 §2.1 TLS verification on; 002 §5.2";
const VALIDITY = "004 Certificate Management (certificate validation, expiry); 000 §2.1";
const PROTOCOLS = "004 Load Balancer Security (ssl_protocols TLSv1.2 TLSv1.3); RFC 8996";
const ORDINARY = "000 §2.1 TLS verification on (and still talk to ordinary servers)";
const LEGACY_V = { secLevel0: true } as const;

/** The certificate matrix: what each case's server presents, and what the SDK must do. */
export const CASES: readonly TlsCase[] = [
  {
    id: "sdk.tls.expired",
    title: "An expired server certificate is refused, sending nothing",
    level: "MUST",
    source: VALIDITY,
    rationale:
      "An expired certificate is no longer vouched for: its key may have been retired, leaked or sold. A client that accepts it accepts whoever holds that key.",
    mutants: ["accept-expired"],
    expect: "refuse",
    what: "an expired leaf certificate",
    server: { leaf: { validDays: [-30, -1] } },
  },
  {
    id: "sdk.tls.not-yet-valid",
    title: "A server certificate that is not valid yet is refused, sending nothing",
    level: "MUST",
    source: VALIDITY,
    rationale:
      "A certificate whose validity has not started is either a mistake or pre-issued for later; honouring it means the validity dates are not checked at all.",
    mutants: ["accept-not-yet-valid"],
    expect: "refuse",
    what: "a leaf certificate valid only from tomorrow",
    server: { leaf: { validDays: [1, 30] } },
  },
  {
    id: "sdk.tls.wrong-host",
    title: "A certificate for another host name is refused, sending nothing",
    level: "MUST",
    source: VERIFY,
    rationale:
      "Without the hostname check any valid certificate for any site proves nothing: whoever owns one can intercept the connection and collect the token.",
    mutants: ["no-hostname-check"],
    expect: "refuse",
    what: "a leaf certificate valid only for other-host.invalid",
    server: { leaf: { otherHostOnly: true } },
  },
  {
    id: "sdk.tls.self-signed",
    title: "A self-signed server certificate is refused, sending nothing",
    level: "MUST",
    source: VERIFY,
    rationale:
      "Anyone can make a self-signed certificate for any name; trusting one is the same as not verifying.",
    mutants: ["accept-self-signed"],
    expect: "refuse",
    what: "a self-signed leaf certificate",
    server: { leaf: { selfSigned: true } },
  },
  {
    id: "sdk.tls.incomplete-chain",
    title: "A leaf whose intermediate CA the server does not send is refused, sending nothing",
    level: "SHOULD",
    source: VERIFY,
    rationale:
      "A chain that does not reach a trusted root is unverified. Clients that paper over it (by skipping the chain error) also accept forged chains; fetching the missing intermediate (AIA) is the only sound repair.",
    mutants: ["accept-incomplete-chain"],
    expect: "refuse",
    what: "a leaf issued by an intermediate CA the server does not send",
    server: { leaf: { missingIntermediate: true } },
  },
  {
    id: "sdk.tls.rsa-1024",
    title: "A server certificate with an RSA-1024 key is refused, sending nothing",
    level: "SHOULD",
    source: "000 §2.1 TLS verification on; CA/B Forum Baseline Requirements §6.1.5 (RSA ≥ 2048)",
    rationale:
      "1024-bit RSA is within reach of well-funded attackers and has been banned for public certificates since 2013; a client that accepts it trusts keys that may be broken.",
    mutants: ["accept-rsa-1024"],
    expect: "refuse",
    what: "a leaf certificate with an RSA-1024 key",
    server: { leaf: { key: "RSA-1024" }, node: {} }, // rustls cannot load a 1024-bit key
  },
  {
    id: "sdk.tls.sha1",
    title: "A server certificate signed with SHA-1 is refused, sending nothing",
    level: "SHOULD",
    source: "000 §2.1 TLS verification on; CA/B Forum Baseline Requirements §7.1.3 (no SHA-1)",
    rationale:
      "SHA-1 collisions are practical (SHAttered, 2017; chosen-prefix, 2020): a SHA-1 signature can be transplanted onto a forged certificate.",
    mutants: ["accept-sha1"],
    expect: "refuse",
    what: "a leaf certificate signed with ECDSA-SHA1",
    server: { leaf: { signatureHash: "SHA-1" } },
  },
  {
    id: "sdk.tls.tls10",
    title: "A server that offers only TLS 1.0 is refused, sending nothing",
    level: "MUST",
    source: PROTOCOLS,
    rationale:
      "TLS 1.0 is deprecated (RFC 8996) and open to BEAST-class attacks; a client that still speaks it can be downgraded by anyone on the path.",
    mutants: ["allow-tls10"],
    expect: "refuse",
    what: "a server that speaks TLS 1.0 only",
    server: { leaf: {}, node: { minVersion: "TLSv1", maxVersion: "TLSv1", ...LEGACY_V } },
  },
  {
    id: "sdk.tls.tls11",
    title: "A server that offers only TLS 1.1 is refused, sending nothing",
    level: "MUST",
    source: PROTOCOLS,
    rationale:
      "TLS 1.1 is deprecated (RFC 8996) with SHA-1/MD5 in its handshake; accepting it lets an attacker force the weakest protocol both ends share.",
    mutants: ["allow-tls11", "allow-tls10"],
    expect: "refuse",
    what: "a server that speaks TLS 1.1 only",
    server: { leaf: {}, node: { minVersion: "TLSv1.1", maxVersion: "TLSv1.1", ...LEGACY_V } },
  },
  {
    id: "sdk.tls.ecdsa-p256",
    title: "A server with an ECDSA P-256 certificate is accepted",
    level: "SHOULD",
    source: ORDINARY,
    rationale:
      "P-256 is the most common key on the web; a client that cannot use it cannot reach most servers.",
    mutants: ["refuse-ecdsa"],
    expect: "accept",
    what: "an ECDSA P-256 leaf certificate",
    server: { leaf: { key: "P-256" } },
  },
  {
    id: "sdk.tls.ecdsa-p384",
    title: "A server with an ECDSA P-384 certificate is accepted",
    level: "SHOULD",
    source: ORDINARY,
    rationale: "P-384 keys are required by some policies (CNSA); a client must not fail on them.",
    mutants: ["refuse-ecdsa"],
    expect: "accept",
    what: "an ECDSA P-384 leaf certificate",
    server: { leaf: { key: "P-384" } },
  },
  {
    id: "sdk.tls.rsa-2048",
    title: "A server with an RSA-2048 certificate is accepted",
    level: "SHOULD",
    source: ORDINARY,
    rationale: "RSA-2048 is still the most widely deployed server key; a client must work with it.",
    mutants: ["refuse-rsa"],
    expect: "accept",
    what: "an RSA-2048 leaf certificate",
    server: { leaf: { key: "RSA-2048" } },
  },
  {
    id: "sdk.tls.san-only",
    title: "A certificate naming the host only in its SAN (no common name) is accepted",
    level: "SHOULD",
    source: `${ORDINARY}; RFC 6125 §6.4.4`,
    rationale:
      "Names belong in the subject alternative name; public CAs may omit the common name. A client that matches only the CN breaks on them, and is also easy to fool.",
    mutants: ["cn-only-hostname"],
    expect: "accept",
    what: "a leaf certificate with no common name (its address in the SAN only)",
    server: { leaf: { omitCommonName: true } },
  },
  {
    id: "sdk.tls.tls13-only",
    title: "A server that speaks only TLS 1.3 is accepted",
    level: "SHOULD",
    source: PROTOCOLS,
    rationale: "More and more servers speak TLS 1.3 only; a client stuck at TLS 1.2 cannot reach them.",
    mutants: ["tls12-max"],
    expect: "accept",
    what: "a server that speaks TLS 1.3 only",
    server: { leaf: {}, node: { minVersion: "TLSv1.3", maxVersion: "TLSv1.3" } },
  },
  {
    id: "sdk.tls.tls12-only",
    title: "A server that speaks only TLS 1.2 is accepted",
    level: "SHOULD",
    source: PROTOCOLS,
    rationale: "TLS 1.2 is still the common floor; a client that demands TLS 1.3 cannot reach many servers.",
    mutants: ["tls13-min"],
    expect: "accept",
    what: "a server that speaks TLS 1.2 only",
    server: { leaf: {}, node: { minVersion: "TLSv1.2", maxVersion: "TLSv1.2" } },
  },
];

const envNoDowngradeCheck = defineCheck<SdkContext>({
  id: "sdk.tls.env-no-downgrade",
  title: "Skip-verify variables set to false-like values leave certificate checks on",
  level: "SHOULD",
  source: VERIFY,
  rationale:
    "Clients that read VAULT_SKIP_VERIFY=false (or NODE_TLS_REJECT_UNAUTHORIZED=1) as 'set, so skip' switch verification off exactly where someone wrote that it must stay on (node-vault did).",
  requires: ["http", "tls"],
  mutants: ["env-skip-verify"],
  run: envNoDowngrade,
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
  ...CASES.map(tlsCaseCheck),
  envNoDowngradeCheck,
  pqHybrid,
];
