"""The audit trail: who read or changed which case's personal data, when, and in which
request. Append-only: nothing in the tracker updates or deletes an entry, and the
database itself refuses to (a trigger on each engine)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from contextvars import ContextVar
from datetime import datetime

from piccolo.columns import UUID, Timestamptz, Varchar
from piccolo.table import Table

from models import clock
from models.cases.tables import Case
from models.organisations import Caller, OrganisationKind

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


async def record(caller: Caller | None, action: str, case_ids: Iterable[uuid.UUID]) -> None:
    """One entry per case, all stamped with the same time and request."""
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


async def trail(
    *,
    caller: Caller,
    case_id: uuid.UUID | None = None,
    actor_id: uuid.UUID | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    after: tuple[datetime, uuid.UUID] | None = None,
    limit: int,
) -> list[dict]:
    """Entries the caller may read, oldest first: an authority sees every entry about the
    cases it opened; every organisation sees its own actions."""
    own = AuditEntry.organisation_id == caller.organisation_id
    if caller.kind is OrganisationKind.authority:
        opened = Case.select(Case.id).where(Case.opened_by_org == caller.organisation_id)
        query = AuditEntry.select().where(own | AuditEntry.case_id.is_in(opened))
    else:
        query = AuditEntry.select().where(own)
    if case_id is not None:
        query = query.where(AuditEntry.case_id == case_id)
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    if after is not None:
        at, entry_id = after
        query = query.where(
            (AuditEntry.at > at) | ((AuditEntry.at == at) & (AuditEntry.id > entry_id))
        )
    return await query.order_by(AuditEntry.at, AuditEntry.id).limit(limit)
