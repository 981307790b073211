"""Field driver: aiohttp with its defaults (docs/FIELD.md). Wiring: base URL, bearer header, the kit's
timeouts as ClientTimeout, max_concurrency as TCPConnector(limit=); the CA comes from SSL_CERT_FILE."""
import asyncio
import os
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "_py"))
import aiohttp  # noqa: E402
from aiohttp.client import DEFAULT_TIMEOUT, ClientTimeout  # noqa: E402
from jsonl_driver import SdkError, debug_logging, error, new_handle, serve, status_error  # noqa: E402

loop = asyncio.new_event_loop()
threading.Thread(target=loop.run_forever, daemon=True).start()
clients: dict = {}


def run(coro):
    return asyncio.run_coroutine_threadsafe(coro, loop).result()


def client(p: dict) -> dict:
    c = clients.get(p.get("client"))
    if c is None:
        raise SdkError({"type": "config", "message": "unknown client handle"})
    return c


def configure(p: dict) -> dict:
    if p.get("debug"):
        debug_logging()
    t = p.get("timeouts") or {}
    given = {k: t[src] / 1000 for k, src in (("sock_connect", "connect_ms"), ("sock_read", "read_ms"),
                                             ("total", "total_ms")) if src in t}

    defaults = {k: getattr(DEFAULT_TIMEOUT, k) for k in ("total", "connect", "sock_read", "sock_connect")}

    async def build():
        connector = aiohttp.TCPConnector(limit=p["max_concurrency"]) if "max_concurrency" in p else None
        return aiohttp.ClientSession(headers={"Authorization": f"Bearer {p.get('token')}"}, connector=connector,
                                     timeout=ClientTimeout(**{**defaults, **given}))

    handle = new_handle()
    clients[handle] = {"base": p["base_url"].rstrip("/"), "session": run(build())}
    return {"client": handle}


async def send(c: dict, p: dict) -> dict:
    kw = {}
    if p.get("query"):
        kw["params"] = p["query"]
    if "json" in p:
        kw["json"] = p["json"]
    try:
        async with c["session"].request(p["method"], c["base"] + p["path"], **kw) as resp:
            status = resp.status
            try:
                doc, decoded, bad = await resp.json(), True, None
            except (aiohttp.ContentTypeError, ValueError) as e:
                doc, decoded, bad = None, False, e
    except (asyncio.TimeoutError, aiohttp.ServerTimeoutError) as e:
        raise error("timeout", e)
    except aiohttp.ClientSSLError as e:
        raise error("insecure", e)
    except aiohttp.ClientError as e:
        raise error("network", e)
    if status >= 400:
        raise status_error(status, decoded, doc, bad)
    if not decoded:
        raise error("transport", bad, status=status)
    return {"status": status} if doc is None else {"status": status, "json": doc}


def request(p: dict) -> dict:
    return run(send(client(p), p))


def close(p: dict) -> dict:
    run(client(p)["session"].close())
    return {}


OPS = {
    "hello": lambda p: {"protocol": 1, "name": "aiohttp", "version": aiohttp.__version__, "language": "python",
                        "capabilities": ["http", "tls", "concurrency"]},
    "configure": configure, "request": request, "close": close,
}

if __name__ == "__main__":
    serve(OPS)
