"""Field driver (secrets profile, KV only): hvac with its defaults (docs/FIELD.md). Wiring: the vault
address and token as hvac.Client(url=, token=), the kit's timeout as Client(timeout=) (seconds); the CA
comes from REQUESTS_CA_BUNDLE, which requests reads for verify=True. get_secret splits the secret URI the
way an application would (mount, path, version, fragment) and calls kv.v2.read_secret_version; with
wrap_ttl_s it reads through hvac's adapter with X-Vault-Wrap-TTL and unwraps with sys.unwrap. hvac guards
nothing: what it sends is what the kit judges."""
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "_py"))
import hvac  # noqa: E402
import requests  # noqa: E402
from hvac import exceptions as hx  # noqa: E402
from hvac import utils as hvac_utils  # noqa: E402
from jsonl_driver import SdkError, debug_logging, error, new_handle, serve  # noqa: E402
from importlib.metadata import version as dist_version  # noqa: E402

clients: dict = {}
# hvac's exception classes and the typed code each honestly stands for (docs/PROTOCOL.md, "Errors of the
# secrets profile"): hvac raises one class per status, so a 404 is not_found whatever its body says.
CODES = [
    (hx.InvalidPath, "not_found"),
    (hx.Forbidden, "permission_denied"),
    (hx.VaultDown, "sealed"),
]


def client(p: dict) -> dict:
    c = clients.get(p.get("client"))
    if c is None:
        raise SdkError({"type": "config", "message": "unknown client handle"})
    return c


def configure(p: dict) -> dict:
    if p.get("debug"):
        debug_logging()
    s = p.get("secrets") or {}
    kw: dict = {"url": s["vault_addr"], "token": s["token"]}
    t = p.get("timeouts") or {}
    total = t.get("total_ms", t["read_ms"] + t.get("connect_ms", 0) if "read_ms" in t else None)
    if total is not None:
        kw["timeout"] = total / 1000
    handle = new_handle()
    clients[handle] = {"hvac": hvac.Client(**kw), "wrap_ttl_s": s.get("wrap_ttl_s")}
    return {"client": handle}


def split_uri(uri: str) -> tuple[str, str, int | None, str | None]:
    """mount, path, version and fragment of `provider[+engine]://mount/path[#frag][?query]`."""
    rest = uri.split("://", 1)[1]
    cut = min([i for i in (rest.find("#"), rest.find("?")) if i >= 0], default=len(rest))
    where, tail = rest[:cut], rest[cut:]
    fragment, query = None, ""
    for part in tail.replace("?", "\0?").replace("#", "\0#").split("\0"):
        if part.startswith("#"):
            fragment = part[1:]
        elif part.startswith("?"):
            query = part[1:]
    params = dict(kv.split("=", 1) for kv in query.split("&") if "=" in kv)
    mount, _, path = where.partition("/")
    return mount, path, (int(params["version"]) if "version" in params else None), fragment


def typed(e: BaseException) -> SdkError:
    for cls, code in CODES:
        if isinstance(e, cls):
            return SdkError({"type": "secret", "code": code, "message": type(e).__name__, "rendered": str(e)})
    if isinstance(e, hx.VaultError):
        return SdkError({"type": "secret", "code": "provider", "message": type(e).__name__, "rendered": str(e)})
    if isinstance(e, requests.exceptions.SSLError):
        return error("insecure", e)
    if isinstance(e, requests.exceptions.Timeout):
        return error("timeout", e)
    if isinstance(e, requests.exceptions.RequestException):
        return error("network", e)
    raise e


def read(c: dict, mount: str, path: str, version: int | None) -> dict:
    h = c["hvac"]
    if not c["wrap_ttl_s"]:
        return h.secrets.kv.v2.read_secret_version(path=path, version=version, mount_point=mount)
    # hvac's KV helper takes no wrap TTL: the same GET through the client's adapter, wrapped
    url = hvac_utils.format_url("/v1/{mount_point}/data/{path}", mount_point=mount, path=path)
    params = {} if version is None else {"version": version}
    wrapped = h.adapter.get(url=url, params=params, headers={"X-Vault-Wrap-TTL": f"{c['wrap_ttl_s']}s"})
    return h.sys.unwrap(wrapped["wrap_info"]["token"])


def get_secret(p: dict) -> dict:
    c = client(p)
    mount, path, version, fragment = split_uri(p["uri"])
    try:
        doc = read(c, mount, path, version)
    except (hx.VaultError, requests.exceptions.RequestException) as e:
        raise typed(e)
    data = (doc.get("data") or {}).get("data")
    got = ((doc.get("data") or {}).get("metadata") or {}).get("version")
    value = data
    if fragment is not None:
        if not isinstance(data, dict) or fragment not in data:
            raise SdkError({"type": "secret", "code": "not_found", "message": f"no key {fragment} in the data"})
        value = data[fragment]
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    out = {"version": got, "digest": hashlib.sha256(canonical.encode()).hexdigest()}
    if p.get("reveal") is True:
        out["value"] = value
    return out


def close(p: dict) -> dict:
    client(p)["hvac"].adapter.close()
    return {}


OPS = {
    "hello": lambda p: {"protocol": 1, "name": "hvac", "version": dist_version("hvac"), "language": "python",
                        "capabilities": ["secrets_kv"]},
    "configure": configure, "get_secret": get_secret, "close": close,
}

if __name__ == "__main__":
    serve(OPS)
