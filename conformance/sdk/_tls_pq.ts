/**
 * The work of `sdk.tls.pq-hybrid` (seed 000 §9 "PQ toggle hooks"): an SDK instance configured with
 * `tls_pq_mode: "hybrid"` must complete a request through a TLS 1.3 server that accepts only the
 * hybrid group X25519MLKEM768 (`tools/pq_server`, see `_pq_server.ts`). The server refuses a
 * classical client first (the negative control: a server that would accept one proves nothing),
 * and reports the group of every connection, which goes into the evidence. Internal to the suite.
 *
 * @module
 */
import type { SdkContext } from "../../src/engine/sdk_context.ts";
import { type Verdict, verdict } from "../../src/engine/types.ts";
import { describeError } from "../../src/driver/describe.ts";
import { generateCa, issueLeaf } from "../../src/mock/ca.ts";
import { CALL_MS, callFault, gather, QUICK_TIMEOUTS, unobserved } from "./_helpers.ts";
import { judged, watch } from "./_judge.ts";
import { locatePqServer, type PqEvent, type PqFront, startPqFront } from "./_pq_server.ts";

/** The only key exchange group the test server accepts. */
export const PQ_GROUP = "X25519MLKEM768";

const OK = { responses: [{ status: 200, body: { kind: "json" as const, value: { ok: true } } }] };

/**
 * One connection in words, for the evidence.
 *
 * @param e the server's report of the connection
 * @param i its 1-based number
 * @returns the note
 * @example
 * ```ts
 * import { describePqEvent } from "./_tls_pq.ts";
 * const n = describePqEvent({ event: "tls_error", message: "no key exchange", offered_groups: ["X25519"] }, 1);
 * if (n !== 'connection 1: refused by the server ("no key exchange"); the client offered X25519') throw new Error(n);
 * ```
 */
export function describePqEvent(e: PqEvent, i: number): string {
  const offered = `the client offered ${
    e.offered_groups.length > 0 ? e.offered_groups.join(", ") : "no groups"
  }`;
  if (e.event === "tls_error") {
    return `connection ${i}: refused by the server (${JSON.stringify(e.message)}); ${offered}`;
  }
  return `connection ${i}: negotiated group ${e.group} (${e.version}, ${e.cipher}${
    e.alpn ? `, ALPN ${e.alpn}` : ""
  }); ${offered}`;
}

/**
 * Run the check: find or build the server, prove it refuses a classical client, then configure a
 * hybrid-mode instance against it and send one request.
 *
 * @param ctx the check's context
 * @returns the verdict
 */
export function runPqHybrid(ctx: SdkContext): Promise<Verdict> {
  return judged(ctx, undefined, async () => {
    const loc = await locatePqServer();
    if (!loc.ok) {
      return loc.kind === "unavailable" ? verdict.notApplicable(loc.reason) : verdict.error(loc.reason);
    }
    const ca = await generateCa({ commonName: "conformance-kit PQ test CA" });
    const leaf = await issueLeaf(ca, { dns: ["localhost"], ips: ["127.0.0.1"] });
    const started = await startPqFront({
      serverPath: loc.path,
      certChainPem: leaf.chainPem,
      keyPem: leaf.keyPem,
      upstreamPort: ctx.mock.ports.http,
    });
    if (!started.ok) return verdict.error(started.reason);
    try {
      return await throughFront(ctx, started.front, ca.certPem, [
        `PQ test server: tools/pq_server (${loc.how}) on 127.0.0.1:${started.front.port}, TLS 1.3 only, ` +
        `key exchange group ${PQ_GROUP} only; configured tls_pq_mode "hybrid" and the server's own CA`,
      ]);
    } finally {
      await started.front.close();
    }
  });
}

/** The negative control, then one hybrid-mode instance and one request through the front. */
async function throughFront(
  ctx: SdkContext,
  front: PqFront,
  caPem: string,
  notes: string[],
): Promise<Verdict> {
  const probe = front.classicalProbe;
  if (!probe.refused) {
    return verdict.error(
      `cannot judge: the PQ test server did not refuse a client offering only X25519 (${probe.error ?? ""})`,
      { notes },
    );
  }
  notes.push(`negative control: a client offering only X25519 was refused (${probe.error ?? "refused"})`);
  const scenario = ctx.mock.scenario(OK);
  const session = await ctx.startDriver();
  const canary = ctx.newCanary();
  watch(ctx, { scenario, session, canary });
  const conf = await session.call("configure", {
    base_url: `https://127.0.0.1:${front.port}${new URL(scenario.httpBase).pathname}`,
    token: canary,
    ca_cert_pem: caPem,
    tls_pq_mode: "hybrid",
    timeouts: { ...QUICK_TIMEOUTS },
    max_retries: 0,
    debug: true,
  }, CALL_MS);
  if (conf.kind === "sdk_error") {
    return verdict.fail(
      `with tls_pq_mode "hybrid" the SDK must connect over a hybrid key exchange; configure refused it: ${
        describeError(conf.error)
      }`,
      gather({ scenario, session }, { reply: conf.error, notes }),
    );
  }
  if (conf.kind !== "ok") return callFault("configure", conf, { scenario, session });
  const r = await session.call(
    "request",
    { client: conf.result.client, method: "GET", path: "/pq" },
    CALL_MS,
  );
  if (r.kind === "no_reply" || r.kind === "driver_fault") {
    return callFault("request", r, { scenario, session });
  }
  const events = await front.waitForEvents(1, 1_000);
  notes.push(...events.map((e, i) => describePqEvent(e, i + 1)));
  if (events.length === 0) notes.push("the server saw no TLS connection");
  if (r.kind === "sdk_error") {
    return verdict.fail(
      `with tls_pq_mode "hybrid" the SDK must complete a handshake with a server that accepts only ${PQ_GROUP}; ` +
        `got ${describeError(r.error)}${events.length === 0 ? " and the server saw no connection" : ""}`,
      gather({ scenario, session }, { reply: r.error, notes }),
    );
  }
  const u = unobserved({ scenario, session }, 1, "the request through the PQ test server");
  if (u) return u;
  if (!events.some((e) => e.event === "handshake" && e.group === PQ_GROUP)) {
    return verdict.error(
      `cannot judge: the request arrived but the PQ test server reported no ${PQ_GROUP} handshake`,
      gather({ scenario, session }, { notes }),
    );
  }
  return verdict.pass(gather({ scenario, session }, { notes }));
}
