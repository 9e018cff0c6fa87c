"""Events written in the transaction of the change they report (the outbox), for the
webhooks to deliver later. Events carry ids and facts of the case, never personal data.

Every write of the domain may raise an event, so the outbox sits at the bottom of the
layers; delivering events is the top's (``models/events``)."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import msgspec
from piccolo.columns import UUID, Boolean, Text, Timestamptz, Varchar
from piccolo.table import Table

from models import clock, database

log = logging.getLogger(__name__)


class Event(Table):
    """Written in the transaction of the change it reports; delivered later."""

    id = UUID(primary_key=True)
    #: e.g. ``case.opened``, ``payment.pending_approval``, ``followup.overdue``.
    type = Varchar(length=40, index=True)
    case_id = UUID(null=True, default=None, index=True)
    case_reference = Varchar(length=20, null=True, default=None)
    occurred_at = Timestamptz(index=True)
    #: JSON without personal data.
    data = Text(default="{}")
    #: Makes an event of a sweep unique (e.g. ``followup.overdue:<case>:3``): two job
    #: processes raise it once.
    dedupe_key = Varchar(length=120, null=True, default=None, unique=True)
    #: Set once deliveries to every interested webhook have been planned.
    fanned_out = Boolean(default=False, index=True)


#: Every event type, and what it reports.
EVENT_TYPES = {
    "case.opened": "a case was opened",
    "case.planned": "the reintegration plan was agreed",
    "case.departed": "the returnee left Denmark",
    "case.arrived": "the returnee arrived; the support window opened",
    "case.closed": "the case was closed with its outcome",
    "report.submitted": "a monthly follow-up report was submitted",
    "payment.recorded": "a support payment was recorded",
    "payment.pending_approval": "a payment waits for the return organisation's approval",
    "payment.approved": "a payment was approved",
    "payment.rejected": "a payment was rejected",
    "followup.overdue": "a month of support has no report past the grace period",
    "followup.escalated": "two consecutive months have no report (to the return organisation)",
    "reflection.ending": "the reflection period ends within seven days",
    "support.ended": "the six-month support window closed",
    "story.drafting_locked": "drafting stories from the case locked after refused texts (to its opener)",
    "outcome.submitted": "the return organisation submitted the outcome report for review",
    "outcome.accepted": "the case's opener accepted the outcome report submitted",
    "outcome.returned": "the case's opener returned the outcome report for correction",
    "outcome.not_submitted": "an outcome report waits 30 days to be submitted (to the return organisation)",
    "outcome.review_pending": "an outcome report submitted waits 30 days for review (to the case's opener)",
}


def new_event(
    type: str,
    *,
    case_id: uuid.UUID | None,
    case_reference: str | None,
    data: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> Event:
    """The event's row, not written yet."""
    assert type in EVENT_TYPES, type
    return Event(
        id=uuid.uuid4(),
        type=type,
        case_id=case_id,
        case_reference=case_reference,
        occurred_at=clock.now(),
        data=msgspec.json.encode(data or {}).decode(),
        dedupe_key=dedupe_key,
        fanned_out=False,
    )


async def emit(
    type: str,
    *,
    case_id: uuid.UUID | None,
    case_reference: str | None,
    data: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> bool:
    """Write an event; with ``dedupe_key``, only the first of its kind. True when written."""
    event = new_event(
        type, case_id=case_id, case_reference=case_reference, data=data, dedupe_key=dedupe_key
    )
    if dedupe_key is None:
        await event.save()
        return True
    written = await Event.insert(event).on_conflict(action="DO NOTHING").returning(Event.id)
    return bool(written)


class Due(msgspec.Struct, frozen=True):
    """An event a sweep found due; its ``dedupe_key`` makes it once only."""

    type: str
    case_id: uuid.UUID
    case_reference: str
    data: dict[str, Any]
    dedupe_key: str


#: Events written by one statement (8 parameters each: far inside both engines' limits).
BATCH = 500
#: Keys looked up by one statement.
LOOKUP = 2000


async def _not_raised(due: list[Due]) -> list[Due]:
    """The due events not written yet: a sweep that runs every hour finds most of them
    raised already, and reading their keys costs less than writing them again."""
    raised: set[str] = set()
    keys = [d.dedupe_key for d in due]
    for start in range(0, len(keys), LOOKUP):
        rows = await Event.select(Event.dedupe_key).where(
            Event.dedupe_key.is_in(keys[start : start + LOOKUP])
        )
        raised.update(row["dedupe_key"] for row in rows)
    return [d for d in due if d.dedupe_key not in raised]


async def emit_due(due: list[Due]) -> int:
    """Write the events not written before, a batch per statement and transaction; how
    many were new. A failing batch is logged and the others are still written."""
    due = await _not_raised(due)
    written = 0
    for start in range(0, len(due), BATCH):
        events = [
            new_event(
                d.type,
                case_id=d.case_id,
                case_reference=d.case_reference,
                data=d.data,
                dedupe_key=d.dedupe_key,
            )
            for d in due[start : start + BATCH]
        ]
        try:
            async with database.transaction():
                new = (
                    await Event.insert(*events).on_conflict(action="DO NOTHING").returning(Event.id)
                )
        except Exception:
            log.exception("could not write %d due events", len(events))
            continue
        written += len(new)
    return written
