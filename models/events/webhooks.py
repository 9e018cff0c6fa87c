"""Organisations subscribe to events with webhooks: an HTTPS URL, the event types, a secret."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from models import clock, vault
from models.errors import NotFound, RuleViolation
from models.events.tables import Delivery, DeliveryAttempt, Webhook
from models.organisations import Caller
from models.outbox import EVENT_TYPES


def _secret_context(webhook_id: uuid.UUID) -> str:
    return f"webhook.secret:{webhook_id}"


def check_url(url: str, *, http_hosts: frozenset[str]) -> None:
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname in http_hosts:
        return
    raise RuleViolation.on("url", "must be an https:// URL")


async def add_webhook(
    *, caller: Caller, url: str, events: list[str], secret: str, http_hosts: frozenset[str]
) -> dict:
    check_url(url, http_hosts=http_hosts)
    unknown = sorted(set(events) - set(EVENT_TYPES))
    if unknown:
        raise RuleViolation.on("events", f"unknown event types; known: {', '.join(EVENT_TYPES)}")
    webhook_id = uuid.uuid4()
    row = {
        "id": webhook_id,
        "organisation": caller.organisation_id,
        "url": url,
        "events": ",".join(sorted(set(events))),
        "secret": vault.current().seal(secret, context=_secret_context(webhook_id)),
        "created_at": clock.now(),
        "active": True,
    }
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
    """Stop deliveries; the webhook and its delivery history stay for the record."""
    await own_webhook(caller, webhook_id)
    await Webhook.update({Webhook.active: False}).where(Webhook.id == webhook_id)


def secret_of(webhook: dict) -> str:
    secret = vault.current().open(webhook["secret"], context=_secret_context(webhook["id"]))
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
