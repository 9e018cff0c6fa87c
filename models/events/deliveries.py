"""Planning deliveries of events to webhooks, claiming the due ones, recording results.

A delivery is planned once per webhook and event (a unique key). A process claims a due
delivery by moving its next attempt forward with a conditional update: of two processes
only one succeeds, so each attempt is made once."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from typing import Any

import msgspec

from models import clock, database
from models.cases.reach import Role, roles_of
from models.cases.tables import Case
from models.events.tables import Delivery, DeliveryAttempt, DeliveryStatus, Webhook
from models.organisations import Caller, OrganisationKind
from models.outbox import Event

#: How long a claimed delivery is left to its process before another may try it.
LEASE = timedelta(minutes=2)
#: Deliveries are retried for about a day, then marked failed.
GIVE_UP_AFTER = timedelta(hours=24)
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=4)
BATCH = 200


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff with full jitter: up to 30 s, 1 min, 2 min, … capped at 4 h."""
    ceiling = min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_WAIT)
    return ceiling * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not secrecy


#: Events meant for one role on the case only.
ONLY_TO = {
    "followup.escalated": Role.return_org,
    "story.drafting_locked": Role.opener,
    "outcome.not_submitted": Role.return_org,
    "outcome.review_pending": Role.opener,
}


def _reaches(webhook: dict, kind: str, event: dict, case: dict | None) -> bool:
    if case is None:
        return False
    caller = Caller(uuid.UUID(int=0), webhook["organisation"], OrganisationKind(kind))
    roles = roles_of(caller, case) - {Role.story_reader}
    if event["type"] in ONLY_TO:
        return ONLY_TO[event["type"]] in roles
    return bool(roles)


async def plan_deliveries(now: datetime | None = None) -> int:
    """Plan a delivery for every new event to every webhook that wants it and whose
    organisation reaches the event's case. A bounded number of queries per batch."""
    now = now or clock.now()
    events = (
        await Event.select()
        .where(Event.fanned_out == False)
        .order_by(Event.occurred_at)
        .limit(BATCH)
    )
    if not events:
        return 0
    webhooks = await Webhook.select(
        Webhook.all_columns(), Webhook.organisation.kind.as_alias("kind")
    ).where(Webhook.active == True)
    case_ids = list({e["case_id"] for e in events if e["case_id"]})
    cases = (
        {c["id"]: c for c in await Case.select().where(Case.id.is_in(case_ids))} if case_ids else {}
    )
    planned = [
        Delivery(
            id=uuid.uuid4(),
            webhook=webhook["id"],
            event=event["id"],
            status=DeliveryStatus.pending,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        for event in events
        for webhook in webhooks
        if event["type"] in webhook["events"].split(",")
        and _reaches(webhook, webhook["kind"], event, cases.get(event["case_id"]))
    ]
    async with database.transaction():
        if planned:
            await Delivery.insert(*planned).on_conflict(action="DO NOTHING")
        await Event.update({Event.fanned_out: True}).where(
            Event.id.is_in([e["id"] for e in events])
        )
    return len(planned)


def _due(now: datetime) -> Any:
    """Pending deliveries whose attempt is due, to webhooks still active."""
    return (
        (Delivery.status == DeliveryStatus.pending)
        & (Delivery.next_attempt_at <= now)
        & (Delivery.webhook.active == True)
    )


async def organisations_due(now: datetime | None = None) -> list[uuid.UUID]:
    """The organisations with a delivery due: each gets its own share of the attempts."""
    rows = (
        await Delivery.select(Delivery.webhook.organisation.as_alias("organisation"))
        .where(_due(now or clock.now()))
        .distinct()
    )
    return [row["organisation"] for row in rows]


async def claim_due(
    *, organisation: uuid.UUID, now: datetime | None = None, limit: int = 50
) -> list[dict]:
    """Deliveries of one organisation due now, each claimed by this process for the
    length of a lease."""
    now = now or clock.now()
    due = (
        await Delivery.select(Delivery.id, Delivery.next_attempt_at)
        .where(_due(now), Delivery.webhook.organisation == organisation)
        .order_by(Delivery.next_attempt_at)
        .limit(limit)
    )
    claimed = []
    for delivery in due:
        won = (
            await Delivery.update({Delivery.next_attempt_at: now + LEASE})
            .where(
                Delivery.id == delivery["id"],
                Delivery.status == DeliveryStatus.pending,
                Delivery.next_attempt_at == delivery["next_attempt_at"],
            )
            .returning(Delivery.id)
        )
        if won:
            claimed.append(delivery["id"])
    if not claimed:
        return []
    rows = await Delivery.select().where(Delivery.id.is_in(claimed))
    events = await Event.select().where(Event.id.is_in([r["event"] for r in rows]))
    hooks = await Webhook.select().where(Webhook.id.is_in([r["webhook"] for r in rows]))
    event_of = {e["id"]: e for e in events}
    webhook_of = {w["id"]: w for w in hooks}
    return [r | {"event": event_of[r["event"]], "webhook": webhook_of[r["webhook"]]} for r in rows]


def payload(event: dict) -> bytes:
    """The body sent: ids and facts of the case, never personal data."""
    return msgspec.json.encode(
        {
            "id": event["id"],
            "type": event["type"],
            "occurred_at": event["occurred_at"],
            "case_id": event["case_id"],
            "case_reference": event["case_reference"],
            "data": msgspec.json.decode(event["data"]),
        }
    )


async def record_attempt(
    delivery: dict, *, status_code: int | None, error: str | None, now: datetime | None = None
) -> str:
    """Record one attempt; the delivery is delivered, retried later, or failed for good."""
    now = now or clock.now()
    attempts = delivery["attempts"] + 1
    if status_code is not None and 200 <= status_code < 300:
        status, next_at = DeliveryStatus.delivered, delivery["next_attempt_at"]
    elif now - delivery["created_at"] >= GIVE_UP_AFTER:
        status, next_at = DeliveryStatus.failed, delivery["next_attempt_at"]
    else:
        status, next_at = DeliveryStatus.pending, now + retry_delay(attempts)
    async with database.transaction():
        await DeliveryAttempt(
            id=uuid.uuid4(), delivery=delivery["id"], at=now, status_code=status_code, error=error
        ).save()
        await Delivery.update(
            {
                Delivery.status: status,
                Delivery.attempts: attempts,
                Delivery.next_attempt_at: next_at,
                Delivery.last_status_code: status_code,
                Delivery.last_error: error,
                Delivery.delivered_at: now if status == DeliveryStatus.delivered else None,
            }
        ).where(Delivery.id == delivery["id"])
    return status
