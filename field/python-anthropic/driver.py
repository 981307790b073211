"""Field driver: the official anthropic Python SDK with its defaults (docs/FIELD.md), pointed at the kit's
mock through base_url, its raw request methods (client.get/post/... with cast_to=httpx2.Response).
Wiring: auth_token (sent as 'Authorization: Bearer', the SDK's documented bearer option; api_key would
travel as X-Api-Key, which the kit treats as a token outside Authorization), connect/read timeouts as
anthropic.Timeout, max_retries. The CA comes from SSL_CERT_FILE (httpx2's default SSL context reads it)."""
import os
import ssl
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "_py"))
from importlib.metadata import version  # noqa: E402

import httpx2  # noqa: E402
from jsonl_driver import (SdkError, background_import, debug_logging, error, new_handle, serve,  # noqa: E402
                          status_error)

sdk = background_import("anthropic")

clients: dict = {}
DEFAULT_S = 600.0  # anthropic's DEFAULT_TIMEOUT, kept for the timeouts the kit does not set


def client(p: dict):
    c = clients.get(p.get("client"))
    if c is None:
        raise SdkError({"type": "config", "message": "unknown client handle"})
    return c


def configure(p: dict) -> dict:
    if p.get("debug"):
        debug_logging()
    handle = new_handle()
    kw: dict = {"base_url": p["base_url"]}
    kw["auth_token"] = p.get("token")
    t = p.get("timeouts") or {}
    if "connect_ms" in t or "read_ms" in t:
        kw["timeout"] = sdk().Timeout(DEFAULT_S, connect=t.get("connect_ms", 5000) / 1000,
                                       read=t.get("read_ms", DEFAULT_S * 1000) / 1000)
    if "max_retries" in p:
        kw["max_retries"] = p["max_retries"]
    clients[handle] = sdk().Anthropic(**kw)
    return {"client": handle}


def tls_failure(e: BaseException) -> bool:
    seen = set()
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if isinstance(e, ssl.SSLError):
            return True
        e = e.__cause__ or e.__context__
    return False


def request(p: dict) -> dict:
    c, m = client(p), sdk()
    method = p["method"].lower()
    options = {"params": p["query"]} if p.get("query") else {}
    try:
        if method == "get":
            resp = c.get(p["path"], cast_to=httpx2.Response, options=options)
        else:
            resp = getattr(c, method)(p["path"], cast_to=httpx2.Response, body=p.get("json"), options=options)
    except m.APITimeoutError as e:
        raise error("timeout", e)
    except m.APIConnectionError as e:
        raise error("insecure" if tls_failure(e) else "network", e)
    except m.APIStatusError as e:  # the SDK decoded the body as JSON unless it kept the raw text
        raise status_error(e.status_code, not isinstance(e.body, str), e.body, e)
    try:
        doc = resp.json() if resp.content else None
    except ValueError as e:
        raise error("transport", e, status=resp.status_code)
    return {"status": resp.status_code} if doc is None else {"status": resp.status_code, "json": doc}


def close(p: dict) -> dict:
    client(p).close()
    return {}


OPS = {
    "hello": lambda p: {"protocol": 1, "name": "anthropic-python", "version": version("anthropic"), "language": "python",
                        "capabilities": ["http", "tls", "retry"]},
    "configure": configure, "request": request, "close": close,
}

if __name__ == "__main__":
    serve(OPS)
