/**
 * The TLS probes of `svc.tls.*`: where the target is, a log of every probe for the evidence, and
 * the two refusal judgements with their positive controls. Protocol versions are probed with
 * Node's OpenSSL (`src/tls/node_probe.ts`), whose ability to offer TLS 1.0/1.1 is proven once per
 * run against a local Node front; suites with raw ClientHellos (`src/tls/client_hello.ts`), which
 * need no library that still implements them.
 *
 * @module
 */
import type { Evidence } from "../../src/engine/types.ts";
import { type Verdict, verdict } from "../../src/engine/types.ts";
import { generateCa, issueLeaf } from "../../src/mock/ca.ts";
import { offerSuites, type OfferSuitesResult, SUITE_CLASSES, suiteName } from "../../src/tls/client_hello.ts";
import { startNodeFront, type TlsVersion } from "../../src/tls/node_front.ts";
import { probeTls, type ProbeTlsOptions, type ProbeTlsResult } from "../../src/tls/node_probe.ts";
import { errorMessage } from "../../src/util/error_message.ts";
import type { Target } from "./target.ts";

/** How long one TLS probe may take. */
export const TLS_PROBE_MS = 5000;

/** Where the target's TLS listener is. */
export interface TlsEndpoint {
  host: string;
  port: number;
  servername: string;
}

/**
 * The target's TLS endpoint (its base URL's host and port).
 *
 * @param target the target
 * @returns host, port and the name to send as SNI
 */
export function tlsEndpoint(target: Target): TlsEndpoint {
  const u = target.baseUrl;
  const host = u.hostname.replace(/^\[|\]$/g, "");
  return { host, port: Number(u.port || 443), servername: host };
}

/** Every probe a check sent, for its evidence. */
export class TlsLog {
  readonly #lines: string[] = [];
  readonly #probes: { label: string; outcome: unknown }[] = [];
  #ms = 0;

  /** Run one Node probe and keep its outcome. */
  async node(label: string, opts: ProbeTlsOptions): Promise<ProbeTlsResult> {
    const t0 = performance.now();
    const r = await probeTls(opts);
    this.#ms += performance.now() - t0;
    const shown = r.kind === "handshake"
      ? { kind: r.kind, protocol: r.protocol, cipher: r.cipher, chain: r.chainDer.length }
      : r;
    this.#probes.push({ label, outcome: shown });
    this.#lines.push(`${label}: ${summary(r)}`);
    return r;
  }

  /** Offer one class of suites in a raw ClientHello and keep the outcome. */
  async hello(label: string, at: TlsEndpoint, suites: readonly number[]): Promise<OfferSuitesResult> {
    const t0 = performance.now();
    const r = await offerSuites({ ...at, suites, timeoutMs: TLS_PROBE_MS });
    this.#ms += performance.now() - t0;
    const shown = r.kind === "accepted" ? { ...r, suiteName: suiteName(r.suite) } : r;
    this.#probes.push({ label, outcome: shown });
    this.#lines.push(
      `${label}: ${r.kind === "accepted" ? `server chose ${suiteName(r.suite)}` : `refused (${r.message})`}`,
    );
    return r;
  }

  /** The evidence: each probe's outcome, with `notes` first. */
  evidence(notes: string[] = []): Evidence {
    return {
      reply: { tls_probes: this.#probes },
      timings: { tls_probes: this.#probes.length, tls_ms: Math.round(this.#ms) },
      notes: [...notes, ...this.#lines],
    };
  }
}

function summary(r: ProbeTlsResult): string {
  switch (r.kind) {
    case "handshake":
      return `handshake ${r.protocol} ${r.cipher}`;
    case "refused":
      return `no handshake (${r.stage}: ${r.message})`;
    case "unavailable":
      return `probe unavailable (${r.hint})`;
    default: {
      const never: never = r;
      return String(never);
    }
  }
}

const VERSION_NAMES: Record<"TLSv1" | "TLSv1.1", string> = { "TLSv1": "TLS 1.0", "TLSv1.1": "TLS 1.1" };
const canOffer = new Map<TlsVersion, Promise<{ ok: true } | { ok: false; why: string }>>();

/**
 * Whether this machine's Node can complete a `version` handshake at all: once per run, against a
 * local Node front that serves it. Without this, a probe that cannot offer TLS 1.0 would look like
 * a server that refuses it. Also the rpc profile's positive control (`conformance/rpc/tls.ts`).
 *
 * @param version the legacy version
 * @returns whether this Node can offer it, or why not
 */
export function selfTest(version: "TLSv1" | "TLSv1.1"): Promise<{ ok: true } | { ok: false; why: string }> {
  let p = canOffer.get(version);
  if (p === undefined) {
    p = (async () => {
      const ca = await generateCa({ commonName: "conformance-kit probe self-test CA" });
      const leaf = await issueLeaf(ca, { ips: ["127.0.0.1"] });
      const front = await startNodeFront({
        certChainPem: leaf.chainPem,
        keyPem: leaf.keyPem,
        upstreamPort: 9,
        minVersion: version,
        maxVersion: version,
        secLevel0: true,
      });
      if ("unavailable" in front) return { ok: false as const, why: front.unavailable };
      try {
        const r = await probeTls({
          host: "127.0.0.1",
          port: front.port,
          servername: "127.0.0.1",
          minVersion: version,
          maxVersion: version,
          secLevel0: true,
          timeoutMs: TLS_PROBE_MS,
        });
        if (r.kind === "handshake") return { ok: true as const };
        return { ok: false as const, why: r.kind === "unavailable" ? r.hint : `${r.stage}: ${r.message}` };
      } finally {
        await front.close();
      }
    })().catch((e) => ({ ok: false as const, why: errorMessage(e) }));
    canOffer.set(version, p);
    // keep a success for the run; a failure (Node missing, a slow machine) is tried again next time
    p.then((r) => r.ok || canOffer.delete(version));
  }
  return p;
}

/**
 * Judge "the server refuses `version`": the probe must first prove it can offer `version` (self-test)
 * and complete a TLS 1.2+ handshake with the target (positive control); then a handshake offering
 * only `version` must fail.
 *
 * @param target the target
 * @param version the legacy version
 * @returns the verdict
 */
export async function legacyRefusal(target: Target, version: "TLSv1" | "TLSv1.1"): Promise<Verdict> {
  const name = VERSION_NAMES[version];
  const at = tlsEndpoint(target);
  const log = new TlsLog();
  const self = await selfTest(version);
  if (!self.ok) {
    return verdict.notApplicable(
      `the kit cannot offer ${name} here, so a refusal would prove nothing: ${self.why}`,
    );
  }
  const base = { ...at, timeoutMs: TLS_PROBE_MS, ...(target.caCertPem ? { caPem: [target.caCertPem] } : {}) };
  const control = await log.node("control: TLS 1.2 or later", { ...base, minVersion: "TLSv1.2" });
  if (control.kind === "unavailable") return verdict.notApplicable(control.hint);
  if (control.kind !== "handshake") {
    return verdict.error(
      `cannot judge: the probe could not complete a TLS 1.2+ handshake with the target either, so a ` +
        `refusal of ${name} would prove nothing`,
      log.evidence(),
    );
  }
  const legacy = await log.node(`${name} only`, {
    ...base,
    minVersion: version,
    maxVersion: version,
    secLevel0: true,
  });
  const notes = [`self-test: this Node completes a ${name} handshake with a local ${name} server`];
  switch (legacy.kind) {
    case "handshake":
      return verdict.fail(
        `the server completed a ${legacy.protocol} handshake (${legacy.cipher}) with a client offering only ${name}`,
        log.evidence(notes),
      );
    case "refused":
      if (legacy.stage === "handshake") return verdict.pass(log.evidence(notes));
      return verdict.error(
        `cannot judge: the ${name} probe got no handshake answer (${legacy.stage}: ${legacy.message}), ` +
          "which tells a refusal from an unreachable server no better than silence",
        log.evidence(notes),
      );
    case "unavailable":
      return verdict.notApplicable(legacy.hint);
    default: {
      const never: never = legacy;
      return verdict.error(`unexpected probe result ${String(never)}`);
    }
  }
}

/** The weak classes `svc.tls.no-weak-suites` offers, one ClientHello each. */
export const WEAK_CLASSES = ["NULL", "anonymous", "RC4", "3DES"] as const;

/**
 * Judge "no NULL, anonymous, RC4 or 3DES suite is accepted": a ClientHello offering strong TLS 1.2
 * suites must be answered (positive control; a TLS 1.3-only server proves it with a TLS 1.3
 * handshake instead), then one ClientHello per weak class must be refused.
 *
 * @param target the target
 * @returns the verdict
 */
export async function weakSuites(target: Target): Promise<Verdict> {
  const at = tlsEndpoint(target);
  const log = new TlsLog();
  const notes: string[] = [];
  const control = await log.hello("control: strong TLS 1.2 suites", at, SUITE_CLASSES.strong);
  if (control.kind !== "accepted") {
    const tls13 = await log.node("control: TLS 1.3", {
      ...at,
      minVersion: "TLSv1.3",
      timeoutMs: TLS_PROBE_MS,
    });
    if (tls13.kind === "unavailable") {
      return verdict.notApplicable(`the server refused the strong TLS 1.2 suites; ${tls13.hint}`);
    }
    if (tls13.kind !== "handshake") {
      return verdict.error(
        "cannot judge: the server chose none of the strong TLS 1.2 suites offered and no TLS 1.3 handshake " +
          "completed, so refusals of weak suites would prove nothing",
        log.evidence(),
      );
    }
    notes.push("the server speaks TLS 1.3 only (it has no NULL, anonymous, RC4 or 3DES suites)");
  }
  const accepted: string[] = [];
  const silent: string[] = [];
  for (const cls of WEAK_CLASSES) {
    const r = await log.hello(`${cls} suites only`, at, SUITE_CLASSES[cls]);
    if (r.kind === "accepted") accepted.push(`${cls}: ${suiteName(r.suite)}`);
    else if (r.stage !== "handshake") silent.push(`${cls} (${r.stage}: ${r.message})`);
  }
  if (accepted.length > 0) {
    return verdict.fail(
      `the server accepted weak suites when only those were offered: ${accepted.join("; ")}`,
      log.evidence(notes),
    );
  }
  if (silent.length > 0) {
    return verdict.error(`cannot judge: no answer to ${silent.join("; ")}`, log.evidence(notes));
  }
  return verdict.pass(log.evidence(notes));
}
