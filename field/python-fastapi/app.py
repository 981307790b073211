"""A small items API on FastAPI, served by uvicorn the way FastAPI's docs say for production
(`fastapi run`, i.e. uvicorn with uvicorn[standard]'s httptools and uvloop, no reload).

Routes: GET /health (open); GET /items, GET /items/{id}, POST /items, POST /optimize and the SSE
route GET /events/ticks (RS256 bearer tokens from the test issuer, verified with PyJWT). Nothing
here is hardened beyond what FastAPI's tutorial shows: the svc.chaos checks judge the framework's
and server's own defaults. The ticks feed sends ~16 KiB events every 10 ms so that a subscriber
that stops reading fills the socket buffers within the check's window (see prediction.json).
"""

import asyncio
import itertools
from pathlib import Path

import jwt
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import BaseModel, ConfigDict, Field

PUBLIC_KEY = (Path(__file__).parent / "keys" / "issuer.pub.pem").read_text()
ISSUER = "https://issuer.field.test"
AUDIENCE = "fastapi-items"
PAD = "x" * 16384

bearer = HTTPBearer()


def user(creds: HTTPAuthorizationCredentials = Depends(bearer)) -> dict:
    try:
        return jwt.decode(
            creds.credentials,
            PUBLIC_KEY,
            algorithms=["RS256"],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp"]},
        )
    except jwt.PyJWTError:
        raise HTTPException(status_code=401, detail="invalid token", headers={"WWW-Authenticate": "Bearer"})


class ItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    quantity: int = Field(ge=0, le=1_000_000)


class OptimizeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    iterations: int = Field(ge=1, le=100)


items: dict[int, dict] = {1: {"id": 1, "name": "widget", "quantity": 3}}
ids = itertools.count(2)
app = FastAPI(title="fastapi-items")


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}


@app.get("/items")
def list_items(_: dict = Depends(user)) -> dict:
    return {"items": list(items.values())}


@app.get("/items/{item_id}")
def get_item(item_id: int, _: dict = Depends(user)) -> dict:
    if item_id not in items:
        raise HTTPException(status_code=404, detail="no such item")
    return items[item_id]


@app.post("/items", status_code=201)
def create_item(item: ItemIn, _: dict = Depends(user)) -> dict:
    stored = {"id": next(ids), **item.model_dump()}
    items[stored["id"]] = stored
    return stored


@app.post("/optimize", status_code=202)
def optimize(body: OptimizeIn, _: dict = Depends(user)) -> dict:
    return {"iterations": body.iterations}


@app.get("/events/ticks", response_class=EventSourceResponse)
async def ticks(_: dict = Depends(user)):
    for n in itertools.count(1):
        yield ServerSentEvent(data={"n": n, "pad": PAD}, event="tick", id=str(n))
        await asyncio.sleep(0.01)
