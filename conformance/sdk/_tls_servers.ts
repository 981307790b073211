/**
 * The servers of the `sdk.tls.*` certificate matrix: one listener per case on 127.0.0.1, each with
 * a certificate minted for it by the mock's own CA (or made wrong on purpose: expired, self-signed,
 * for another host, …). Deno's TLS serves what it can; what it cannot (RSA-1024 keys, pinned or
 * legacy protocol versions) a Node TLS front serves (`src/tls/node_front.ts`), piping plaintext to a
 * plain listener of the mock. Minted and started lazily, once per mock server (so once per run),
 * shared by every check that needs the case; everything closes with the mock.
 * Internal to the conformance suite.
 *
 * @module
 */
import type { ExtraListener, MockServer, ScenarioHandle } from "../../src/mock/types.ts";
import {
  type CertificateAuthority,
  type IssuedLeaf,
  issueIntermediate,
  issueLeaf,
  type IssueLeafOptions,
  type KeyKind,
  type SignatureHash,
} from "../../src/mock/ca.ts";
import { certificateFacts } from "../../src/mock/cert_facts.ts";
import { type NodeFront, startNodeFront, type TlsVersion } from "../../src/tls/node_front.ts";

/** The address every case listens on (the name its leaves carry, unless a case says otherwise). */
export const CASE_HOST = "127.0.0.1";
/** The only name a wrong-host leaf is valid for. */
export const OTHER_HOST = "other-host.invalid";
const DAY_MS = 24 * 60 * 60 * 1000;

/** How a case's leaf is minted (all relative to the run's trusted CA). */
export interface LeafSpec {
  /** @default "P-256" */
  readonly key?: KeyKind;
  /** the issuer's signature hash @default "SHA-256" */
  readonly signatureHash?: SignatureHash;
  /** validity as days from now, `[from, to]` @default one hour ago to 2 days ahead */
  readonly validDays?: readonly [number, number];
  /** valid for another host name only (not the address the SDK connects to) */
  readonly otherHostOnly?: boolean;
  /** no common name: the address is in the SAN only */
  readonly omitCommonName?: boolean;
  /** signed by its own key */
  readonly selfSigned?: boolean;
  /** issued by an intermediate CA that the server does not send */
  readonly missingIntermediate?: boolean;
}

/** How a case is served: the leaf, and Node's TLS where Deno's cannot serve it. */
export interface ServerSpec {
  readonly leaf: LeafSpec;
  /** served by Node's OpenSSL with these settings (else by Deno's TLS) */
  readonly node?: {
    readonly minVersion?: TlsVersion;
    readonly maxVersion?: TlsVersion;
    /** `@SECLEVEL=0`, which OpenSSL needs to serve TLS 1.0/1.1 */
    readonly secLevel0?: boolean;
  };
}

/** One running case server. */
export interface CaseServer {
  /** the listener's name (recorded requests carry it) */
  readonly name: string;
  /** the scenario's base URL on this server */
  base(scenario: ScenarioHandle): string;
  /** what the server presents: the leaf's facts, the chain sent, who serves it */
  readonly facts: readonly string[];
  /** how many TLS events it has seen so far */
  eventCount(): number;
  /** the TLS events after the first `after` ones, described (waits up to `settleMs` for a first one) */
  eventsSince(after: number, settleMs: number): Promise<string[]>;
}

/** A case server, or why there is none (no Node: not applicable). */
export type CaseServerResult = { ok: true; server: CaseServer } | { ok: false; unavailable: string };

const servers = new WeakMap<MockServer, Map<string, Promise<CaseServerResult>>>();
const intermediates = new WeakMap<MockServer, Promise<CertificateAuthority>>();

function leafOptions(spec: LeafSpec): IssueLeafOptions {
  const o: IssueLeafOptions = spec.otherHostOnly === true
    ? { dns: [OTHER_HOST] }
    : { ips: [CASE_HOST], ...(spec.omitCommonName === true ? { omitCommonName: true } : {}) };
  if (spec.key !== undefined) o.key = spec.key;
  if (spec.signatureHash !== undefined) o.signatureHash = spec.signatureHash;
  if (spec.selfSigned === true) o.selfSigned = true;
  if (spec.validDays !== undefined) {
    o.notBefore = new Date(Date.now() + spec.validDays[0] * DAY_MS);
    o.notAfter = new Date(Date.now() + spec.validDays[1] * DAY_MS);
  }
  return o;
}

async function mint(mock: MockServer, ca: CertificateAuthority, spec: LeafSpec): Promise<IssuedLeaf> {
  if (spec.missingIntermediate !== true) return issueLeaf(ca, leafOptions(spec));
  let mid = intermediates.get(mock);
  if (mid === undefined) {
    mid = issueIntermediate(ca, { commonName: "conformance-kit mock intermediate CA" });
    intermediates.set(mock, mid);
  }
  return issueLeaf(await mid, leafOptions(spec));
}

async function start(mock: MockServer, name: string, spec: ServerSpec): Promise<CaseServerResult> {
  const { ca, addListener } = mock;
  if (ca === undefined || addListener === undefined) {
    throw new Error("this mock server cannot add per-case TLS listeners");
  }
  const leaf = await mint(mock, ca, spec.leaf);
  // an incomplete chain is the leaf alone; every other case sends the leaf and its issuers
  const chain = spec.leaf.missingIntermediate === true ? leaf.certPem : leaf.chainPem;
  const sent = chain.split("-----BEGIN CERTIFICATE-----").length - 1;
  const facts = [
    `leaf: ${(await certificateFacts(leaf.certPem)).summary}`,
    `chain sent: ${sent} certificate(s)${
      spec.leaf.missingIntermediate === true ? " (the leaf alone; its intermediate CA is not sent)" : ""
    }`,
  ];
  if (spec.node === undefined) {
    const l = addListener.call(mock, { name, tls: { cert: chain, key: leaf.keyPem } });
    facts.push(`served by Deno's TLS (rustls) on ${CASE_HOST}:${l.port}`);
    return { ok: true, server: denoServer(l, facts) };
  }
  const plain = addListener.call(mock, { name });
  const front = await startNodeFront({
    certChainPem: chain,
    keyPem: leaf.keyPem,
    upstreamPort: plain.port,
    ...(spec.node.minVersion ? { minVersion: spec.node.minVersion } : {}),
    ...(spec.node.maxVersion ? { maxVersion: spec.node.maxVersion } : {}),
    ...(spec.node.secLevel0 ? { secLevel0: true } : {}),
  });
  if ("unavailable" in front) {
    await plain.close();
    return { ok: false, unavailable: front.unavailable };
  }
  plain.closeWith(() => front.close());
  const [lo, hi] = [spec.node.minVersion ?? "TLSv1.2", spec.node.maxVersion ?? "TLSv1.3"];
  const versions = lo === hi ? `${lo} only` : `${lo} to ${hi}`;
  facts.push(
    `served by Node's OpenSSL on ${CASE_HOST}:${front.port}, protocols ${versions}${
      spec.node.secLevel0 ? ", @SECLEVEL=0" : ""
    }`,
  );
  return { ok: true, server: nodeServer(name, front, facts) };
}

function denoServer(l: ExtraListener, facts: string[]): CaseServer {
  const described = () =>
    l.handshakes().map((h) =>
      h.ok ? `handshake completed (ALPN ${h.alpn ?? "none"})` : `handshake failed: ${h.message}`
    );
  return {
    name: l.name,
    base: (s) => `https://${CASE_HOST}:${l.port}/s/${s.id}`,
    facts,
    eventCount: () => l.handshakes().length,
    async eventsSince(after, settleMs) {
      const until = performance.now() + settleMs;
      while (l.handshakes().length <= after && performance.now() < until) {
        await new Promise((r) => setTimeout(r, 20));
      }
      return described().slice(after);
    },
  };
}

/**
 * OpenSSL's reason, without its error-queue decoration: `80AC…:error:0A000102:SSL
 * routines:func:unsupported protocol:file.c:1664:` becomes `unsupported protocol`.
 */
function opensslReason(message: string): string {
  const m = /:error:[0-9A-Fa-f]+:[^:]*:[^:]*:([^:]+):/.exec(message);
  return (m?.[1] ?? message).trim();
}

function nodeServer(name: string, front: NodeFront, facts: string[]): CaseServer {
  const described = () =>
    front.events().map((e) =>
      e.event === "handshake"
        ? `handshake completed: ${e.protocol}, ${e.cipher}`
        : `handshake failed: ${opensslReason(e.message)}${e.code ? ` (${e.code})` : ""}`
    );
  return {
    name,
    base: (s) => `https://${CASE_HOST}:${front.port}/s/${s.id}`,
    facts,
    eventCount: () => front.events().length,
    async eventsSince(after, settleMs) {
      await front.waitForEvent(after, settleMs);
      return described().slice(after);
    },
  };
}

/**
 * The server of one case on this mock: minted and started on first use, then shared.
 *
 * @param mock the run's mock server
 * @param name the case's listener name (unique per case)
 * @param spec how the case is served
 * @returns the server, or `{unavailable}` (Node missing) for a case only Node can serve
 */
export function caseServer(mock: MockServer, name: string, spec: ServerSpec): Promise<CaseServerResult> {
  let byName = servers.get(mock);
  if (byName === undefined) {
    byName = new Map();
    servers.set(mock, byName);
  }
  let p = byName.get(name);
  if (p === undefined) {
    p = start(mock, name, spec);
    byName.set(name, p);
  }
  return p;
}
