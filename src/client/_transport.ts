/**
 * Transport stage of the reference client: the HTTP client (TLS verification, extra CA), one
 * `fetch` bounded by the connect + read timeouts, and redirects followed by hand (at most 5;
 * `Authorization` only to the base URL's origin; no `https` → `http` downgrade).
 *
 * @module
 */
import { AbortMarker, type AttemptContext, final, type Runtime } from "./_context.ts";
import { LOG_BODY_CHARS } from "./_log.ts";
import type { Behaviour } from "./_faults.ts";
import {
  RonConfigError,
  type RonError,
  RonInsecureTransportError,
  RonNetworkError,
  RonTimeoutError,
  type TimeoutPhase,
} from "./errors.ts";

const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = [301, 302, 303, 307, 308];

/** The controller of each response's fetch, so a body timeout can abort the connection itself. */
const FETCH_ABORT = new WeakMap<Response, AbortController>();

/**
 * The HTTP client of one `RonClient`: TLS verification on, plus an extra trusted CA if given
 * (and the behaviour trusts it).
 *
 * @param caCertPem an extra CA (PEM)
 * @param behaviour the client's behaviour (`trustCustomCa`)
 * @returns the HTTP client
 * @throws RonConfigError when the CA cannot be loaded
 */
export function createHttpClient(caCertPem: string | undefined, behaviour: Behaviour): Deno.HttpClient {
  try {
    const trusted = behaviour.trustCustomCa ? caCertPem : undefined;
    return Deno.createHttpClient(trusted !== undefined ? { caCerts: [trusted] } : {});
  } catch {
    throw new RonConfigError("caCertPem could not be loaded");
  }
}

/**
 * Abort the connection a response came on (when its body cannot be cancelled otherwise).
 *
 * @param res a response from {@linkcode fetchOnce}
 * @param reason the abort reason
 */
export function abortConnection(res: Response, reason: unknown): void {
  FETCH_ABORT.get(res)?.abort(reason);
}

/**
 * Classify a network failure without quoting the underlying message (it may carry the URL).
 *
 * @param err what `fetch` or a body read threw
 * @returns a typed error
 */
export function networkError(err: unknown): RonError {
  const text = err instanceof Error ? `${err.name} ${err.message} ${String(err.cause ?? "")}` : String(err);
  if (
    /certificate|UnknownIssuer|InvalidCertificate|invalid peer|self[- ]signed|NotValidForName/i.test(text)
  ) {
    return new RonInsecureTransportError("TLS: the server certificate is not trusted");
  }
  if (/refused/i.test(text)) return new RonNetworkError("network error: connection refused");
  if (/reset/i.test(text)) return new RonNetworkError("network error: connection reset");
  if (/dns|resolve|lookup/i.test(text)) return new RonNetworkError("network error: host not found");
  if (/incomplete|closed|eof|body/i.test(text)) {
    return new RonNetworkError("network error: connection closed before the response ended");
  }
  return new RonNetworkError("network error: the request could not be completed");
}

/**
 * One `fetch` (no redirect following), bounded by `connectMs + readMs` up to the headers.
 *
 * @param rt the client's runtime
 * @param ctx the attempt
 * @param method the method of this hop
 * @param url the URL of this hop
 * @param headers the headers of this hop
 * @param body the body of this hop
 * @param hop 0 for the first request, n for the n-th redirect
 * @returns the response, body unread
 * @throws RonTimeoutError, RonNetworkError, RonInsecureTransportError, or the abort's typed error
 */
export async function fetchOnce(
  rt: Runtime,
  ctx: AttemptContext,
  method: string,
  url: URL,
  headers: Record<string, string>,
  body: string | undefined,
  hop: number,
): Promise<Response> {
  const { connectMs, readMs } = ctx.timeouts;
  const waitMs = connectMs === undefined && readMs === undefined
    ? undefined
    : (connectMs ?? 0) + (readMs ?? 0);
  const phase: TimeoutPhase = readMs === undefined ? "connect" : "read";
  // One controller, fed by the request's signal through a listener: `AbortSignal.any` allocates
  // weak references and a finalization registration per call (seen in the profile of a small GET).
  const local = new AbortController();
  const signal = local.signal;
  if (ctx.signal.aborted) local.abort(ctx.signal.reason);
  else ctx.signal.addEventListener("abort", () => local.abort(ctx.signal.reason), { once: true });
  const timer = waitMs === undefined
    ? undefined
    : setTimeout(() => local.abort(new AbortMarker(new RonTimeoutError(phase, waitMs))), waitMs);
  rt.log.log(() => ({
    event: "request",
    request_id: ctx.requestId,
    method,
    url: rt.log.text(url.href),
    attempt: ctx.attempt,
    headers: rt.log.headers(headers),
    ...(body === undefined ? {} : { body: rt.log.text(body.slice(0, LOG_BODY_CHARS)) }),
    ...(hop > 0 ? { reason: `redirect ${hop}` } : {}),
  }));
  try {
    const res = await fetch(url, {
      method,
      headers,
      redirect: "manual",
      signal,
      client: rt.http,
      ...(body === undefined ? {} : { body }),
    });
    FETCH_ABORT.set(res, local);
    return res;
  } catch (err) {
    if (signal.aborted && signal.reason instanceof AbortMarker) throw signal.reason.error;
    throw networkError(err);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/** The next hop of a redirect, or an error when it may not be followed. */
function redirectTarget(rt: Runtime, from: URL, location: string): URL {
  const { behaviour } = rt;
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw final(new RonNetworkError("redirect to an invalid URL"));
  }
  if (next.protocol !== "https:" && next.protocol !== "http:") {
    throw new RonInsecureTransportError("redirect to an unsupported scheme refused");
  }
  if (from.protocol === "https:" && next.protocol === "http:" && !behaviour.followInsecureRedirects) {
    throw new RonInsecureTransportError("https → http redirect refused");
  }
  if (next.protocol === "http:" && !rt.config.allowHttp && !behaviour.followInsecureRedirects) {
    throw new RonInsecureTransportError("redirect to plain http:// refused");
  }
  return next;
}

/**
 * One attempt on the wire: the request with this attempt's token, and its redirects.
 *
 * @param rt the client's runtime
 * @param ctx the attempt (its `sent` records the headers last put on the wire)
 * @returns the final response, body unread
 * @throws RonNetworkError (final) for too many or invalid redirects; RonInsecureTransportError for
 *   a refused redirect; whatever {@linkcode fetchOnce} throws
 */
export async function fetchFollowing(rt: Runtime, ctx: AttemptContext): Promise<Response> {
  const now = rt.credentials.authorizationNow();
  const authorization = now === null ? await rt.credentials.authorization() : now;
  let url = ctx.url; // never mutated: a redirect replaces it, the wire URL is copied only to add to it
  let method = ctx.method;
  let body = ctx.body;
  let sendAuth = true;
  for (let hop = 0;; hop++) {
    const headers: Record<string, string> = { ...ctx.headers };
    if (body === undefined) delete headers["content-type"];
    if (authorization !== undefined && sendAuth) headers["authorization"] = authorization;
    const audited = Object.keys(headers).some((k) => k.startsWith("x-audit-"));
    if (rt.behaviour.tokenInAuditHeaders && authorization !== undefined && audited) {
      headers["x-audit-principal"] = authorization.replace(/^Bearer /, "");
    }
    let wireUrl = url;
    if (rt.behaviour.tokenInQuery && authorization !== undefined) {
      wireUrl = new URL(url.href);
      wireUrl.searchParams.set("access_token", authorization.replace(/^Bearer /, ""));
    }
    ctx.sent = headers;
    const res = await fetchOnce(rt, ctx, method, wireUrl, headers, body, hop);
    const location = res.headers.get("location");
    if (!REDIRECT_STATUSES.includes(res.status) || location === null) return res;
    await res.body?.cancel().catch(() => {});
    if (hop >= MAX_REDIRECTS) {
      throw final(new RonNetworkError(`too many redirects (more than ${MAX_REDIRECTS})`));
    }
    const next = redirectTarget(rt, url, location);
    if (next.origin !== rt.config.base.origin && !rt.behaviour.authOnCrossOriginRedirect) sendAuth = false;
    if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === "POST")) {
      if (method !== "HEAD") method = "GET";
      body = undefined;
    }
    url = next;
  }
}
