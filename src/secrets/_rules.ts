/**
 * Each rule a planned `secrets.*` check will judge, written against the in-test fake (test-only):
 * a scenario that returns `null` when the client keeps the rule, else what it did. The reference
 * must keep every rule, and each mutant must break the rule its fault is named after
 * (`SECRETS_FAULT_RULES`), which is how `faults_test.ts` proves the fault table. These are
 * prototypes of the checks, not the checks. Internal.
 *
 * @module
 */
import { loadFixtures } from "../schema/fixture.ts";
import { secretsBehaviourOf, type SecretsFault } from "./_faults.ts";
import { guardUri } from "./_guard.ts";
import { errorOf, type Harness, harness } from "./_harness.ts";
import { SecretsError } from "./errors.ts";

/** A rule's scenario: `null` when kept, else what broke it. */
export type Rule = (fault: SecretsFault | undefined) => Promise<string | null>;

const URI = "openbao+kv2://secret/app/api";

function codeOf(e: unknown): string {
  return e instanceof SecretsError ? e.code : e === undefined ? "success" : `thrown ${String(e)}`;
}

/** Run a scenario on a fresh harness, closed afterwards. */
function rule(fn: (h: Harness) => Promise<string | null>): Rule {
  return async (fault) => {
    const h = harness(fault);
    try {
      return await fn(h);
    } catch (e) {
      return `the scenario threw ${String(e)}`;
    } finally {
      await h.close();
    }
  };
}

/** Expect a call to fail with `code` after at most `maxRequests` requests in all. */
async function refused(
  h: Harness,
  p: Promise<unknown>,
  code: string,
  maxRequests = 0,
): Promise<string | null> {
  const got = codeOf(await errorOf(p));
  if (got !== code) return `expected ${code}, got ${got}`;
  const n = h.bao.requests.length;
  return n > maxRequests ? `expected at most ${maxRequests} requests, ${n} were sent` : null;
}

/** The rules, by planned check id. */
export const SECRETS_RULES: Readonly<Record<string, Rule>> = {
  "secrets.uri.canonical": async (fault) => {
    const b = secretsBehaviourOf(fault);
    const wrong: string[] = [];
    for (const g of await loadFixtures("secret_uri")) {
      for (const c of g.cases) {
        if (!("canonical" in c.expected)) continue;
        const r = guardUri(c.input.pointer, c.input.tenant_id, c.input.allowed_mounts, b);
        if (!r.ok || r.uri.canonical !== c.expected.canonical) wrong.push(c.description);
      }
    }
    return wrong.length ? `wrong canonical form: ${wrong.join("; ")}` : null;
  },
  "secrets.uri.rejected-before-send": rule(async (h) => {
    const c = h.client();
    const cases: [string, string][] = [
      ["openbao://secret/app/../admin", "dot_segment"],
      ["openbao://secret/app/%2Fetc", "encoded_slash"],
      ["openbao://secret/app//api", "empty_segment"],
      ["openbao://secret/app/api/", "empty_segment"],
      ["openbao://secret/app/*/api", "wildcard"],
    ];
    for (const [p, code] of cases) {
      const why = await refused(h, c.getSecret(p, h.ctx), code);
      if (why) return `${p}: ${why}`;
    }
    return null;
  }),
  "secrets.uri.foreign-mount": rule(async (h) =>
    await refused(h, h.client().getSecret("openbao://secret2/app/api", h.ctx), "mount_not_allowed")
  ),
  "secrets.kv.pinned-version": rule(async (h) => {
    for (let i = 1; i <= 3; i++) h.bao.put("secret/app/api", { v: i });
    const r = await errorOf(h.client().getSecret(`${URI}?version=2`, h.ctx));
    const sent = h.bao.requests.find((q) => q.target.includes("/data/"))?.target ?? "";
    if (!/[?&]version=2(&|$)/.test(sent)) return `version=2 was not sent (${sent})`;
    return r === undefined ? null : `a pinned read gave ${codeOf(r)}`;
  }),
  "secrets.kv.version-mismatch": rule(async (h) => {
    for (let i = 1; i <= 3; i++) h.bao.put("secret/app/api", { v: i });
    h.bao.answerVersion = 3;
    const got = codeOf(await errorOf(h.client().getSecret(`${URI}?version=2`, h.ctx)));
    return got === "version_mismatch" ? null : `an answer for version 3 to a pin of 2 gave ${got}`;
  }),
  "secrets.kv.nonpositive-version": rule(async (h) => {
    h.bao.put("secret/app/api", { v: 1 });
    const c = h.client();
    for (const v of ["0", "-1"]) {
      const why = await refused(h, c.getSecret(`${URI}?version=${v}`, h.ctx), "bad_version");
      if (why) return `version=${v}: ${why}`;
    }
    return null;
  }),
  "secrets.kv.deleted": rule(async (h) => {
    h.bao.put("secret/app/api", { v: 1 });
    h.bao.put("secret/app/api", { v: 2 });
    h.bao.softDelete("secret/app/api", 1);
    const got = codeOf(await errorOf(h.client().getSecret(`${URI}?version=1`, h.ctx)));
    return got === "version_deleted" ? null : `a soft-deleted version gave ${got}`;
  }),
  "secrets.kv.destroyed": rule(async (h) => {
    h.bao.put("secret/app/api", { v: 1 });
    h.bao.put("secret/app/api", { v: 2 });
    h.bao.destroy("secret/app/api", 1);
    const got = codeOf(await errorOf(h.client().getSecret(`${URI}?version=1`, h.ctx)));
    return got === "version_destroyed" ? null : `a destroyed version gave ${got}`;
  }),
  "secrets.kv.missing": rule(async (h) => {
    h.bao.put("secret/app/api", { v: 1 });
    const c = h.client();
    for (const p of ["openbao://secret/app/none", `${URI}?version=9`]) {
      const got = codeOf(await errorOf(c.getSecret(p, h.ctx)));
      if (got !== "not_found") return `${p}: a missing secret gave ${got}`;
    }
    return null;
  }),
  "secrets.kv.forbidden-not-retried": rule(async (h) => {
    h.bao.put("secret/app/api", { v: 1 });
    h.bao.forbidden.add("secret/app/api");
    const got = codeOf(await errorOf(h.client({ maxRetries: 2 }).getSecret(URI, h.ctx)));
    const n = h.bao.counts().kvReads;
    return got === "permission_denied" && n === 1 ? null : `403: ${got} after ${n} reads`;
  }),
  "secrets.wrap.creation-path": rule(async (h) => {
    h.bao.put("secret/app/api", { v: 1 });
    h.bao.creationPath = () => "secret/data/other/path";
    const why = await refused(h, h.client({ wrapTtlS: 60 }).getSecret(URI, h.ctx), "wrapping", 2);
    return why ?? (h.bao.counts().unwraps === 0 ? null : "unwrapped a token of another path");
  }),
  "secrets.wrap.deleted-at-unwrap": rule(async (h) => {
    h.bao.put("secret/app/api", { v: 1 });
    h.bao.softDelete("secret/app/api", 1);
    h.bao.pdp = () => ({ allow: { wrap_ttl_s: 60 } });
    const got = codeOf(await errorOf(h.client().getSecret(URI, h.ctx)));
    return got === "version_deleted" ? null : `a 404 at unwrap gave ${got}`;
  }),
  "secrets.wrap.single-unwrap": rule(async (h) => {
    h.bao.put("secret/app/api", { v: 1 });
    h.bao.put("secret/app/api", { v: 2 });
    h.bao.softDelete("secret/app/api", 1);
    const c = h.client({ wrapTtlS: 60 });
    await c.getSecret(`${URI}?version=2`, h.ctx);
    await errorOf(c.getSecret(`${URI}?version=1`, h.ctx));
    const n = h.bao.counts().unwraps;
    return n === 2 ? null : `2 wrapped reads made ${n} unwraps`;
  }),
  "secrets.token.header-only": rule(async (h) => {
    h.bao.put("secret/app/api", { v: 1 });
    h.bao.forbidden.add("secret/app/denied");
    const c = h.client();
    const seen: string[] = [];
    await c.getSecret(URI, h.ctx);
    const e = await errorOf(c.getSecret("openbao://secret/app/denied", h.ctx));
    seen.push(String(e), e instanceof Error ? e.message : "", ...h.logs, JSON.stringify(c.auditRecords()));
    for (const r of h.bao.requests) {
      const { "x-vault-token": _allowed, ...other } = r.headers;
      seen.push(r.target, r.body, JSON.stringify(other));
    }
    return seen.some((s) => s.includes(h.token)) ? "the token appears outside X-Vault-Token" : null;
  }),
  "secrets.token.no-foreign-redirect": rule(async (h) => {
    h.bao.put("secret/app/api", { v: 1 });
    h.bao.redirected.add("secret/app/api");
    const got = codeOf(await errorOf(h.client().getSecret(URI, h.ctx)));
    const n = h.bao.counts().foreign;
    return n === 0 ? null : `${n} requests reached the foreign origin (${got})`;
  }),
  "secrets.pep.audience": rule(async (h) => {
    h.bao.put("secret/app/api", { v: 1 });
    const got = codeOf(await errorOf(h.client().getSecret(URI, { ...h.ctx, aud: ["other"] })));
    const n = h.bao.counts().kvReads;
    return got === "audience_mismatch" && n === 0 ? null : `aud [other]: ${got}, ${n} KV reads`;
  }),
  "secrets.pep.jti-replay": rule(async (h) => {
    h.bao.put("secret/app/api", { v: 1 });
    const c = h.client();
    const ctx = { ...h.ctx, jti: "j-1" };
    await c.getSecret(URI, ctx);
    const again = codeOf(await errorOf(c.getSecret(URI, ctx)));
    if (again !== "replay") return `a JTI replayed within the window gave ${again}`;
    h.clock.now += 301;
    const later = codeOf(await errorOf(c.getSecret(URI, ctx)));
    return later === "success" ? null : `a JTI after its window gave ${later}`;
  }),
  "secrets.pep.binding-drift": rule(async (h) => {
    h.bao.put("secret/app/api", { v: 1 });
    const c = h.client();
    await c.getSecret(URI, { ...h.ctx, cnfJkt: "jkt-A" });
    const got = codeOf(await errorOf(c.getSecret(URI, { ...h.ctx, cnfJkt: "jkt-B" })));
    return got === "binding_drift" ? null : `another binding on a cached grant gave ${got}`;
  }),
  "secrets.pep.single-use": rule(async (h) => {
    h.bao.put("secret/app/api", { v: 1 });
    h.bao.pdp = () => ({ delayMs: 20, then: { allow: { max_uses: 1 } } });
    const c = h.client();
    const all = await Promise.all(Array.from({ length: 16 }, () => errorOf(c.getSecret(URI, h.ctx))));
    const ok = all.filter((e) => e === undefined).length;
    const n = h.bao.counts().kvReads;
    return ok === 1 && n === 1
      ? null
      : `16 concurrent calls on a single-use grant: ${ok} values, ${n} KV reads`;
  }),
  "secrets.pep.grant-key": rule(async (h) => {
    h.bao.put("secret/app/api", { v: 1 });
    h.bao.pdp = (q) => q.tenant === "dev" ? { allow: {} } : { deny: "not this tenant" };
    const dev = h.client();
    await dev.getSecret(`${URI}?version=1`, h.ctx);
    await dev.getSecret("OpenBao://secret/app/%61pi?version=1", h.ctx);
    if (h.bao.counts().pdp !== 1) return `two spellings of one URI asked the PDP ${h.bao.counts().pdp} times`;
    const prod = codeOf(await errorOf(h.client({ tenant: "prod" }).getSecret(`${URI}?version=1`, h.ctx)));
    return prod === "denied" ? null : `another tenant's call on a cached grant gave ${prod}`;
  }),
  "secrets.pep.negative-cache": rule(async (h) => {
    h.bao.put("secret/app/api", { v: 1 });
    h.bao.pdp = () => ({ deny: "no" });
    const c = h.client();
    for (let i = 0; i < 2; i++) await errorOf(c.getSecret(URI, h.ctx));
    if (h.bao.counts().pdp !== 1) return `a cached deny asked the PDP ${h.bao.counts().pdp} times`;
    h.clock.now += 1_201;
    await errorOf(c.getSecret(URI, h.ctx));
    return h.bao.counts().pdp === 2 ? null : "the PDP was not asked again after TTL plus jitter";
  }),
  "secrets.pep.pdp-outage": rule(async (h) => {
    h.bao.put("secret/app/api", { v: 1 });
    h.bao.pdp = () => "outage";
    const c = h.client();
    const none = codeOf(await errorOf(c.getSecret(URI, h.ctx)));
    if (none !== "pdp_unavailable") return `an outage without a grant gave ${none}`;
    h.bao.pdp = () => ({ allow: { ttl_ms: 1_000, max_uses: 5 } });
    await c.getSecret(URI, h.ctx);
    h.bao.pdp = () => "outage";
    h.clock.now += 500;
    const valid = codeOf(await errorOf(c.getSecret(URI, h.ctx)));
    if (valid !== "success") return `an outage with a valid grant gave ${valid}`;
    h.clock.now += 1_000;
    const expired = codeOf(await errorOf(c.getSecret(URI, h.ctx)));
    return expired === "pdp_unavailable" ? null : `an outage with an expired grant gave ${expired}`;
  }),
  "secrets.audit.resource-ref": rule(async (h) => {
    h.bao.put("secret/app/api", { v: 1 });
    const a = h.client();
    await a.getSecret(`${URI}#v`, h.ctx);
    await a.getSecret("OPENBAO://secret/app/api#v", h.ctx);
    const b = h.client({ salt: "salt-2" });
    await b.getSecret(`${URI}#v`, h.ctx);
    const [r1, r2] = a.auditRecords().map((r) => r.resource_ref);
    const r3 = b.auditRecords()[0]?.resource_ref;
    if (r1 === undefined || r1 !== r2) return `two spellings of one URI: resource_ref ${r1} and ${r2}`;
    return r1 !== r3 ? null : "two salts gave the same resource_ref";
  }),
  "secrets.audit.no-leak": rule(async (h) => {
    const value = `value-${crypto.randomUUID()}`;
    h.bao.put("secret/app/api", { v: value });
    const c = h.client();
    const pointer = "openbao://secret/app/api#v";
    await c.getSecret(pointer, h.ctx);
    const text = JSON.stringify(c.auditRecords());
    for (const [what, s] of [["value", value], ["token", h.token], ["URI", pointer], ["path", "app/api"]]) {
      if (s !== undefined && text.includes(s)) return `an audit record holds the ${what}`;
    }
    return null;
  }),
};
