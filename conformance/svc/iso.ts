/**
 * svc.iso.*: isolation between identities on a server. A resource one identity created is neither
 * readable nor writable by another, lists are scoped to their caller, administrator routes refuse
 * other identities, and 8 identities working at once never see each other's data (OWASP API
 * Security Top 10 2023 API1 and API5; seed 002 §2, seed 004 "Role-Based Access Control").
 * Every probe is bounded; what the kit creates it deletes where the target has a delete route.
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import { type Check, type Verdict, verdict } from "../../src/engine/types.ts";
import { type Exchange, last, type ProbeResponse, type SvcContext } from "./_context.ts";
import { cannotJudge } from "./_util.ts";
import { cleanUp, getAs, isoPair, isoStart, markedBody, newMarker, ok2xx } from "./_iso_ops.ts";
import { adminToken } from "./_iso_identities.ts";
import { judgeConcurrent } from "./_iso_judge.ts";

/** 403 or 404: the refusals that do not confirm the resource to a stranger. */
const refused = (r: ProbeResponse): boolean => r.status === 403 || r.status === 404;
/** 2xx or 3xx: the server did not refuse. */
const accepted = (r: ProbeResponse): boolean => r.status >= 200 && r.status < 400;

const SOURCE_BOLA = "OWASP API Security Top 10 2023 API1 (Broken Object Level Authorization); " +
  "002 §2 Authentication & Authorization";

const objectRead = defineCheck<SvcContext>({
  id: "svc.iso.object-read",
  title: "identity B cannot read a resource identity A created (403 or 404)",
  level: "MUST",
  source: SOURCE_BOLA,
  rationale: "Broken object-level authorization is the first risk of the OWASP API Security Top 10 " +
    "(API1:2023): a server that checks who the caller is but not whether the object is theirs hands " +
    "every record to anyone who can guess or enumerate an id.",
  requires: [],
  mutants: ["no-owner-check"],
  async run(ctx) {
    const s = await isoStart(ctx);
    if (!s.ok) return s.verdict;
    const { iso, b, created } = s.value;
    try {
      const res = await getAs(ctx, b, created.path, "B reads A's");
      const ex = last(ctx.probe);
      if (res.status === 0) return cannotJudge(ctx, [ex], ctx.probe.count);
      const leaked = res.text.includes(created.marker);
      const ev = ctx.probe.evidence([`A's resource: ${created.path}`], [ex]);
      if (accepted(res) || leaked) {
        return verdict.fail(
          `identity B's GET ${created.path} of identity A's resource must be refused (403 or 404); it ` +
            `answered ${res.status}${leaked ? " carrying A's marker" : ""}`,
          ev,
        );
      }
      if (refused(res)) return verdict.pass(ev);
      return verdict.error(
        `cannot judge: identity B's GET ${created.path} answered ${res.status}, neither a refusal (403, 404) ` +
          "nor a read",
        ev,
      );
    } finally {
      await cleanUp(ctx, iso, [created]);
    }
  },
});

const objectWrite = defineCheck<SvcContext>({
  id: "svc.iso.object-write",
  title: "identity B's update and delete of identity A's resource are refused and change nothing",
  level: "MUST",
  source: SOURCE_BOLA,
  rationale: "A server that lets one identity modify or delete another's object (API1:2023) lets any " +
    "customer corrupt or erase every other customer's data; a refusal that still applies the change is " +
    "as bad, so the kit reads the resource back as its owner.",
  requires: [],
  mutants: ["write-no-owner-check"],
  async run(ctx) {
    const s = await isoStart(
      ctx,
      (iso) =>
        iso.update === undefined && !iso.delete
          ? "the [iso] table names neither update nor delete"
          : undefined,
    );
    if (!s.ok) return s.verdict;
    const { iso, a, b, created } = s.value;
    const bad: Exchange[] = [];
    const why: string[] = [];
    const unclear: string[] = [];
    const markB = newMarker("b");
    const readBack = async (after: string): Promise<void> => {
      const res = await getAs(ctx, a, created.path, `A reads back after ${after}`);
      if (res.status === 0) return;
      if (!ok2xx(res) || !res.text.includes(created.marker) || res.text.includes(markB)) {
        bad.push(last(ctx.probe));
        why.push(
          `after B's ${after}, A's GET answered ${res.status}${
            res.text.includes(markB) ? " carrying B's marker" : ok2xx(res) ? " without A's marker" : ""
          }`,
        );
      }
    };
    const attempt = async (method: string, json: unknown, what: string): Promise<Verdict | undefined> => {
      const res = await ctx.probe.send({
        method,
        path: created.path,
        bearer: b.token,
        ...(json === undefined ? {} : { json }),
        label: `B ${what}s A's`,
      });
      const ex = last(ctx.probe);
      if (res.status === 0) return cannotJudge(ctx, [ex], ctx.probe.count);
      if (accepted(res)) {
        bad.push(ex);
        why.push(`B's ${method} ${created.path} answered ${res.status}`);
      } else if (!refused(res)) unclear.push(`B's ${method} answered ${res.status}`);
      await readBack(`${method}`);
      return undefined;
    };
    try {
      if (iso.update !== undefined) {
        const v = await attempt(iso.update.method, markedBody(iso, iso.update.body, markB), "update");
        if (v) return v;
      }
      if (iso.delete) {
        const v = await attempt("DELETE", undefined, "delete");
        if (v) return v;
      }
      const ev = ctx.probe.evidence([`A's resource: ${created.path}`], bad);
      if (bad.length > 0) {
        return verdict.fail(
          `identity B's writes to identity A's resource must be refused (403 or 404) and change nothing; ${
            why.join("; ")
          }`,
          ev,
        );
      }
      if (unclear.length > 0) {
        return verdict.error(
          `cannot judge: ${unclear.join("; ")}, neither a refusal (403, 404) nor a success`,
          ev,
        );
      }
      return verdict.pass(ev);
    } finally {
      await cleanUp(ctx, iso, [created]);
    }
  },
});

const listScoped = defineCheck<SvcContext>({
  id: "svc.iso.list-scoped",
  title: "identity B's list never includes identity A's resources",
  level: "MUST",
  source: SOURCE_BOLA,
  rationale: "A list route that filters nothing is object-level authorization broken in bulk " +
    "(API1:2023): one request returns every identity's records, no id guessing needed.",
  requires: [],
  mutants: ["list-unscoped"],
  async run(ctx) {
    const s = await isoStart(
      ctx,
      (iso) => iso.list === undefined ? "the [iso] table names no list route" : undefined,
    );
    if (!s.ok) return s.verdict;
    const { iso, a, b, created } = s.value;
    const list = iso.list ?? "";
    try {
      const own = await getAs(ctx, a, list, "A lists");
      if (own.status === 0) return cannotJudge(ctx, [last(ctx.probe)], ctx.probe.count);
      if (!ok2xx(own) || !own.text.includes(created.marker)) {
        return verdict.error(
          `cannot judge: identity A's GET ${list} answered ${own.status}${
            ok2xx(own) ? " without A's new resource (a paged list?)" : ""
          }, so B's list not showing it would prove nothing`,
          ctx.probe.evidence(),
        );
      }
      const res = await getAs(ctx, b, list, "B lists");
      const ex = last(ctx.probe);
      if (res.status === 0) return cannotJudge(ctx, [ex], ctx.probe.count);
      const ev = ctx.probe.evidence([`A's resource: ${created.path}`], [ex]);
      if (res.text.includes(created.marker)) {
        return verdict.fail(`identity B's GET ${list} (${res.status}) included identity A's resource`, ev);
      }
      if (!ok2xx(res)) {
        return verdict.error(`cannot judge: identity B's GET ${list} answered ${res.status}`, ev);
      }
      return verdict.pass(ev);
    } finally {
      await cleanUp(ctx, iso, [created]);
    }
  },
});

const functionLevel = defineCheck<SvcContext>({
  id: "svc.iso.function-level",
  title: "routes the target marks as admin refuse a non-admin identity",
  level: "SHOULD",
  source: "OWASP API Security Top 10 2023 API5 (Broken Function Level Authorization); " +
    '004 "Role-Based Access Control"',
  rationale: "Broken function-level authorization is the fifth OWASP API risk (API5:2023): an " +
    "administrative route that only checks that the caller is logged in gives every user the " +
    "administrator's powers; seed 004 has each role get only its own permissions.",
  requires: [],
  mutants: ["admin-unchecked"],
  async run(ctx) {
    const p = await isoPair(
      ctx,
      (iso) => iso.admin.length === 0 ? "the [iso] table names no admin route" : undefined,
    );
    if (!p.ok) return p.verdict;
    const { iso, a } = p.value;
    const admin = await adminToken(ctx.target.credentials, iso);
    const notes = [
      admin === undefined
        ? "no administrator identity ([iso] admin_token_env or admin_claims): the routes' working for an admin is not proven"
        : "an administrator identity proved each route works",
    ];
    const bad: Exchange[] = [];
    const unclear: string[] = [];
    for (const r of iso.admin) {
      const req = { method: r.method, path: r.path, ...(r.body === undefined ? {} : { json: r.body }) };
      if (admin !== undefined) {
        const ok = await ctx.probe.send({ ...req, bearer: admin, label: "baseline: admin" });
        if (ok.status === 0) return cannotJudge(ctx, [last(ctx.probe)], ctx.probe.count, notes);
        if (!ok2xx(ok)) {
          return verdict.error(
            `baseline failed: ${r.method} ${r.path} as the administrator answered ${ok.status}, so a refusal ` +
              "would prove nothing",
            ctx.probe.evidence(notes),
          );
        }
      }
      const res = await ctx.probe.send({ ...req, bearer: a.token, label: "non-admin" });
      if (res.status === 0) return cannotJudge(ctx, [last(ctx.probe)], ctx.probe.count, notes);
      if (accepted(res)) bad.push(last(ctx.probe));
      else if (res.status !== 401 && !refused(res)) unclear.push(`${r.method} ${r.path} → ${res.status}`);
    }
    const ev = ctx.probe.evidence(notes, bad);
    if (bad.length > 0) {
      return verdict.fail(
        `admin routes must refuse a non-admin identity (401, 403 or 404); ${
          bad.map((e) => `${e.method} ${e.path} → ${e.status}`).join(", ")
        }`,
        ev,
      );
    }
    if (unclear.length > 0) {
      return verdict.error(`cannot judge: ${unclear.join(", ")}, neither a refusal nor a success`, ev);
    }
    return verdict.pass(ev);
  },
});

const concurrent = defineCheck<SvcContext>({
  id: "svc.iso.concurrent",
  title: "8 identities working at once never receive one another's data",
  level: "MUST",
  source: SOURCE_BOLA,
  rationale: "A response cache keyed without the credential, or a per-request current user kept in a " +
    "module global and read after an await, passes every one-at-a-time test and leaks one identity's " +
    "data to another as soon as requests overlap; only identities working at the same time show it.",
  requires: [],
  mutants: ["shared-cache", "global-current-user"],
  timeLimitMs: 45_000,
  run: (ctx) => judgeConcurrent(ctx),
});

/** The checks of this area (svc.iso.*). */
export const checks: readonly Check<SvcContext>[] = [
  objectRead,
  objectWrite,
  listScoped,
  functionLevel,
  concurrent,
];
