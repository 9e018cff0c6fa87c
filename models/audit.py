"""The audit trail: who read or changed which case's personal data, when, and in which
request. Append-only: nothing in the tracker updates or deletes an entry, and the
database itself refuses to (a trigger on each engine)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from contextvars import ContextVar

from piccolo.columns import UUID, Timestamptz, Varchar
from piccolo.table import Table

from models import clock
from models.organisations import Caller

#: The id of the HTTP request (or job run) being served, set by the API or the scheduler.
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


class AuditEntry(Table):
    id = UUID(primary_key=True)
    at = Timestamptz(index=True)
    #: The user who acted; null when the tracker itself acted (a scheduled job).
    actor_id = UUID(null=True, default=None, index=True)
    organisation_id = UUID(null=True, default=None, index=True)
    #: e.g. ``case.read``, ``case.opened``, ``case.exported``, ``case.erased``.
    action = Varchar(length=40)
    case_id = UUID(null=True, default=None, index=True)
    request_id = Varchar(length=64, null=True, default=None)
    #: The user or device an entry about people concerns (e.g. the device revoked).
    subject_id = UUID(null=True, default=None)


async def record(caller: Caller | None, action: str, case_ids: Iterable[uuid.UUID | None]) -> None:
    """One entry per case (``None``: an action on no case), all stamped with the same time
    and request."""
    at = clock.now()
    entries = [
        AuditEntry(
            id=uuid.uuid4(),
            at=at,
            actor_id=caller.user_id if caller else None,
            organisation_id=caller.organisation_id if caller else None,
            action=action,
            case_id=case_id,
            request_id=request_id.get(),
        )
        for case_id in case_ids
    ]
    if entries:
        await AuditEntry.insert(*entries)


async def note(
    action: str,
    *,
    actor_id: uuid.UUID | None,
    organisation_id: uuid.UUID | None,
    subject_id: uuid.UUID | None = None,
) -> None:
    """One entry with no case: a sign-in, a failure, an enrolment, a revocation…"""
    await AuditEntry(
        id=uuid.uuid4(),
        at=clock.now(),
        actor_id=actor_id,
        organisation_id=organisation_id,
        action=action,
        subject_id=subject_id,
        request_id=request_id.get(),
    ).save()
