/**
 * The mock OpenBao's public shape: what a scenario script says, what the mock records, and the
 * handles checks hold. See docs/DESIGN.md § "The mock OpenBao and the policy point".
 *
 * @module
 */

/** One version of a scripted secret: its data, and whether it was soft-deleted or destroyed. */
export interface BaoVersion {
  /** the version's key/value data (what KVv2 returns under `data.data`) */
  data: Record<string, unknown>;
  /** "live" (default), "deleted" (soft delete: 404 with the envelope) or "destroyed" */
  state?: "live" | "deleted" | "destroyed";
}

/** A secret the scenario starts with. */
export interface BaoSecret {
  /**
   * the KVv2 mount
   * @default "secret"
   */
  mount?: string;
  /** the path inside the mount, e.g. "myapp/api" (no leading or trailing slash) */
  path: string;
  /** versions 1, 2, … in order */
  versions: BaoVersion[];
}

/**
 * How the vault answers one KV read (`GET /v1/<mount>/data/<path>`) on the scenario's own
 * listeners; steps are taken in order by successive reads, then reads are answered normally.
 * - `serve`: answer from the store; `version` serves that version whatever the request asked (a
 *   response for another version), `creation_path` replaces a wrapped answer's `creation_path`.
 * - `denied`: 403 `{"errors": ["1 error occurred:\n\t* permission denied\n\n"]}`.
 * - `sealed`: 503 `{"errors": ["Vault is sealed"]}`.
 * - `redirect`: a 307 (or `status`) to the same path and query on the foreign origin (127.0.0.2,
 *   same scheme), which answers from the same store and never redirects.
 * - `raw`: this status and JSON body, verbatim.
 * Every step may wait `delay_ms` (at most 60 000) first.
 */
export type BaoReadStep =
  | { kind: "serve"; version?: number; creation_path?: string; delay_ms?: number }
  | { kind: "denied"; delay_ms?: number }
  | { kind: "sealed"; delay_ms?: number }
  | { kind: "redirect"; to: "foreign"; status?: 301 | 302 | 303 | 307 | 308; delay_ms?: number }
  | { kind: "raw"; status: number; body: unknown; delay_ms?: number };

/** The grant of an `allow` answer (every field defaults, see {@linkcode PdpAnswer}). */
export interface PdpGrant {
  id: string;
  ttl_ms: number;
  max_uses: number;
  audience: string;
  binding: string | null;
  wrap_ttl_s: number | null;
}

/**
 * One answer of the policy decision point. `allow` fills the grant's defaults: a fresh `id`,
 * `ttl_ms` 300 000, `max_uses` 1, `audience` "crud.secrets", the call's `binding`, `wrap_ttl_s`
 * null (seed 003 "Configuration" defaults). `outage` is a 503. Any answer may wait `delay_ms`
 * (at most 60 000) first: that is the "slow" PDP.
 */
export type PdpAnswer =
  | { decision: "allow"; grant?: Partial<PdpGrant>; delay_ms?: number }
  | { decision: "deny"; reason?: string; delay_ms?: number }
  | { decision: "outage"; delay_ms?: number };

/** A well-formed PDP request body (docs/PROTOCOL.md § secrets, the kit's PDP wire format). */
export interface PdpRequest {
  subject: string | null;
  tenant: string;
  uri: string;
  action: "execute";
  binding: string | null;
  audience: string[] | null;
  jti: string | null;
}

/** Picks the answer for one PDP call (`n` counts well-formed calls from 0). */
export type PdpResponder = (call: PdpRequest, n: number) => PdpAnswer;

/** A scenario script: the vault's state, its faults, and the PDP's answers. */
export interface BaoScript {
  /**
   * the client token: full access to every mount but `denied` paths (default: a fresh canary,
   * `ronc_` + 32 hex, so the kit's leak scan knows it)
   */
  token?: string;
  /** more tokens, each allowed only the logical paths it lists (`secret/data/x`, or a prefix ending `*`) */
  limitedTokens?: { token: string; allow: string[] }[];
  /** KVv2 mounts (reads elsewhere: 404 "no handler for route") @default ["secret"] */
  mounts?: string[];
  /** the secrets the store starts with */
  secrets?: BaoSecret[];
  /** logical paths the client token may not read (403), exact or a prefix ending in `*` */
  denied?: string[];
  /** the vault starts sealed (every request under /v1/ but the PDP: 503) @default false */
  sealed?: boolean;
  /** per-read faults, in order (see {@linkcode BaoReadStep}) */
  reads?: BaoReadStep[];
  /**
   * the PDP's answers to well-formed calls in order, the last one repeating, or a function
   * @default [{ decision: "allow" }]
   */
  pdp?: PdpAnswer[] | PdpResponder;
}

/** Where a known token was seen in a request, other than as a hash in a token header. */
export interface TokenSighting {
  /** which token: "client", "limited", "wrapping" */
  token: "client" | "limited" | "wrapping";
  /** "request line", "header <name>", "body" */
  where: string;
  /** the form the kit's canary scanner found ("raw", "url-encoded", "base64", …) */
  form: string;
}

/** What a request was, by its route on the vault. */
export type BaoRoute =
  | "kv_read"
  | "kv_write"
  | "kv_delete"
  | "kv_destroy"
  | "unwrap"
  | "pdp"
  | "sys"
  | "other";

/** One request the mock received, recorded before any normalisation, with no raw token in it. */
export interface BaoRequest {
  /** ms since the scenario was made */
  t: number;
  /** 0-based arrival order over the scenario's requests (PDP calls included) */
  seq: number;
  /** "https", "http", "foreign" (https on 127.0.0.2) or "foreign-http" */
  listener: string;
  /** `<listener>:<client port>`: equal ids, one reused connection */
  connection: string;
  /** the request line exactly as sent (known tokens masked `<canary>`) */
  requestLine: string;
  method: string;
  /** the request target's path exactly as sent (no decoding, no dot-segment removal; masked) */
  rawPath: string;
  /** the raw query without `?` ("" when none; masked) */
  rawQuery: string;
  /**
   * every header in arrival order, names lower-cased; values of `x-vault-token` and `authorization`
   * are replaced by `hmac:<16 hex>` (see {@linkcode BaoScenario.hashToken}), known tokens elsewhere
   * masked `<canary>`
   */
  headers: [string, string][];
  /** the body's size in bytes */
  bodySize: number;
  /** the first 4 KiB of the body as UTF-8, known tokens masked */
  body: string;
  /** the route it took */
  route: BaoRoute;
  /** the status the mock answered (0: no answer, e.g. the connection went away) */
  status: number;
  /** the hash of the `X-Vault-Token` value, if any */
  vaultToken?: string;
  /**
   * on the `unwrap` route: the hash of the wrapping token being unwrapped — the body's `token` member
   * when the client sends it there (OpenBao's documented form, with its own token in `X-Vault-Token`),
   * else the `X-Vault-Token` value
   */
  unwrapToken?: string;
  /** known tokens seen anywhere but a token header's value */
  sightings: TokenSighting[];
}

/** One call to the policy decision point. */
export interface PdpCall {
  /** 0-based order of PDP calls (malformed ones included) */
  n: number;
  /** ms since the scenario was made */
  t: number;
  listener: string;
  /** the body, when it was a well-formed {@linkcode PdpRequest} */
  request: PdpRequest | null;
  /** why the body was refused (400), when it was */
  problem?: string;
  /** what the PDP answered: "allow", "deny", "outage" or "invalid" */
  answer: "allow" | "deny" | "outage" | "invalid";
  /** the grant handed out with an `allow` */
  grant?: PdpGrant;
}

/** A reserved scenario: its own listeners, store, PDP and records. */
export interface BaoScenario {
  /** `https://127.0.0.1:PORT` (the kit's trusted CA): the vault address and the PDP's */
  readonly httpsBase: string;
  /** `http://127.0.0.1:PORT` */
  readonly httpBase: string;
  /** `https://127.0.0.2:PORT`: the foreign origin (trusted CA), same store, never redirects */
  readonly foreignBase: string;
  /** `http://127.0.0.2:PORT` */
  readonly foreignHttpBase: string;
  /** `${httpsBase}/v1/pdp/authorize` */
  readonly pdpUrl: string;
  /** the client token */
  readonly token: string;
  /** every request so far (PDP calls included), in arrival order */
  requests(): BaoRequest[];
  /** every PDP call so far */
  pdpCalls(): PdpCall[];
  /** the most vault requests (PDP calls excluded) that were in flight at once */
  inFlightPeak(): number;
  /** the most PDP calls that were in flight at once */
  pdpInFlightPeak(): number;
  /** the hash the records use for a token value (`hmac:<16 hex>`, keyed per mock server) */
  hashToken(token: string): string;
  /** requests beyond the record's bound (10 000), not kept */
  dropped(): number;
  /** seal or unseal the vault from now on */
  setSealed(sealed: boolean): void;
  /** replace the PDP's script from now on (the call count goes on) */
  setPdp(pdp: PdpAnswer[] | PdpResponder): void;
  /** resolves when `n` requests matching `route` (any, if omitted) arrived, or after `timeoutMs` */
  waitFor(n: number, timeoutMs: number, route?: BaoRoute): Promise<number>;
  /** close the listeners and every open connection (idempotent) */
  release(): Promise<void>;
}

/** The running mock: one CA, scenarios with their own listeners. */
export interface BaoMock {
  /** PEM of the trusted CA (give it to the SDK) */
  readonly caCertPem: string;
  /** reserve a scenario: four listeners on loopback */
  scenario(script?: BaoScript): Promise<BaoScenario>;
  /** release every scenario */
  close(): Promise<void>;
}
