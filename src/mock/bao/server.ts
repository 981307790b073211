/**
 * The mock OpenBao and its policy decision point: KVv2 reads, writes, versions, soft delete and
 * destroy, response wrapping and unwrap, sealed and permission errors, the 307 normalisation
 * redirects, redirects to a foreign origin, and `POST /v1/pdp/authorize`, each scenario on its own
 * four loopback listeners:
 *
 * | listener       | address             | TLS                       |
 * | -------------- | ------------------- | ------------------------- |
 * | `https`        | 127.0.0.1:ephemeral | leaf of the mock's CA     |
 * | `http`         | 127.0.0.1:ephemeral | none                      |
 * | `foreign`      | 127.0.0.2:ephemeral | leaf of the mock's CA     |
 * | `foreign-http` | 127.0.0.2:ephemeral | none                      |
 *
 * The foreign listeners serve the same store and tokens but never take the scenario's read steps:
 * they are where a `redirect` step sends a client, so a check sees whether the token followed.
 * Every request is recorded before any normalisation, with no raw token in it (`_record.ts`).
 *
 * @module
 */
import { type CertificateAuthority, generateCa, issueLeaf } from "../ca.ts";
import { Http1Server } from "./_http.ts";
import { TokenRedactor } from "./_record.ts";
import { ScenarioState } from "./_state.ts";
import type { BaoMock, BaoRoute, BaoScenario, BaoScript, PdpAnswer, PdpResponder } from "./types.ts";

/** Options of {@linkcode startBaoMock}. */
export interface StartBaoMockOptions {
  /**
   * the CA whose leaf the HTTPS listeners present (share the run's CA with the other mock)
   * @default a fresh in-memory CA
   */
  ca?: CertificateAuthority;
}

const LOCAL = "127.0.0.1";
const FOREIGN = "127.0.0.2";

/**
 * Start the mock OpenBao: make (or take) a CA and a leaf for `localhost`, 127.0.0.1 and 127.0.0.2.
 * Listeners are bound per scenario.
 *
 * @param opts see {@linkcode StartBaoMockOptions}
 * @returns the mock; `close()` releases every scenario
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startBaoMock } from "./server.ts";
 * const bao = await startBaoMock();
 * const sc = await bao.scenario({ secrets: [{ path: "myapp/api", versions: [{ data: { token: "v1" } }] }] });
 * const res = await fetch(`${sc.httpBase}/v1/secret/data/myapp/api`, { headers: { "X-Vault-Token": sc.token } });
 * assert.equal(res.status, 200);
 * assert.deepEqual((await res.json()).data.data, { token: "v1" });
 * assert.equal(sc.requests()[0]?.requestLine, "GET /v1/secret/data/myapp/api HTTP/1.1");
 * await bao.close();
 * ```
 */
export async function startBaoMock(opts: StartBaoMockOptions = {}): Promise<BaoMock> {
  const ca = opts.ca ?? await generateCa({ commonName: "conformance-kit mock OpenBao CA" });
  const leaf = await issueLeaf(ca, { dns: ["localhost"], ips: [LOCAL, FOREIGN] });
  const redactor = new TokenRedactor();
  const live = new Set<BaoScenario>();
  let closed = false;

  const scenario = (script: BaoScript = {}): Promise<BaoScenario> => {
    if (closed) return Promise.reject(new Error("the mock OpenBao is closed"));
    const st = new ScenarioState(script, redactor);
    const tls = { cert: leaf.chainPem, key: leaf.keyPem, alpnProtocols: ["http/1.1"] };
    const handler = st.handle.bind(st);
    const servers = {
      https: new Http1Server("https", Deno.listenTls({ hostname: LOCAL, port: 0, ...tls }), handler),
      http: new Http1Server("http", Deno.listen({ hostname: LOCAL, port: 0 }), handler),
      foreign: new Http1Server("foreign", Deno.listenTls({ hostname: FOREIGN, port: 0, ...tls }), handler),
      foreignHttp: new Http1Server("foreign-http", Deno.listen({ hostname: FOREIGN, port: 0 }), handler),
    };
    st.foreign = {
      https: `https://${FOREIGN}:${servers.foreign.port}`,
      http: `http://${FOREIGN}:${servers.foreignHttp.port}`,
    };
    const httpsBase = `https://${LOCAL}:${servers.https.port}`;
    let released: Promise<void> | undefined;
    const handle: BaoScenario = {
      httpsBase,
      httpBase: `http://${LOCAL}:${servers.http.port}`,
      foreignBase: st.foreign.https,
      foreignHttpBase: st.foreign.http,
      pdpUrl: `${httpsBase}/v1/pdp/authorize`,
      token: st.token,
      requests: () => st.requests.items.map((r) => structuredClone(r)),
      pdpCalls: () => st.pdpCalls.items.map((c) => structuredClone(c)),
      inFlightPeak: () => st.vaultFlight.peak,
      pdpInFlightPeak: () => st.pdpFlight.peak,
      hashToken: (t: string) => redactor.hash(t),
      dropped: () => st.requests.dropped,
      setSealed: (s: boolean) => {
        st.sealed = s;
      },
      setPdp: (p: PdpAnswer[] | PdpResponder) => {
        st.pdp = p;
      },
      waitFor: (n: number, ms: number, route?: BaoRoute) =>
        st.requests.waitFor(n, ms, (r) => route === undefined || r.route === route, st.released.signal),
      release: () => {
        released ??= (async () => {
          st.released.abort();
          live.delete(handle);
          await Promise.all(Object.values(servers).map((s) => s.close()));
        })();
        return released;
      },
    };
    live.add(handle);
    return Promise.resolve(handle);
  };

  return {
    caCertPem: ca.certPem,
    scenario,
    async close(): Promise<void> {
      closed = true;
      await Promise.all([...live].map((s) => s.release()));
    },
  };
}
