/**
 * The mock server's public shape, used by the checks.
 *
 * @module
 */
import type { RecordedRequest } from "../schema/evidence.ts";
import type { Scenario } from "../schema/scenario.ts";
import type { CertificateAuthority } from "./ca.ts";
import type { HandshakeEvent } from "./_proxy.ts";

export type { HandshakeEvent } from "./_proxy.ts";

/** Options of {@linkcode MockServer.addListener}. */
export interface ExtraListenerOptions {
  /** the listener's name, as recorded requests name it (e.g. "tls-expired"); not a built-in one */
  readonly name: string;
  /** terminate TLS with this chain and key (Deno's TLS), else a plain TCP listener (e.g. behind a Node front) */
  readonly tls?: { readonly cert: string; readonly key: string };
}

/** One more public listener of the mock, on 127.0.0.1, relaying to the same scenarios. */
export interface ExtraListener {
  /** its name (recorded requests carry it as `listener`) */
  readonly name: string;
  /** its port on 127.0.0.1 */
  readonly port: number;
  /** how each TLS handshake on it ended so far, oldest first (at most 1,000; empty when plain) */
  handshakes(): HandshakeEvent[];
  /** run `cleanup` when this listener closes (e.g. stop the Node front in front of it) */
  closeWith(cleanup: () => Promise<void>): void;
  /** close it (the mock's `close()` also does), then run its cleanups */
  close(): Promise<void>;
}

/** A reserved scenario on the mock server. */
export interface ScenarioHandle {
  /** unique id; requests under `/s/<id>/` follow its script */
  readonly id: string;
  /** `https://127.0.0.1:PORT/s/<id>` (trusted CA) — use as the SDK's base_url */
  readonly httpsBase: string;
  /** `http://127.0.0.1:PORT/s/<id>` (plain HTTP) */
  readonly httpBase: string;
  /** `https://127.0.0.1:PORT/s/<id>` served with a cert (same SANs) from the second, untrusted CA */
  readonly untrustedBase: string;
  /** `https://127.0.0.2:PORT/s/<id>` — the foreign origin for redirect checks (trusted CA) */
  readonly foreignBase: string;
  /**
   * every request the scenario got so far, in arrival order; `path` is the part after `/s/<id>`
   * (`"/"` at least), `query` the raw query string without `?`
   */
  requests(): RecordedRequest[];
  /** resolves when the scenario has seen `n` requests, or after `timeoutMs` (returns the count) */
  waitForRequests(n: number, timeoutMs: number): Promise<number>;
  /** stop recording and end open streams of this scenario */
  release(): void;
}

/** The running mock server. */
export interface MockServer {
  /** PEM of the trusted ephemeral CA (give it to the SDK as `ca_cert_pem`) */
  readonly caCertPem: string;
  /** the listeners' ports (all on 127.0.0.1 but `foreign`, which is on 127.0.0.2) */
  readonly ports: { https: number; http: number; untrusted: number; foreign: number };
  /** reserve a scenario */
  scenario(script: Scenario): ScenarioHandle;
  /**
   * the trusted CA itself (its `certPem` is `caCertPem`), to mint more leaves it signs; absent on
   * test fakes of this interface
   */
  readonly ca?: CertificateAuthority;
  /**
   * open one more listener on 127.0.0.1 (per-case TLS listeners); absent on test fakes
   * @throws when the name is taken or the server is closed
   */
  addListener?(opts: ExtraListenerOptions): ExtraListener;
  /** stop every listener */
  close(): Promise<void>;
}
