"""Opaque keyset cursors for lists: ``?limit=`` and ``?cursor=``."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime
from typing import Annotated

import msgspec
from litestar.params import QueryParameter

from models.errors import RuleViolation

DEFAULT_LIMIT = 50
MOST = 500

Limit = Annotated[int, QueryParameter(ge=1, le=MOST, description=f"at most {MOST}")]


def cursor_after(created_at: datetime, record_id: uuid.UUID) -> str:
    raw = msgspec.json.encode([created_at, record_id])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def position_of(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return msgspec.json.decode(raw, type=tuple[datetime, uuid.UUID])
    except (ValueError, msgspec.DecodeError):
        raise RuleViolation.on("cursor", "is not a cursor this service gave out") from None
