"""GET /api/v1/audit: who read or changed which case's personal data."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec
from litestar import get
from litestar.params import FromQuery, QueryParameter

from api import pagination
from api.auth import CurrentCaller
from api.pagination import DEFAULT_LIMIT, Limit
from models.cases.audit_trail import trail


class AuditEntryRead(msgspec.Struct, omit_defaults=True):
    at: datetime
    action: str
    actor_id: uuid.UUID | None = None
    organisation_id: uuid.UUID | None = None
    case_id: uuid.UUID | None = None
    request_id: str | None = None
    #: The user or device an entry about people concerns.
    subject_id: uuid.UUID | None = None


class AuditPage(msgspec.Struct):
    items: list[AuditEntryRead]
    next_cursor: str | None


def entry_view(entry: dict) -> AuditEntryRead:
    return AuditEntryRead(
        at=entry["at"],
        action=entry["action"],
        actor_id=entry["actor_id"],
        organisation_id=entry["organisation_id"],
        case_id=entry["case_id"],
        request_id=entry["request_id"],
        subject_id=entry["subject_id"],
    )


@get("/audit", tags=["audit"])
async def read_audit_trail(
    caller: CurrentCaller,
    case_id: FromQuery[uuid.UUID | None] = None,
    actor_id: FromQuery[uuid.UUID | None] = None,
    from_: Annotated[datetime | None, QueryParameter(name="from")] = None,
    to: FromQuery[datetime | None] = None,
    cursor: FromQuery[str | None] = None,
    limit: Limit = DEFAULT_LIMIT,
) -> AuditPage:
    """The authority reads every entry about the cases it opened; every organisation reads
    its own actions. ``from`` and ``to`` bound the time (``to`` excluded)."""
    entries = await trail(
        caller=caller,
        case_id=case_id,
        actor_id=actor_id,
        since=from_,
        until=to,
        after=pagination.decode(cursor, tuple[datetime, uuid.UUID, int]),
        limit=limit + 1,
    )
    page = entries[:limit]
    more = len(entries) > limit
    last = page[-1] if more else None
    next_cursor = (
        pagination.encode((last["at"], last["id"], last["position"])) if last is not None else None
    )
    return AuditPage(items=[entry_view(e) for e in page], next_cursor=next_cursor)
