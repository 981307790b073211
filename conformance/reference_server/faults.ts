/**
 * The one-fault variants of the reference server (the server side of the mutation matrix).
 *
 * @module
 */

/** Every fault the reference server can be started with, one at a time. */
export const SERVER_FAULTS = [
  "open-route",
  "accept-any-bearer",
  "accept-alg-none",
  "no-exp-check",
  "no-signature-check",
  "alg-from-header",
  "query-token",
  "plain-text-errors",
  "stack-trace-errors",
  "no-security-headers",
  "cors-reflect",
  "no-body-limit",
  "lenient-input",
  "sql-concat",
  "crash-on-type",
  "no-rate-limit",
  "sse-cacheable",
  // mutants for the SHOULD checks (so no check goes unproven)
  "no-www-authenticate",
  "no-aud-check",
  // the JWT attack playbook (one mutant per attack)
  "trust-embedded-jwk",
  "fetch-remote-key",
  "kid-lookup-injection",
  "alg-denylist",
  "no-nbf-check",
  "ignore-crit",
  "weak-hmac-secret",
  "psychic-signature",
  "oversized-token-500",
  "oversized-token-slow",
  "health-auth",
  "mismatched-request-id",
  "version-headers",
  "xss-filter-header",
  "query-crash",
  "no-retry-after",
  "trace-echo",
  // isolation between identities (svc.iso.*, _owners.ts)
  "no-owner-check",
  "write-no-owner-check",
  "list-unscoped",
  "admin-unchecked",
  "shared-cache",
  "global-current-user",
  // TLS (served over https only; the first three behind a Node TLS front, see _tls.ts)
  "allow-tls10",
  "allow-tls11",
  "weak-suites",
  "expired-cert",
  "wrong-host-cert",
  "incomplete-chain",
  "rsa-1024-cert",
  "sha1-cert",
  "short-lived-cert",
  // chaos (svc.chaos.*: the front's limits, the SSE queue, an atomic write)
  "no-head-timeout",
  "no-body-timeout",
  "unbounded-sse-queue",
  "non-atomic-write",
  "idle-exhaustion",
] as const;

/** One server fault (closed union). */
export type ServerFault = typeof SERVER_FAULTS[number];

/** What each fault breaks, one line (for the selftest matrix). */
export const FAULT_DESCRIPTIONS: Record<ServerFault, string> = {
  "open-route": "GET /items/{id} and the SSE route skip authentication",
  "accept-any-bearer": "any Bearer value authenticates",
  "accept-alg-none": "tokens with alg none (any casing) are accepted unsigned",
  "no-exp-check": "exp is neither required nor checked",
  "no-signature-check": "RS256 tokens are decoded, never verified",
  "alg-from-header": "the token header picks the algorithm; HS256 is keyed with the public key PEM",
  "query-token": "?access_token= authenticates",
  "plain-text-errors": "errors are text/plain, not Problem envelopes",
  "stack-trace-errors": "every error carries a stack trace with file paths",
  "no-security-headers": "no nosniff, X-Frame-Options, CSP or HSTS",
  "cors-reflect": "any Origin is reflected with credentials allowed",
  "no-body-limit": "bodies of any size are read",
  "lenient-input": "unknown JSON fields are dropped silently",
  "sql-concat": "lookups build SQL by concatenation and leak the syntax error as a 500",
  "crash-on-type": "a wrong-typed field crashes the handler (500 with a trace)",
  "no-rate-limit": "the rate-limited route has no limit",
  "sse-cacheable": "the SSE route is cacheable and may be buffered",
  "no-www-authenticate": "401 has no WWW-Authenticate",
  "no-aud-check": "aud and iss are not checked",
  "trust-embedded-jwk": "a token carrying a jwk header is verified with that key (CVE-2018-0114)",
  "fetch-remote-key": "jku is fetched and its JWKS trusted; x5u is fetched too",
  "kid-lookup-injection": "the kid is a file name (../ reaches /dev/null: an empty HMAC key) and is " +
    "concatenated into an SQL key lookup",
  "alg-denylist": "only none (any casing) is refused by name; an alg it does not know skips verification",
  "no-nbf-check": "nbf and iat are not checked (the signature, exp, aud and iss are)",
  "ignore-crit": "every name in crit is taken as understood",
  "weak-hmac-secret": 'HS256 tokens keyed with the secret "secret" are accepted too',
  "oversized-token-500": "a request head over 64 KiB (a 256 KiB bearer token) is answered 500, not 431",
  "oversized-token-slow":
    "a request head over 64 KiB is answered 431 only after 3 s (past svc.jwt.oversized's bound)",
  "psychic-signature": "ES256/ES384 are accepted too, by an ECDSA verifier that skips the r, s ≥ 1 check " +
    "(CVE-2022-21449: r = s = 0 verifies)",
  "health-auth": "the health route needs credentials",
  "mismatched-request-id": "X-Request-ID differs from the Problem's correlation_id",
  "version-headers": "Server and X-Powered-By reveal versions",
  "xss-filter-header": "X-XSS-Protection: 1; mode=block is sent",
  "query-crash": "an overlong query is a 500",
  "no-retry-after": "429 has no Retry-After",
  "trace-echo": "TRACE echoes the request",
  "no-owner-check": "GET /items/{id} answers any authenticated caller, not only the item's owner",
  "write-no-owner-check": "PUT, PATCH and DELETE /items/{id} skip the owner check (reads keep it)",
  "list-unscoped": "GET /items lists every identity's items",
  "admin-unchecked": "/admin/users answers any authenticated caller",
  "shared-cache": "GET /items and /items/{id} answers are cached for 250 ms keyed by the URL alone",
  "global-current-user": "the caller is kept in a module global and read after an await (overlapping " +
    "requests see each other's user)",
  "allow-tls10": "TLS 1.0 and 1.1 are served (a Node TLS front with minVersion TLSv1)",
  "allow-tls11": "TLS 1.1 is served (a Node TLS front with minVersion TLSv1.1)",
  "weak-suites": "NULL and anonymous suites (and 3DES/RC4 where OpenSSL has them) are served",
  "expired-cert": "the leaf certificate expired yesterday",
  "wrong-host-cert": "the leaf names only wrong-host.invalid",
  "incomplete-chain": "the leaf comes from an intermediate CA the server does not send",
  "rsa-1024-cert": "the leaf has an RSA-1024 key (served by a Node TLS front)",
  "sha1-cert": "the leaf is signed with ECDSA/SHA-1",
  "short-lived-cert": "the leaf expires in 7 days",
  "no-head-timeout": "a request head may take forever to arrive (the front has no head time limit)",
  "no-body-timeout": "a request body may take forever to arrive (the front has no body time limit)",
  "unbounded-sse-queue":
    "an SSE subscriber that stops reading is never dropped: its events queue without bound",
  "non-atomic-write":
    "POST /items stores the item as soon as its name has arrived, before the rest of the body",
  "idle-exhaustion": "the front serves at most 64 connections at once; idle keep-alive ones hold their slot",
};
