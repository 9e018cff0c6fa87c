"""The audit trail: who read or changed which case's personal data, when, and in which
request. Append-only: nothing in the tracker updates or deletes an entry, and the
database itself refuses to (a trigger on each engine).

An action on several cases at once (a sync page, a list of cases) is one entry naming
them all in ``case_ids``, indexed per case (a GIN index on PostgreSQL, a contentless
full-text index on SQLite, see ``cases_matching``): the trail answers for each case as if
each had its own entry (``models.cases.audit_trail``), at a fraction of the bytes."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterable
from contextvars import ContextVar
from datetime import datetime

from piccolo.columns import UUID, Text, Timestamptz, Varchar
from piccolo.table import Table

from models import clock, database
from models.organisations import Caller

#: The id of the HTTP request (or job run) being served, set by the API or the scheduler.
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


class AuditEntry(Table):
    id = UUID(primary_key=True)
    at = Timestamptz(index=True)
    #: The user who acted; null when the tracker itself acted (a scheduled job).
    actor_id = UUID(null=True, default=None)
    organisation_id = UUID(null=True, default=None)
    #: e.g. ``case.read``, ``case.opened``, ``case.exported``, ``case.erased``.
    action = Varchar(length=40)
    case_id = UUID(null=True, default=None, index=True)
    request_id = Varchar(length=64, null=True, default=None)
    #: The user or device an entry about people concerns (e.g. the device revoked).
    subject_id = UUID(null=True, default=None)
    #: The cases of an action on several at once (``join_case_ids``; ``case_id`` is then
    #: null); null on every other entry.
    case_ids = Text(null=True, default=None)


def join_case_ids(case_ids: Iterable[uuid.UUID]) -> str:
    """Each id as the URL-safe base64 of its 16 bytes (22 characters), space-separated."""
    return " ".join(
        base64.urlsafe_b64encode(case_id.bytes).decode().rstrip("=") for case_id in case_ids
    )


def split_case_ids(joined: str) -> list[uuid.UUID]:
    return [uuid.UUID(bytes=base64.urlsafe_b64decode(f"{part}==")) for part in joined.split()]


def cases_matching() -> str:
    """The SQL condition "this entry may name the case ``{}`` in ``case_ids``" (its
    parameter: ``matching_argument(case_id)``), answered from the per-case index. On SQLite
    the index folds letters' case, so it may also find an entry naming an id that differs
    only in case: readers keep the exact ids (``models.cases.audit_trail``)."""
    if database.uses_postgres():
        return "string_to_array(case_ids, ' ') @> ARRAY[{}::text]"
    return "rowid IN (SELECT rowid FROM audit_entry_cases WHERE audit_entry_cases MATCH {})"


def matching_argument(case_id: uuid.UUID) -> str:
    (token,) = join_case_ids([case_id]).split()
    return token if database.uses_postgres() else f'"{token}"'


async def record(caller: Caller | None, action: str, case_ids: Iterable[uuid.UUID | None]) -> None:
    """The action on each case (``None``: an action on no case), stamped with the same time
    and request: one entry, or one per case when the action concerns a single case or no
    case at all."""
    await record_each(caller, {action: case_ids})


async def record_each(
    caller: Caller | None, actions: dict[str, Iterable[uuid.UUID | None]]
) -> None:
    """Several actions of one request (e.g. a sync page's reads), as ``record`` writes each,
    in one statement."""
    at = clock.now()
    entries = []
    for action, case_ids in actions.items():
        targets = list(dict.fromkeys(case_ids))
        if len(targets) > 1 and None not in targets:
            joined = join_case_ids(t for t in targets if t is not None)
            entries.append(new_entry(caller, action, None, at=at, case_ids=joined))
        else:
            entries += [new_entry(caller, action, case_id, at=at) for case_id in targets]
    if entries:
        await AuditEntry.insert(*entries)


def new_entry(
    caller: Caller | None,
    action: str,
    case_id: uuid.UUID | None,
    *,
    at: datetime | None = None,
    case_ids: str | None = None,
) -> AuditEntry:
    """The entry of ``caller``'s action in this request, not written yet."""
    return AuditEntry(
        id=uuid.uuid4(),
        at=at or clock.now(),
        actor_id=caller.user_id if caller else None,
        organisation_id=caller.organisation_id if caller else None,
        action=action,
        case_id=case_id,
        case_ids=case_ids,
        request_id=request_id.get(),
    )


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
