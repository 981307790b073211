"""A small RON API client on httpx that follows the SDK security checklist (seed 000): HTTPS, verified
TLS, bounded timeouts and retries, idempotency keys, Problem parsing, size and concurrency limits, bounded
SSE. The token only ever travels in the Authorization header: never in a log line, an error or a URL."""
import json
import logging
import random
import ssl
import threading
import time
import urllib.parse
import uuid
from email.utils import parsedate_to_datetime
from typing import Any, Callable, Optional

import httpx

LOG = logging.getLogger("ronclient")
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
RETRY_STATUSES = {429, 500, 502, 503, 504}
MAX_RETRY_AFTER_S = 30.0


class RonError(Exception):
    """A typed SDK error. Messages are fixed texts: never a body, a URL or a secret."""

    def __init__(self, type_: str, message: str, status: Optional[int] = None, code: Optional[str] = None,
                 kind: Optional[str] = None, correlation_id: Optional[str] = None,
                 details: Optional[dict] = None):
        super().__init__(message)
        self.type, self.message, self.status, self.code = type_, message, status, code
        self.kind, self.correlation_id, self.details = kind, correlation_id, details

    def to_dict(self) -> dict:
        d = {"type": self.type, "message": self.message, "status": self.status, "code": self.code,
             "kind": self.kind, "correlation_id": self.correlation_id, "details": self.details,
             "rendered": str(self)}  # what an application would log; the kit scans it
        return {k: v for k, v in d.items() if v is not None}

    def __repr__(self) -> str:
        return f"RonError({self.type}: {self.message})"


def _transport(status: int, why: str, request_id: Optional[str]) -> RonError:
    return RonError("transport", f"HTTP {status}: error body could not be parsed ({why})", status=status,
                    correlation_id=request_id)


def parse_problem(status: int, content_type: str, body: bytes, request_id: Optional[str] = None) -> RonError:
    """Map an error response to a RonError (the kit's rules); unknown fields dropped, the body never quoted."""
    try:
        text = body.decode("utf-8").lstrip("\ufeff").strip()
    except UnicodeDecodeError:
        return _transport(status, "invalid_utf8", request_id)
    if not text:
        return _transport(status, "empty_body", request_id)
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        return _transport(status, "not_json", request_id)
    if not isinstance(doc, dict):
        return _transport(status, "not_object", request_id)

    def s(key: str) -> Optional[str]:
        v = doc.get(key)
        return v if isinstance(v, str) else None

    def first(*keys: str) -> Optional[str]:
        return next((s(k) for k in keys if s(k) is not None), None)

    fields = [s("code"), s("kind"), s("message"), s("correlation_id")]
    if all(f is not None for f in fields) and isinstance(doc.get("details"), dict):  # fields kept verbatim
        code, kind, message, cid = fields
        return RonError("problem", message, status=status, code=code, kind=kind, correlation_id=cid,
                        details=doc["details"])
    ctype = (content_type or "").split(";")[0].strip().lower()
    if ctype == "application/problem+json" or ((s("type") or s("title")) is not None and "code" not in doc):
        typ = (s("type") or "").split("?")[0].split("#")[0].rstrip("/")
        code = "" if typ in ("", "about:blank") else typ[max(typ.rfind("/"), typ.rfind(":")) + 1:]
        try:
            code = urllib.parse.unquote(code, errors="strict") or f"http_{status}"
        except UnicodeDecodeError:
            code = code or f"http_{status}"
        rest = {k: v for k, v in doc.items()
                if k not in ("type", "title", "status", "detail", "instance", "correlation_id")}
        return RonError("problem", first("detail", "title") or "", status=status, code=code,
                        kind=first("title") or f"http_{status}",
                        correlation_id=first("correlation_id", "instance") or "", details=rest)
    return _transport(status, "invalid_envelope", request_id)


class RonClient:
    """One isolated client: its own token (or token provider), connection pool and limits."""

    def __init__(self, base_url: str, token: Optional[str] = None,
                 token_provider: Optional[Callable[[], str]] = None, allow_insecure_http: bool = False,
                 ca_cert_pem: Optional[str] = None, ca_cert_file: Optional[str] = None,
                 connect_s: float = 3.0, read_s: float = 10.0, total_s: float = 30.0, max_retries: int = 3, max_response_bytes: int = 16 << 20,
                 max_concurrency: int = 64):
        if base_url.startswith("http://") and not allow_insecure_http:
            raise RonError("insecure", "plain http:// needs allow_insecure_http=True")
        if not base_url.startswith(("https://", "http://")):
            raise RonError("config", "base_url must be an https:// URL")
        if token is None and token_provider is None:
            raise RonError("config", "a token or a token_provider is required")
        self._base = base_url.rstrip("/")
        self._token, self._provider = token, token_provider
        self._connect, self._read, self._total = connect_s, read_s, total_s
        self._max_retries, self._max_bytes = min(max(0, max_retries), 10), max_response_bytes
        self._sem = threading.BoundedSemaphore(max_concurrency)
        self._closed = False
        try:  # a CA given as PEM or as a file replaces the system store; verification stays on
            ctx = ssl.create_default_context(cadata=ca_cert_pem) if ca_cert_pem else \
                ssl.create_default_context(cafile=ca_cert_file) if ca_cert_file else ssl.create_default_context()
        except (OSError, ssl.SSLError) as e:
            raise RonError("config", f"the CA could not be loaded: {type(e).__name__}") from None
        self._http = httpx.Client(verify=ctx, follow_redirects=False, trust_env=False,
                                  limits=httpx.Limits(max_connections=max_concurrency))

    def __repr__(self) -> str:
        return f"RonClient({self._base})"

    def _auth(self) -> str:
        tok = self._provider() if self._provider is not None else self._token
        if not tok:
            raise RonError("config", "no token available")
        return "Bearer " + tok

    def _timeout(self, deadline: float) -> httpx.Timeout:
        left = max(0.001, deadline - time.monotonic())
        return httpx.Timeout(connect=min(self._connect, left), read=min(self._read, left),
                             write=min(self._read, left), pool=min(self._connect, left))

    def _backoff(self, attempt: int) -> float:
        ceiling = min(5.0, 0.2 * (2 ** attempt))
        return ceiling / 2 + random.uniform(0, ceiling / 2)  # grows with attempt, jittered

    def request(self, method: str, path: str, query: Optional[dict] = None, body: Any = None,
                idempotent: bool = False, idempotency_key: Optional[str] = None,
                audit_context: Optional[dict] = None) -> dict:
        """Send one logical request (with bounded retries); returns {status, json, headers}."""
        if self._closed:
            raise RonError("config", "client is closed")
        method = method.upper()
        headers = {"Accept": "application/json"}
        if idempotency_key or (idempotent and method not in SAFE_METHODS):
            headers["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())
        for k, v in (audit_context or {}).items():
            headers["X-Audit-" + k] = v
        retryable = method in SAFE_METHODS or "Idempotency-Key" in headers
        content = None if body is None else json.dumps(body).encode()
        if content is not None:
            headers["Content-Type"] = "application/json"
        deadline = time.monotonic() + self._total
        attempt = 0
        with self._sem:
            while True:
                err, value = self._attempt(method, path, query, headers, content, deadline, attempt)
                if err is None:
                    return value
                wait = value
                if not retryable or attempt >= self._max_retries or wait is None:
                    raise err
                if time.monotonic() + wait >= deadline:
                    raise err
                LOG.debug("retrying %s %s after %.0f ms (attempt %d)", method, path, wait * 1000, attempt + 1)
                time.sleep(wait)
                attempt += 1

    def _attempt(self, method, path, query, headers, content, deadline, attempt):
        """One attempt: (None, result) on success, (error, wait_s or None when not retryable)."""
        if self._closed:
            return RonError("config", "client is closed"), None
        hdrs = dict(headers, **{"X-Request-ID": str(uuid.uuid4()), "Authorization": self._auth()})
        started = time.monotonic()
        LOG.debug("-> %s %s attempt=%d request_id=%s", method, path, attempt, hdrs["X-Request-ID"])
        try:
            with self._http.stream(method, self._base + path, params=query, headers=hdrs, content=content,
                                   timeout=self._timeout(deadline)) as resp:
                data = self._read_body(resp, deadline)
                status, rh = resp.status_code, resp.headers
        except RonError as e:
            return e, (self._backoff(attempt) if e.type == "timeout" else None)
        except httpx.TimeoutException as e:
            return RonError("timeout", f"request timed out ({type(e).__name__})"), self._backoff(attempt)
        except httpx.TransportError as e:
            if _is_tls_failure(e):
                return RonError("insecure", "TLS certificate verification failed"), None
            return RonError("network", f"network error ({type(e).__name__})"), self._backoff(attempt)
        LOG.debug("<- %s %s status=%d in %.0f ms", method, path, status, (time.monotonic() - started) * 1000)
        rid = rh.get("x-request-id")
        if status >= 400:
            err = parse_problem(status, rh.get("content-type", ""), data, rid)
            if status not in RETRY_STATUSES:
                return err, None
            ra = self._retry_after(rh.get("retry-after"))
            if ra is not None and ra > MAX_RETRY_AFTER_S:
                return err, None  # fail fast rather than sleep for an absurd Retry-After
            return err, max(ra or 0.0, self._backoff(attempt))
        out = {"status": status, "headers": {k.lower(): v for k, v in rh.items()}}
        if data:
            try:
                out["json"] = json.loads(data.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                return RonError("transport", "response body is not valid JSON", status=status,
                                correlation_id=rid), None
        return None, out

    def _read_body(self, resp: httpx.Response, deadline: float) -> bytes:
        declared = resp.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self._max_bytes:
            raise RonError("too_large", f"response exceeds {self._max_bytes} bytes", status=resp.status_code)
        buf = bytearray()
        for chunk in resp.iter_raw():
            buf += chunk
            if len(buf) > self._max_bytes:
                raise RonError("too_large", f"response exceeds {self._max_bytes} bytes", status=resp.status_code)
            if time.monotonic() > deadline:
                raise RonError("timeout", "total timeout exceeded while reading the body")
        return bytes(buf)

    @staticmethod
    def _retry_after(value: Optional[str]) -> Optional[float]:
        if not value:
            return None
        if value.strip().isdigit():
            return float(value.strip())
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None

    def subscribe(self, path: str, max_events: int = 1000, max_duration_ms: int = 60000,
                  max_reconnects: int = 3) -> dict:
        """Read an SSE stream until max_events, max_duration or a final drop; reconnects are bounded."""
        if self._closed:
            raise RonError("config", "client is closed")
        events: list = []
        deadline = time.monotonic() + max_duration_ms / 1000
        last_id, reconnects = None, 0
        with self._sem:
            while True:
                hdrs = {"Accept": "text/event-stream", "Authorization": self._auth(),
                        "X-Request-ID": str(uuid.uuid4())}
                if last_id is not None:
                    hdrs["Last-Event-ID"] = last_id
                try:
                    with self._http.stream("GET", self._base + path, headers=hdrs,
                                           timeout=self._timeout(deadline)) as resp:
                        if resp.status_code >= 400:
                            body = resp.read()[: self._max_bytes]
                            err = parse_problem(resp.status_code, resp.headers.get("content-type", ""), body)
                            return {"events": events, "end": "error", "error": err.to_dict()}
                        ev: dict = {}
                        for line in resp.iter_lines():
                            if time.monotonic() >= deadline:
                                return {"events": events, "end": "max_duration"}
                            if line == "":
                                if "data" in ev:
                                    events.append(_finish_event(ev))
                                    last_id = ev.get("id", last_id)
                                    if len(events) >= max_events:
                                        return {"events": events, "end": "max_events"}
                                ev = {}
                                continue
                            field, _, value = line.partition(":")
                            value = value[1:] if value.startswith(" ") else value
                            if field == "data":
                                ev["data"] = ev["data"] + "\n" + value if "data" in ev else value
                            elif field in ("id", "event"):
                                ev[field] = value
                except httpx.TimeoutException:
                    if time.monotonic() >= deadline - 0.01:
                        return {"events": events, "end": "max_duration"}
                except httpx.TransportError as e:
                    LOG.debug("stream dropped (%s)", type(e).__name__)
                if time.monotonic() >= deadline:
                    return {"events": events, "end": "max_duration"}
                if reconnects >= max_reconnects:
                    return {"events": events, "end": "closed"}
                reconnects += 1
                wait = self._backoff(reconnects)
                LOG.debug("reconnecting stream in %.0f ms (%d/%d)", wait * 1000, reconnects, max_reconnects)
                time.sleep(min(wait, max(0.0, deadline - time.monotonic())))

    def close(self) -> None:
        """Refuse later requests, drop the token and close the connection pool."""
        self._closed = True
        self.zeroize()
        self._http.close()

    def zeroize(self) -> None:
        """Best effort: drop every reference to the token (Python cannot wipe string memory)."""
        self._token, self._provider = None, None


def _is_tls_failure(e: Optional[BaseException], depth: int = 0) -> bool:
    if e is None or depth > 5:
        return False
    return isinstance(e, ssl.SSLError) or _is_tls_failure(e.__cause__ or e.__context__, depth + 1)


def _finish_event(ev: dict) -> dict:
    """An event as the reference client reports it: event name (default "message"), data text, id."""
    return dict(ev, event=ev.get("event", "message"))
