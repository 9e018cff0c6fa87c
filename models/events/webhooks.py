"""Organisations subscribe to events with webhooks: an HTTPS URL, the event types, a secret."""

from __future__ import annotations

import uuid

from models import clock, database, sealing
from models.errors import NotFound, RuleViolation
from models.events import addresses
from models.events.tables import Delivery, DeliveryAttempt, DeliveryStatus, Webhook
from models.organisations import Caller, Organisation
from models.outbox import EVENT_TYPES

#: Webhooks an organisation may have at once: each is called for every event it wants.
MAX_PER_ORGANISATION = 10


async def add_webhook(
    *, caller: Caller, url: str, events: list[str], secret: str, trusted_hosts: frozenset[str]
) -> dict:
    """Subscribe the caller's organisation; its host must be public (see ``addresses``),
    and an organisation keeps at most ``MAX_PER_ORGANISATION`` webhooks."""
    await addresses.check_url(url, trusted_hosts=trusted_hosts)
    unknown = sorted(set(events) - set(EVENT_TYPES))
    if unknown:
        raise RuleViolation.on("events", f"unknown event types; known: {', '.join(EVENT_TYPES)}")
    webhook_id = uuid.uuid4()
    row = {
        "id": webhook_id,
        "organisation": caller.organisation_id,
        "url": url,
        "events": ",".join(sorted(set(events))),
        "secret": sealing.seal(Webhook, {"secret": secret}, row_id=webhook_id)["secret"],
        "created_at": clock.now(),
        "active": True,
    }
    async with database.transaction():
        # Two registrations at once count one after the other.
        await database.for_update(
            Organisation.select(Organisation.id).where(Organisation.id == caller.organisation_id)
        )
        active = (Webhook.organisation == caller.organisation_id) & (Webhook.active == True)
        if await Webhook.count().where(active) >= MAX_PER_ORGANISATION:
            raise RuleViolation.on(
                "url",
                f"an organisation has at most {MAX_PER_ORGANISATION} webhooks; delete one first",
            )
        await Webhook(**row).save()
    return row


async def webhooks_of(caller: Caller) -> list[dict]:
    return (
        await Webhook.select()
        .where(
            Webhook.organisation == caller.organisation_id,
            Webhook.active == True,
        )
        .order_by(Webhook.created_at)
    )


async def own_webhook(caller: Caller, webhook_id: uuid.UUID) -> dict:
    row = (
        await Webhook.select()
        .where(
            Webhook.id == webhook_id,
            Webhook.organisation == caller.organisation_id,
            Webhook.active == True,
        )
        .first()
    )
    if row is None:
        raise NotFound("no such webhook")
    return row


async def remove_webhook(*, caller: Caller, webhook_id: uuid.UUID) -> None:
    """Stop deliveries at once: the ones still pending are cancelled. The webhook and its
    delivery history stay for the record."""
    await own_webhook(caller, webhook_id)
    async with database.transaction():
        await Webhook.update({Webhook.active: False}).where(Webhook.id == webhook_id)
        await Delivery.update({Delivery.status: DeliveryStatus.cancelled}).where(
            Delivery.webhook == webhook_id, Delivery.status == DeliveryStatus.pending
        )


def secret_of(webhook: dict) -> str:
    secret = sealing.open_value(Webhook, "secret", webhook["secret"], row_id=webhook["id"])
    assert secret is not None
    return secret


async def deliveries_of(*, caller: Caller, webhook_id: uuid.UUID, limit: int = 100) -> list[dict]:
    """The latest deliveries of one of the caller's webhooks, each with its attempts."""
    await own_webhook(caller, webhook_id)
    deliveries = (
        await Delivery.select(Delivery.all_columns(), Delivery.event.type.as_alias("event_type"))
        .where(Delivery.webhook == webhook_id)
        .order_by(Delivery.created_at, ascending=False)
        .limit(limit)
    )
    attempts: dict[uuid.UUID, list[dict]] = {d["id"]: [] for d in deliveries}
    if attempts:
        for attempt in (
            await DeliveryAttempt.select()
            .where(DeliveryAttempt.delivery.is_in(list(attempts)))
            .order_by(DeliveryAttempt.at)
        ):
            attempts[attempt["delivery"]].append(attempt)
    return [delivery | {"attempts": attempts[delivery["id"]]} for delivery in deliveries]
