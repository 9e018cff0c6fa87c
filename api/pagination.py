"""Opaque keyset cursors for lists: ``?limit=`` and ``?cursor=``."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import msgspec
from litestar.params import QueryParameter

from models.errors import NOT_A_CURSOR, RuleViolation

DEFAULT_LIMIT = 50
MOST = 500

Row = TypeVar("Row")

Limit = Annotated[int, QueryParameter(ge=1, le=MOST, description=f"at most {MOST}")]


def encode(position: Any, prefix: str = "") -> str:
    """An opaque token for a position (a tuple of sort keys, or a change number)."""
    raw = msgspec.json.encode(position)
    return prefix + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(
    token: str | None, position_type: Any, *, field: str = "cursor", prefix: str = ""
) -> Any:
    if token is None:
        return None
    try:
        if not token.startswith(prefix):
            raise ValueError(token)
        body = token.removeprefix(prefix)
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        return msgspec.json.decode(raw, type=position_type)
    except (ValueError, msgspec.DecodeError):
        raise RuleViolation.on(
            field, "is not a token this service gave out", NOT_A_CURSOR
        ) from None


def split(
    rows: list[Row], limit: int, position: Callable[[Row], Any]
) -> tuple[list[Row], str | None]:
    """A page of ``rows`` read with ``limit + 1`` (one more tells whether another page
    follows), and the cursor of that next page: None on the last."""
    page = rows[:limit]
    return page, encode(position(page[-1])) if len(rows) > limit and page else None
