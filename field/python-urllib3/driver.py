"""Field driver: urllib3 with its defaults (docs/FIELD.md). Wiring: base URL, bearer header, the kit's
timeouts as Timeout(connect, read, total), max_retries as Retry(total=), max_concurrency as
PoolManager(maxsize=, block=True); the CA comes from SSL_CERT_FILE (load_default_certs)."""
import os
import sys
from urllib.parse import urlencode

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "_py"))
import urllib3  # noqa: E402
from urllib3.exceptions import (MaxRetryError, ProtocolError, SSLError, TimeoutError as U3Timeout,  # noqa: E402
                                HTTPError)
from jsonl_driver import SdkError, debug_logging, error, new_handle, serve, status_error  # noqa: E402

clients: dict = {}


def client(p: dict) -> dict:
    c = clients.get(p.get("client"))
    if c is None:
        raise SdkError({"type": "config", "message": "unknown client handle"})
    return c


def configure(p: dict) -> dict:
    if p.get("debug"):
        debug_logging()
    kw: dict = {"headers": {"Authorization": f"Bearer {p.get('token')}"}}
    t = p.get("timeouts") or {}
    if t:
        kw["timeout"] = urllib3.Timeout(**{k: t[src] / 1000 for k, src in (
            ("connect", "connect_ms"), ("read", "read_ms"), ("total", "total_ms")) if src in t})
    if "max_retries" in p:
        kw["retries"] = urllib3.Retry(total=p["max_retries"])
    if "max_concurrency" in p:
        kw.update(maxsize=p["max_concurrency"], block=True)
    handle = new_handle()
    clients[handle] = {"base": p["base_url"].rstrip("/"), "pool": urllib3.PoolManager(**kw)}
    return {"client": handle}


def classify(e: BaseException) -> str:
    reason = e.reason if isinstance(e, MaxRetryError) else e
    if isinstance(reason, SSLError):
        return "insecure"
    if isinstance(reason, U3Timeout):
        return "timeout"
    return "network"


def request(p: dict) -> dict:
    c = client(p)
    url = c["base"] + p["path"] + ("?" + urlencode(p["query"]) if p.get("query") else "")
    kw = {"json": p["json"]} if "json" in p else {}
    try:
        resp = c["pool"].request(p["method"], url, **kw)
    except (MaxRetryError, ProtocolError, HTTPError) as e:
        raise error(classify(e), e)
    try:
        doc, decoded, bad = (resp.json() if resp.data else None), True, None
    except ValueError as e:
        doc, decoded, bad = None, False, e
    if resp.status >= 400:
        raise status_error(resp.status, decoded, doc, bad)
    if not decoded:
        raise error("transport", bad, status=resp.status)
    return {"status": resp.status} if doc is None else {"status": resp.status, "json": doc}


def close(p: dict) -> dict:
    client(p)["pool"].clear()
    return {}


OPS = {
    "hello": lambda p: {"protocol": 1, "name": "urllib3", "version": urllib3.__version__, "language": "python",
                        "capabilities": ["http", "tls", "retry", "concurrency"]},
    "configure": configure, "request": request, "close": close,
}

if __name__ == "__main__":
    serve(OPS)
