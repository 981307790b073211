"""A tiny driver for the driver host's tests: an "SDK" that takes no CA parameter.

`request` fetches `base_url + path` with urllib's default TLS context, which trusts only what
OpenSSL finds the standard ways (SSL_CERT_FILE here). Certificate errors are `insecure`.
"""
import json
import ssl
import sys
import urllib.error
import urllib.request

base = ""


def reply(msg_id, result=None, error=None):
    line = {"id": msg_id, "ok": error is None}
    line["result" if error is None else "error"] = result if error is None else error
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


for raw in sys.stdin:
    msg = json.loads(raw)
    op, msg_id = msg.get("op"), msg.get("id")
    if op == "hello":
        reply(msg_id, {"protocol": 1, "name": "urllib", "version": "0", "language": "python",
                       "capabilities": ["http", "tls"]})
    elif op == "configure":
        base = msg["base_url"]
        reply(msg_id, {"client": "c1"})
    elif op == "request":
        try:
            with urllib.request.urlopen(base + msg["path"], timeout=5, context=ssl.create_default_context()) as r:
                reply(msg_id, {"status": r.status})
        except urllib.error.URLError as e:
            kind = "insecure" if isinstance(e.reason, ssl.SSLError) else "network"
            reply(msg_id, error={"type": kind, "message": str(e.reason)})
    elif op == "shutdown":
        reply(msg_id, {})
        break
    else:
        reply(msg_id, error={"type": "unsupported"})
