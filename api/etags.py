"""Entity tags: a strong ETag is the hash of exactly the bytes a caller receives."""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _listed(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def client_has(request: Request[Any, Any, Any], tag: str) -> bool:
    """The client's ``If-None-Match`` names ``tag`` (or any version)."""
    known = request.headers.get("if-none-match")
    return known is not None and (tag in _listed(known) or known.strip() == "*")


def cacheable(request: Request[Any, Any, Any], value: Any, status_code: int = 200) -> Response[Any]:
    """The value as JSON with its ETag, or ``304 Not Modified`` when the client has it."""
    body = msgspec.json.encode(value)
    tag = etag_of(body)
    if client_has(request, tag):
        return Response(content=b"", status_code=304, headers={"ETag": tag})
    return Response(
        content=body, status_code=status_code, media_type="application/json", headers={"ETag": tag}
    )


def require_match(request: Request[Any, Any, Any], current: Any) -> None:
    """Refuse a change made from a stale copy: ``If-Match`` must carry the current ETag."""
    wanted = request.headers.get("if-match")
    if wanted is None:
        raise HTTPException(status_code=428, detail="send If-Match with the ETag of the case")
    if wanted.strip() != "*" and etag_of(msgspec.json.encode(current)) not in _listed(wanted):
        raise HTTPException(
            status_code=412, detail="the case changed since you read it; read it again"
        )
