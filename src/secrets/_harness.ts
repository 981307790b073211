/**
 * The secrets client's test harness (test-only): a {@linkcode FakeBao}, a canary token, a fake clock
 * shared by a grant cache, and clients (reference or one-fault mutant) whose debug logs are kept.
 * Internal.
 *
 * @module
 */
import { FakeBao } from "./_fake_bao.ts";
import { type SecretsFault, withSecretsFault } from "./_faults.ts";
import { SecretsClient } from "./client.ts";
import { GrantCache } from "./grant_cache.ts";
import type { ExecutionContext, PepOptions, SecretsClientOptions } from "./types.ts";

/** Options of {@linkcode Harness.client}: any client option, the PEP's merged (`null`: no PEP). */
export type ClientOverrides = Omit<Partial<SecretsClientOptions>, "pep"> & {
  pep?: Partial<PepOptions> | null;
};

/** A fake vault, a canary token, a fake clock and the clients built on them. */
export interface Harness {
  readonly bao: FakeBao;
  /** the vault token: a canary */
  readonly token: string;
  /** every debug line of every client */
  readonly logs: string[];
  /** the grant cache's clock, in ms (tests move it) */
  readonly clock: { now: number };
  /** the grant cache every client shares */
  readonly cache: GrantCache;
  /** the context calls use unless told otherwise */
  readonly ctx: ExecutionContext;
  /** a client (the harness's fault, if any), closed with the harness */
  client(over?: ClientOverrides): SecretsClient;
  close(): Promise<void>;
}

/**
 * A fresh canary: `ronc_` and 32 random hex digits.
 *
 * @returns the canary
 */
export function canary(): string {
  return `ronc_${crypto.randomUUID().replaceAll("-", "")}`;
}

/**
 * Start a harness.
 *
 * @param fault the clients' fault (undefined: the reference)
 * @returns the harness
 */
export function harness(fault?: SecretsFault): Harness {
  const token = canary();
  const bao = FakeBao.start(token);
  const logs: string[] = [];
  const clock = { now: 1_000_000 };
  const cache = new GrantCache({ now: () => clock.now });
  const clients: SecretsClient[] = [];
  return {
    bao,
    token,
    logs,
    clock,
    cache,
    ctx: { subject: "alice", aud: ["svc"] },
    client(over: ClientOverrides = {}): SecretsClient {
      const { pep, ...rest } = over;
      const base: SecretsClientOptions = {
        vaultAddr: bao.url,
        token,
        tenant: "dev",
        allowedMounts: ["secret"],
        salt: "salt-1",
        allowInsecureHttp: true,
        requestTimeoutMs: 3_000,
        maxRetries: 1,
        debug: true,
        log: (l) => logs.push(l),
        ...rest,
      };
      if (pep !== null) {
        base.pep = {
          pdpAddr: bao.url,
          audience: "svc",
          grantCache: cache,
          pdpTimeoutMs: 1_000,
          negativeTtlMs: 1_000,
          negativeJitterMs: 200,
          antiReplayMs: 300,
          ...pep,
        };
      }
      const c = new SecretsClient(withSecretsFault(base, fault));
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) c.close();
      await bao.close();
    },
  };
}

/**
 * The error a promise rejects with (or `undefined` when it resolves).
 *
 * @param p the promise
 * @returns what it threw
 */
export async function errorOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return e;
  }
}
