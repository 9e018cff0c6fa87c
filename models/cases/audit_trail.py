"""Reading the audit trail: who read or changed which case's personal data."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from models.audit import AuditEntry
from models.cases.tables import Case
from models.organisations import Caller, OrganisationKind


async def trail(
    *,
    caller: Caller,
    case_id: uuid.UUID | None = None,
    actor_id: uuid.UUID | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    after: tuple[datetime, uuid.UUID] | None = None,
    limit: int,
    newest_first: bool = False,
    actions: Iterable[str] | None = None,
) -> list[dict]:
    """Entries the caller may read, oldest first (or newest first, ``after`` then being the
    last entry seen of that order): an authority sees every entry about the cases it
    opened; every organisation sees its own actions."""
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
    if actions is not None:
        query = query.where(AuditEntry.action.is_in(list(actions)))
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    if after is not None and newest_first:
        at, entry_id = after
        query = query.where(
            (AuditEntry.at < at) | ((AuditEntry.at == at) & (AuditEntry.id < entry_id))
        )
    elif after is not None:
        at, entry_id = after
        query = query.where(
            (AuditEntry.at > at) | ((AuditEntry.at == at) & (AuditEntry.id > entry_id))
        )
    order = AuditEntry.at, AuditEntry.id
    return await query.order_by(*order, ascending=not newest_first).limit(limit)
