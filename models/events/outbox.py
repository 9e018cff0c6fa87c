"""Events written in the transaction of the change they report (the outbox), for the
webhooks to deliver later. Events carry ids and facts of the case, never personal data."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec

from models.events.tables import Event

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
}


async def emit(
    type: str,
    *,
    case_id: uuid.UUID | None,
    case_reference: str | None,
    data: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> bool:
    """Write an event; with ``dedupe_key``, only the first of its kind. True when written."""
    assert type in EVENT_TYPES, type
    event = Event(
        id=uuid.uuid4(),
        type=type,
        case_id=case_id,
        case_reference=case_reference,
        occurred_at=datetime.now(UTC),
        data=msgspec.json.encode(data or {}).decode(),
        dedupe_key=dedupe_key,
        fanned_out=False,
    )
    if dedupe_key is None:
        await event.save()
        return True
    written = await Event.insert(event).on_conflict(action="DO NOTHING").returning(Event.id)
    return bool(written)
