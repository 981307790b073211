/**
 * `sdk.redirect.*` — credentials on redirects: never to another origin, never over plain http
 * (seed 000 §1.2, §2.1).
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import type { SdkContext } from "../../src/engine/sdk_context.ts";
import { type Check, type Verdict, verdict } from "../../src/engine/types.ts";
import { callFault, gather, request, setup, unobserved } from "./_helpers.ts";
import { judged, type Seen } from "./_judge.ts";

/**
 * Redirect the SDK's first request to `to` ("foreign" = https://127.0.0.2, "http" = plain http) and
 * judge whether any request that reached that listener carried Authorization.
 */
function redirectCheck(
  ctx: SdkContext,
  to: "foreign" | "http",
  rule: (leaked: number) => string,
  passNote: (followed: number) => string,
): Promise<Verdict> {
  /** Any request that reached the redirect's target listener with Authorization. */
  const judge = (seen: readonly Seen[]): Verdict | undefined => {
    for (const s of seen) {
      const leaked = s.scenario.requests().filter((q) =>
        q.listener === to && q.headers["authorization"] !== undefined
      );
      if (leaked.length > 0) return verdict.fail(rule(leaked.length), gather(s));
    }
    return undefined;
  };
  return judged(ctx, judge, async () => {
    // the target answers 200 at the redirect's own location, so a client that follows it lands
    const s = await setup(ctx, {
      responses: [
        { match: { path: "/start" }, redirect: to },
        { status: 200, body: { kind: "json", value: { landed: true } } },
      ],
    });
    if (!s.ok) return s.verdict;
    const r = await request(s.setup, { method: "GET", path: "/start" });
    if (r.kind === "no_reply" || r.kind === "driver_fault") return callFault("request", r, s.setup);
    const u = unobserved(s.setup, 1, "the request that gets the redirect", "/start");
    if (u) return u;
    const followed = s.setup.scenario.requests().filter((q) => q.listener === to);
    return judge([s.setup]) ?? verdict.pass(gather(s.setup, { notes: [passNote(followed.length)] }));
  });
}

const authSameOrigin = defineCheck<SdkContext>({
  id: "sdk.redirect.auth-same-origin",
  title: "Authorization is not sent to another origin on a redirect",
  level: "MUST",
  source: "000 §1.2 No caps leaked; OWASP API10:2023 Unsafe Consumption of APIs",
  rationale:
    "A redirect can point anywhere, so a server (or an attacker who controls a response) can send the client to a host that then receives the Authorization header. Credentials belong only to the origin they were configured for.",
  requires: ["http"],
  mutants: ["auth-on-redirect"],
  run: (ctx) =>
    redirectCheck(
      ctx,
      "foreign",
      (n) =>
        `Authorization must not be sent to another origin (127.0.0.2) on a redirect; ${n} request(s) carried it`,
      (n) => `redirect to https://127.0.0.2; followed ${n} time(s), never with Authorization`,
    ),
});

const noDowngrade = defineCheck<SdkContext>({
  id: "sdk.redirect.no-downgrade",
  title: "An https → http redirect is not followed with credentials",
  level: "MUST",
  source: "000 §2.1 TLS required by default",
  rationale:
    "Following an https → http redirect with credentials sends the token in cleartext across the network, undoing TLS with one response header. A downgrade must never carry credentials.",
  requires: ["http"],
  mutants: ["follow-downgrade"],
  run: (ctx) =>
    redirectCheck(
      ctx,
      "http",
      (n) =>
        `an https → http redirect must not be followed with credentials; ${n} plain-http request(s) carried Authorization`,
      (n) => `redirect to http://; ${n} plain-http request(s), none with Authorization`,
    ),
});

/** The `sdk.redirect.*` checks, in file order. */
export const checks: readonly Check<SdkContext>[] = [authSameOrigin, noDowngrade];
