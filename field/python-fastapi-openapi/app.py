"""An items API on FastAPI whose only description for the kit is the OpenAPI document FastAPI
generates (`GET /openapi.json`): `deno task certify:server --openapi URL` derives the target from it.

Routes: GET /healthz (open); GET /items, POST /items, GET/PUT/DELETE /items/{item_id} behind
FastAPI's `HTTPBearer` (so the document carries a security requirement on each), RS256 tokens from
the test issuer verified with PyJWT (issuer, audience and exp required). Items belong to the token's
`sub`: another identity's item is a 404. The write model forbids unknown fields (pydantic
`extra="forbid"`, which the document states as `additionalProperties: false`). Nothing else is
hardened beyond FastAPI's tutorial: no security headers, no body or query limit, FastAPI's own error
bodies. Served by `fastapi run` (uvicorn with httptools and uvloop), as FastAPI's docs say.
"""

import itertools
from pathlib import Path

import jwt
from fastapi import Depends, FastAPI, HTTPException, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

PUBLIC_KEY = (Path(__file__).parent / "keys" / "issuer.pub.pem").read_text()
ISSUER = "https://issuer.field.test"
AUDIENCE = "fastapi-openapi-items"

bearer = HTTPBearer()


def caller(creds: HTTPAuthorizationCredentials = Depends(bearer)) -> str:
    try:
        claims = jwt.decode(
            creds.credentials,
            PUBLIC_KEY,
            algorithms=["RS256"],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp", "sub"]},
        )
    except jwt.PyJWTError:
        raise HTTPException(status_code=401, detail="invalid token", headers={"WWW-Authenticate": "Bearer"})
    return str(claims["sub"])


class ItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100, examples=["widget"])
    quantity: int = Field(ge=0, le=1_000_000, examples=[1])


class Item(BaseModel):
    id: int
    name: str
    quantity: int


items: dict[int, dict] = {}
ids = itertools.count(1)
app = FastAPI(title="fastapi-openapi-items", version="1.0.0")


def owned(item_id: int, sub: str) -> dict:
    item = items.get(item_id)
    if item is None or item["owner"] != sub:
        raise HTTPException(status_code=404, detail="no such item")
    return item


@app.get("/healthz")
def healthz() -> dict:
    return {"status": "ok"}


@app.get("/items", response_model=list[Item])
def list_items(sub: str = Depends(caller)) -> list[dict]:
    return [i for i in items.values() if i["owner"] == sub]


@app.post("/items", response_model=Item, status_code=201)
def create_item(body: ItemIn, sub: str = Depends(caller)) -> dict:
    item = {"id": next(ids), "name": body.name, "quantity": body.quantity, "owner": sub}
    items[item["id"]] = item
    return item


@app.get("/items/{item_id}", response_model=Item)
def get_item(item_id: int, sub: str = Depends(caller)) -> dict:
    return owned(item_id, sub)


@app.put("/items/{item_id}", response_model=Item)
def update_item(item_id: int, body: ItemIn, sub: str = Depends(caller)) -> dict:
    item = owned(item_id, sub)
    item.update(name=body.name, quantity=body.quantity)
    return item


@app.delete("/items/{item_id}", status_code=204)
def delete_item(item_id: int, sub: str = Depends(caller)) -> Response:
    owned(item_id, sub)
    del items[item_id]
    return Response(status_code=204)
