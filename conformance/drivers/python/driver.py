"""Conformance-kit driver for ronclient.py: JSON Lines over stdio (docs/PROTOCOL.md).

Each request line is handled on its own thread (pipelining); replies may come in any order and
one lock keeps every stdout line whole. Run: python3 driver.py
"""
import itertools
import json
import logging
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ronclient import RonClient, RonError, parse_problem  # noqa: E402

CAPABILITIES = ["http", "tls", "retry", "idempotency", "problem", "token_provider", "concurrency", "sse",
                "zeroize"]
_out_lock = threading.Lock()
_clients: dict = {}
_tokens: dict = {}  # client handle -> current token, read by that client's token_provider
_ids = itertools.count(1)
_threads: set = set()


class Unsupported(Exception):
    pass


class BadParams(Exception):
    pass


def _write(msg: dict) -> None:
    line = json.dumps(msg, separators=(",", ":"))
    with _out_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def _get(p: dict, key: str, typ, required: bool = False, default=None):
    v = p.get(key)
    if v is None:
        if required:
            raise BadParams(f"missing param {key}")
        return default
    if typ is int and isinstance(v, bool) or not isinstance(v, typ):
        raise BadParams(f"param {key} has the wrong type")
    return v


def _client(p: dict) -> RonClient:
    c = _clients.get(_get(p, "client", str, True))
    if c is None:
        raise RonError("config", "unknown client handle")
    return c


def op_hello(p: dict) -> dict:
    return {"protocol": 1, "name": "ronclient-py", "version": "0.1.0", "language": "python",
            "capabilities": CAPABILITIES}


def op_configure(p: dict) -> dict:
    timeouts = _get(p, "timeouts", dict, default={})
    handle = f"c{next(_ids)}"
    kwargs = {}
    for key, name, default in (("connect_ms", "connect_s", 3000), ("read_ms", "read_s", 10000),
                               ("total_ms", "total_s", 30000)):
        kwargs[name] = _get(timeouts, key, int, default=default) / 1000
    if _get(p, "debug", bool, default=False):
        logging.basicConfig(stream=sys.stderr, level=logging.DEBUG)
        logging.getLogger("ronclient").setLevel(logging.DEBUG)
    token = _get(p, "token", str)
    provider = None
    if _get(p, "token_provider", bool, default=False):
        _tokens[handle] = token
        provider = lambda: _tokens.get(handle)  # noqa: E731
        token = None
    _clients[handle] = RonClient(
        _get(p, "base_url", str, True), token=token, token_provider=provider,
        allow_insecure_http=_get(p, "allow_insecure_http", bool, default=False),
        ca_cert_pem=_get(p, "ca_cert_pem", str), ca_cert_file=_get(p, "ca_cert_file", str),
        max_retries=_get(p, "max_retries", int, default=3),
        max_response_bytes=_get(p, "max_response_bytes", int, default=16 << 20),
        max_concurrency=_get(p, "max_concurrency", int, default=64), **kwargs)
    return {"client": handle}


def op_request(p: dict) -> dict:
    return _client(p).request(
        _get(p, "method", str, True), _get(p, "path", str, True), query=_get(p, "query", dict),
        body=p.get("json"), idempotent=_get(p, "idempotent", bool, default=False),
        idempotency_key=_get(p, "idempotency_key", str), audit_context=_get(p, "audit_context", dict))


def op_subscribe(p: dict) -> dict:
    return _client(p).subscribe(_get(p, "path", str, True), max_events=_get(p, "max_events", int, default=1000),
                                max_duration_ms=_get(p, "max_duration_ms", int, default=60000))


def op_rotate_token(p: dict) -> dict:
    handle = _get(p, "client", str, True)
    if handle not in _tokens:
        raise RonError("config", "client was not configured with a token provider")
    _tokens[handle] = _get(p, "token", str, True)
    return {}


def op_parse_problem(p: dict) -> dict:
    body = _get(p, "body", str, default="")
    err = parse_problem(_get(p, "status", int, True), _get(p, "content_type", str, default=""), body.encode())
    return {"problem": err.to_dict()}


def op_close(p: dict) -> dict:
    _client(p).close()
    _tokens.pop(p["client"], None)
    return {}


def op_zeroize(p: dict) -> dict:
    _client(p).zeroize()
    _tokens.pop(p["client"], None)
    return {}


OPS = {"hello": op_hello, "configure": op_configure, "request": op_request, "subscribe": op_subscribe,
       "rotate_token": op_rotate_token, "parse_problem": op_parse_problem, "close": op_close,
       "zeroize": op_zeroize}


def handle(msg: dict) -> None:
    mid = msg.get("id")
    op = msg.get("op")
    try:
        fn = OPS.get(op)
        if fn is None:
            raise Unsupported()
        _write({"id": mid, "ok": True, "result": fn(msg)})
    except RonError as e:
        _write({"id": mid, "ok": False, "error": e.to_dict()})
    except Unsupported:
        _write({"id": mid, "ok": False, "error": {"type": "unsupported", "message": f"op {op} is not supported"}})
    except BadParams as e:
        _write({"id": mid, "ok": False, "error": {"type": "config", "message": str(e)}})
    except Exception as e:  # a crash: report its text as the SDK renders it, so the kit can scan it
        _write({"id": mid, "ok": False, "error": {"type": "other", "message": type(e).__name__,
                                                   "rendered": f"{type(e).__name__}: {e}"}})


def main() -> None:
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        if not isinstance(msg, dict) or not isinstance(msg.get("id"), int):
            continue
        if msg.get("op") == "shutdown":
            _drain(0.5)
            _write({"id": msg["id"], "ok": True, "result": {}})
            os._exit(0)
        t = threading.Thread(target=_run, args=(msg,), daemon=True)
        _threads.add(t)
        t.start()
    _drain(1.0)  # stdin closed: let in-flight ops answer (bounded), then exit
    os._exit(0)


def _drain(limit_s: float) -> None:
    deadline = time.monotonic() + limit_s
    for t in list(_threads):
        t.join(max(0.0, deadline - time.monotonic()))


def _run(msg: dict) -> None:
    try:
        handle(msg)
    finally:
        _threads.discard(threading.current_thread())


if __name__ == "__main__":
    main()
