"""Protocol plumbing shared by the Python field drivers (docs/PROTOCOL.md): JSON Lines over stdio.

Nothing here touches an HTTP client. Each driver gives `serve()` its op table; every request line runs
on its own thread (pipelining) and one lock keeps each reply line whole. The mapping rules every field
driver follows (docs/FIELD.md, "How the drivers map results") live in `status_error` and `body_json`.
"""
import importlib
import itertools
import json
import logging
import os
import sys
import threading
import time

FIELDS = {"code": str, "kind": str, "message": str, "correlation_id": str, "details": dict}
_out_lock = threading.Lock()
_handles = itertools.count(1)
_threads: set = set()


class SdkError(Exception):
    """An error reply: args[0] is the protocol's SdkError object."""


def background_import(name: str):
    """Import a slow SDK on a thread so `hello` answers at once; the returned function waits for it.
    (anthropic takes ~5 s to import on an idle machine, openai ~2 s; the kit waits 10 s for hello.)"""
    box: dict = {}

    def load():
        try:
            box["module"] = importlib.import_module(name)
        except BaseException as e:  # re-raised where the SDK is first used
            box["error"] = e

    t = threading.Thread(target=load, daemon=True)
    t.start()

    def get():
        t.join()
        if "error" in box:
            raise box["error"]
        return box["module"]

    return get


def new_handle() -> str:
    return f"c{next(_handles)}"


def problem_fields(doc) -> dict:
    """The canonical Problem members of a decoded body, kept only when they have the right type."""
    if not isinstance(doc, dict):
        return {}
    return {k: v for k, v in doc.items() if isinstance(v, FIELDS.get(k, ()))}


def status_error(status: int, decoded: bool, doc=None, exc: BaseException | None = None) -> SdkError:
    """An HTTP error status: `problem` with the body's canonical members when the client decoded the body
    as JSON, `transport` when it could not. `exc` is the client's own exception, rendered untouched."""
    err = {"type": "problem" if decoded else "transport", "status": status}
    if decoded:
        err.update(problem_fields(doc))
    if exc is not None:
        err.setdefault("message", type(exc).__name__)
        err["rendered"] = str(exc)
    return SdkError(err)


def error(type_: str, exc: BaseException, **extra) -> SdkError:
    """A typed error from a client exception: its class name as message, its own text as rendered."""
    return SdkError({"type": type_, "message": type(exc).__name__, "rendered": str(exc), **extra})


def debug_logging() -> None:
    """The most verbose level the process has: every logger at DEBUG, on stderr (SDK output)."""
    logging.basicConfig(stream=sys.stderr, level=logging.DEBUG,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger().setLevel(logging.DEBUG)


def reply(mid, ok: bool, payload) -> None:
    line = json.dumps({"id": mid, "ok": ok, ("result" if ok else "error"): payload}, separators=(",", ":"))
    with _out_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def _handle(ops: dict, msg: dict) -> None:
    try:
        _dispatch(ops, msg)
    finally:
        _threads.discard(threading.current_thread())


def _dispatch(ops: dict, msg: dict) -> None:
    mid, op = msg.get("id"), msg.get("op")
    try:
        fn = ops.get(op)
        if fn is None:
            raise SdkError({"type": "unsupported", "message": f"op {op} is not supported"})
        reply(mid, True, fn(msg))
    except SdkError as e:
        reply(mid, False, e.args[0])
    except Exception as e:  # a crash: its name, and its text as the client rendered it
        reply(mid, False, {"type": "other", "message": type(e).__name__, "rendered": f"{type(e).__name__}: {e}"})


def serve(ops: dict) -> None:
    """Read requests until stdin closes or `shutdown`; each request on its own daemon thread."""
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
            reply(msg["id"], True, {})
            sys.stdout.flush()
            os._exit(0)
        t = threading.Thread(target=_handle, args=(ops, msg), daemon=True)
        _threads.add(t)
        t.start()
    deadline = time.monotonic() + 1.0  # stdin closed: let calls in flight answer (bounded), then exit
    for t in list(_threads):
        t.join(max(0.0, deadline - time.monotonic()))
    sys.stdout.flush()
    os._exit(0)
