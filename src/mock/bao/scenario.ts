/**
 * Scenario helpers for the `secrets.*` checks: script a case from a secret URI in one call, then
 * read what the mock saw (KV reads, the `version` each sent, the raw request lines, where the
 * client token went, PDP calls). The in-flight peaks are on the scenario itself
 * (`inFlightPeak()`, `pdpInFlightPeak()`).
 *
 * @module
 */
import { parseSecretUri } from "../../schema/secret_uri.ts";
import { parseQuery } from "./_paths.ts";
import type {
  BaoReadStep,
  BaoRequest,
  BaoRoute,
  BaoScenario,
  BaoScript,
  PdpAnswer,
  PdpResponder,
} from "./types.ts";

/** A case about one secret. */
export interface SecretCase {
  /** the secret's URI (canonical or not; it must parse), e.g. "openbao+kv2://secret/myapp/api#token" */
  uri: string;
  /**
   * the state of versions 1, 2, … (each holds {@linkcode caseValue}); `[]`: the path is missing
   * @default ["live"]
   */
  versions?: ("live" | "deleted" | "destroyed")[];
  /**
   * the PDP: `slow` allows after `slowMs`; a list or function as in {@linkcode BaoScript.pdp}
   * @default "allow"
   */
  pdp?: "allow" | "deny" | "outage" | "slow" | PdpAnswer[] | PdpResponder;
  /** `slow`'s delay, ms @default 2000 */
  slowMs?: number;
  /**
   * the reads' fault: `denied` (the secret's path is denied to the token: 403 on every read, as a
   * policy does) and `sealed` (503 on every request) last; `redirect-foreign` (a 307 to the foreign
   * origin) and `other-version` (a version other than the one asked for: the URI's `version`, else
   * the latest) answer the first read only; a list of steps is used as is
   * @default "normal"
   */
  reads?: "normal" | "denied" | "sealed" | "redirect-foreign" | "other-version" | BaoReadStep[];
  /** the grant's `wrap_ttl_s` (the wrapping obligation) on `allow` answers */
  wrapTtlS?: number;
  /** the client token @default a fresh canary */
  token?: string;
}

function target(uri: string): { mount: string; path: string; field: string; version: number | null } {
  const p = parseSecretUri(uri, "tenant", []);
  // the mount guard is the SDK's business, not the case's: retry with the URI's own mount allowed
  const mount = /^[^:]+:\/\/([^/?#]+)/.exec(uri)?.[1] ?? "";
  const q = p.ok ? p : parseSecretUri(uri, "tenant", [mount]);
  if (!q.ok) throw new Error(`secretCase: ${q.error.code}: ${q.error.message} (${uri})`);
  return {
    mount: q.uri.mount,
    path: q.uri.path.join("/"),
    field: q.uri.fragment ?? "value",
    version: q.uri.version,
  };
}

/**
 * The data a {@linkcode secretCase} stores in a version: `{ <fragment or "value">: "<mount>/<path>@v<n>" }`.
 *
 * @param uri the case's URI
 * @param version the version (from 1)
 * @returns the version's data
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { caseValue } from "./scenario.ts";
 * assert.deepEqual(caseValue("openbao+kv2://secret/myapp/api#token", 2), { token: "secret/myapp/api@v2" });
 * ```
 */
export function caseValue(uri: string, version: number): Record<string, string> {
  const t = target(uri);
  return { [t.field]: `${t.mount}/${t.path}@v${version}` };
}

/**
 * Script a case: the secret's versions, the PDP's answers and the first read's fault.
 *
 * @param c the case
 * @returns the script for `bao.scenario(…)`
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startBaoMock } from "./server.ts";
 * import { kvReads, secretCase } from "./scenario.ts";
 * const bao = await startBaoMock();
 * const sc = await bao.scenario(secretCase({ uri: "openbao+kv2://secret/myapp/api#token", versions: ["live", "deleted"] }));
 * const res = await fetch(`${sc.httpBase}/v1/secret/data/myapp/api?version=2`, { headers: { "X-Vault-Token": sc.token } });
 * assert.equal(res.status, 404); // soft-deleted: the envelope, data null
 * assert.equal((await res.json()).data.data, null);
 * assert.equal(kvReads(sc).length, 1);
 * await bao.close();
 * ```
 */
export function secretCase(c: SecretCase): BaoScript {
  const t = target(c.uri);
  const states = c.versions ?? ["live"];
  const script: BaoScript = {
    mounts: [t.mount],
    secrets: [{
      mount: t.mount,
      path: t.path,
      versions: states.map((state, i) => ({ data: caseValue(c.uri, i + 1), state })),
    }],
  };
  if (c.token !== undefined) script.token = c.token;
  const grant = c.wrapTtlS === undefined ? {} : { grant: { wrap_ttl_s: c.wrapTtlS } };
  const pdp = c.pdp ?? "allow";
  if (pdp === "allow") script.pdp = [{ decision: "allow", ...grant }];
  else if (pdp === "deny") script.pdp = [{ decision: "deny", reason: "scripted deny" }];
  else if (pdp === "outage") script.pdp = [{ decision: "outage" }];
  else if (pdp === "slow") script.pdp = [{ decision: "allow", ...grant, delay_ms: c.slowMs ?? 2_000 }];
  else script.pdp = pdp;
  const reads = c.reads ?? "normal";
  if (Array.isArray(reads)) script.reads = reads;
  else if (reads === "denied") script.denied = [`${t.mount}/data/${t.path}`];
  else if (reads === "sealed") script.sealed = true;
  else if (reads === "redirect-foreign") script.reads = [{ kind: "redirect", to: "foreign" }];
  else if (reads === "other-version") {
    const asked = t.version ?? states.length;
    const other = asked > 1 ? asked - 1 : asked + 1;
    if (other > states.length) throw new Error("secretCase: other-version needs at least two versions");
    script.reads = [{ kind: "serve", version: other }];
  }
  return script;
}

/**
 * The requests of a route (KV reads by default), on every listener.
 *
 * @param sc the scenario
 * @param route the route @default "kv_read"
 * @returns the requests, in arrival order
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startBaoMock } from "./server.ts";
 * import { kvReads } from "./scenario.ts";
 * const bao = await startBaoMock();
 * const sc = await bao.scenario();
 * await fetch(`${sc.httpBase}/v1/secret/data/a`, { headers: { "X-Vault-Token": sc.token } }).then((r) => r.body?.cancel());
 * assert.deepEqual(kvReads(sc).map((r) => [r.method, r.rawPath, r.status]), [["GET", "/v1/secret/data/a", 404]]);
 * await bao.close();
 * ```
 */
export function kvReads(sc: BaoScenario, route: BaoRoute = "kv_read"): BaoRequest[] {
  return sc.requests().filter((r) => r.route === route);
}

/**
 * The raw `version` query value each KV read sent (null: none), for "the pinned version is sent
 * exactly".
 *
 * @param sc the scenario
 * @returns one entry per KV read
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startBaoMock } from "./server.ts";
 * import { sentVersions } from "./scenario.ts";
 * const bao = await startBaoMock();
 * const sc = await bao.scenario();
 * await fetch(`${sc.httpBase}/v1/secret/data/a?version=3`).then((r) => r.body?.cancel());
 * await fetch(`${sc.httpBase}/v1/secret/data/a`).then((r) => r.body?.cancel());
 * assert.deepEqual(sentVersions(sc), ["3", null]);
 * await bao.close();
 * ```
 */
export function sentVersions(sc: BaoScenario): (string | null)[] {
  return kvReads(sc).map((r) => parseQuery(r.rawQuery).get("version")?.join(",") ?? null);
}

/**
 * The request lines as sent (known tokens masked `<canary>`), of one route or of all.
 *
 * @param sc the scenario
 * @param route only this route @default every route
 * @returns the lines, in arrival order
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startBaoMock } from "./server.ts";
 * import { rawRequest } from "./raw_request.ts";
 * import { requestLines } from "./scenario.ts";
 * const bao = await startBaoMock();
 * const sc = await bao.scenario();
 * await rawRequest(sc.httpBase, "GET", `/v1/secret/data/my//app?t=${sc.token}`);
 * assert.deepEqual(requestLines(sc), ["GET /v1/secret/data/my//app?t=<canary> HTTP/1.1"]);
 * await bao.close();
 * ```
 */
export function requestLines(sc: BaoScenario, route?: BaoRoute): string[] {
  return sc.requests().filter((r) => route === undefined || r.route === route).map((r) => r.requestLine);
}

/** One place the client token went. */
export interface TokenTrailEntry {
  /** the request's order in the scenario */
  seq: number;
  /** the listener: "https", "http", "foreign", "foreign-http" */
  listener: string;
  route: BaoRoute;
  /** "x-vault-token" (its one right place), or a sighting: "request line", "header <name>", "body" */
  how: string;
}

/**
 * Everywhere the scenario's client token went: as `X-Vault-Token` (compared by hash) and every
 * sighting elsewhere (URL, other headers, body), on every listener. "The token only in
 * `X-Vault-Token` and never to another origin" is: every entry has `how: "x-vault-token"` and a
 * listener that does not start with `foreign`.
 *
 * @param sc the scenario
 * @returns the entries, in arrival order
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startBaoMock } from "./server.ts";
 * import { secretCase, tokenTrail } from "./scenario.ts";
 * const bao = await startBaoMock();
 * const sc = await bao.scenario(secretCase({ uri: "openbao+kv2://secret/a#k", reads: "redirect-foreign" }));
 * await fetch(`${sc.httpBase}/v1/secret/data/a`, { headers: { "X-Vault-Token": sc.token } }).then((r) => r.body?.cancel());
 * assert.deepEqual(tokenTrail(sc).map((e) => [e.listener, e.how]), [["http", "x-vault-token"], ["foreign-http", "x-vault-token"]]);
 * await bao.close();
 * ```
 */
export function tokenTrail(sc: BaoScenario): TokenTrailEntry[] {
  const mine = sc.hashToken(sc.token);
  const out: TokenTrailEntry[] = [];
  for (const r of sc.requests()) {
    const base = { seq: r.seq, listener: r.listener, route: r.route };
    if (r.vaultToken === mine) out.push({ ...base, how: "x-vault-token" });
    for (const s of r.sightings) if (s.token === "client") out.push({ ...base, how: s.where });
  }
  return out;
}
