"""Field driver: the official stripe Python SDK with its defaults (docs/FIELD.md): StripeClient(api_key,
base_addresses={"api": base_url}) and its raw_request for the kit's paths. Wiring: max_network_retries,
connect/read timeouts through the default http client class (stripe.RequestsClient(timeout=)), and the
CA through stripe's documented stripe.ca_bundle_path (stripe verifies against its own bundle and ignores
SSL_CERT_FILE / REQUESTS_CA_BUNDLE). stripe.log = "debug" when the kit asks for debug output."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "_py"))
from importlib.metadata import version  # noqa: E402

from jsonl_driver import (SdkError, background_import, debug_logging, error, new_handle, serve,  # noqa: E402
                          status_error)

sdk = background_import("stripe")

clients: dict = {}


def client(p: dict):
    c = clients.get(p.get("client"))
    if c is None:
        raise SdkError({"type": "config", "message": "unknown client handle"})
    return c


def configure(p: dict) -> dict:
    stripe = sdk()
    if p.get("debug"):
        debug_logging()
        stripe.log = "debug"
    ca = p.get("ca_cert_file") or os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("SSL_CERT_FILE")
    if ca:
        stripe.ca_bundle_path = ca
    kw: dict = {"base_addresses": {"api": p["base_url"].rstrip("/")}}
    if "max_retries" in p:
        kw["max_network_retries"] = p["max_retries"]
    t = p.get("timeouts") or {}
    if "connect_ms" in t or "read_ms" in t:
        kw["http_client"] = stripe.RequestsClient(timeout=(t.get("connect_ms", 80_000) / 1000,
                                                           t.get("read_ms", 80_000) / 1000))
    handle = new_handle()
    clients[handle] = stripe.StripeClient(p.get("token") or "", **kw)
    return {"client": handle}


def cause(e: BaseException, kinds) -> bool:
    seen = set()
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if isinstance(e, kinds):
            return True
        e = e.__cause__ or e.__context__
    return False


def request(p: dict) -> dict:
    import requests

    c, stripe = client(p), sdk()
    params = dict(p.get("query") or {})
    if isinstance(p.get("json"), dict):
        params.update(p["json"])
    if p.get("idempotency_key"):
        params["idempotency_key"] = p["idempotency_key"]
    try:
        resp = c.raw_request(p["method"].lower(), p["path"], **params)
    except stripe.APIConnectionError as e:
        kind = "insecure" if cause(e, requests.exceptions.SSLError) else \
            "timeout" if cause(e, requests.exceptions.Timeout) else "network"
        raise error(kind, e)
    except stripe.StripeError as e:
        if e.http_status is None:
            raise error("other", e)
        raise status_error(e.http_status, e.json_body is not None, e.json_body, e)
    return {"status": resp.code} if resp.data is None else {"status": resp.code, "json": resp.data}


def close(p: dict) -> dict:
    client(p)  # StripeClient has no close(): nothing to release
    return {}


OPS = {
    "hello": lambda p: {"protocol": 1, "name": "stripe-python", "version": version("stripe"), "language": "python",
                        "capabilities": ["http", "tls", "retry", "idempotency"]},
    "configure": configure, "request": request, "close": close,
}

if __name__ == "__main__":
    serve(OPS)
