"""HTTP routes of webhooks: an organisation manages its own, and sees their deliveries."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Request, delete, get, post
from litestar.params import FromPath, JSONBody
from msgspec import Meta

from api.auth import CurrentCaller
from api.settings import settings_of
from models.cases.commands import Strict
from models.events import webhooks


class WebhookCreate(Strict):
    #: https:// to a public host (plain http:// and internal hosts: only those the operator
    #: trusts).
    url: Annotated[str, Meta(min_length=8, max_length=2000)]
    events: Annotated[list[str], Meta(min_length=1, max_length=20)]
    #: The key of the ``X-Tracker-Signature`` HMAC; never shown again.
    secret: Annotated[str, Meta(min_length=16, max_length=200)]


class WebhookRead(msgspec.Struct):
    id: uuid.UUID
    url: str
    events: list[str]
    created_at: datetime


class AttemptRead(msgspec.Struct, omit_defaults=True):
    at: datetime
    status_code: int | None = None
    error: str | None = None


class DeliveryRead(msgspec.Struct, omit_defaults=True):
    id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    #: pending | delivered | failed
    status: str
    attempts: list[AttemptRead]
    created_at: datetime
    delivered_at: datetime | None = None
    next_attempt_at: datetime | None = None


class WebhookList(msgspec.Struct):
    items: list[WebhookRead]
    next_cursor: str | None = None


class DeliveryList(msgspec.Struct):
    items: list[DeliveryRead]
    next_cursor: str | None = None


def _view(row: dict) -> WebhookRead:
    return WebhookRead(
        id=row["id"], url=row["url"], events=row["events"].split(","), created_at=row["created_at"]
    )


@post("/webhooks", tags=["webhooks"])
async def add_webhook(
    request: Request[Any, Any, Any], caller: CurrentCaller, data: JSONBody[WebhookCreate]
) -> WebhookRead:
    """Subscribe the caller's organisation to events of the cases it reaches. Deliveries are
    JSON ``{id, type, occurred_at, case_id, case_reference, data}``, signed
    ``X-Tracker-Signature: t=<unix time>,v1=<HMAC-SHA256 of "<t>." + body with the
    secret>``, with ``X-Tracker-Event-Id`` and ``X-Tracker-Timestamp``; retried for about a
    day. The URL's host must resolve to public addresses (422 on ``url`` otherwise), and an
    organisation has at most 10 webhooks."""
    row = await webhooks.add_webhook(
        caller=caller,
        url=data.url,
        events=data.events,
        secret=data.secret,
        trusted_hosts=settings_of(request).webhook_trusted_hosts,
    )
    return _view(row)


@get("/webhooks", tags=["webhooks"])
async def list_webhooks(caller: CurrentCaller) -> WebhookList:
    return WebhookList(items=[_view(row) for row in await webhooks.webhooks_of(caller)])


@delete("/webhooks/{webhook_id:uuid}", tags=["webhooks"])
async def remove_webhook(caller: CurrentCaller, webhook_id: FromPath[uuid.UUID]) -> None:
    """Stop deliveries to this webhook."""
    await webhooks.remove_webhook(caller=caller, webhook_id=webhook_id)


@get("/webhooks/{webhook_id:uuid}/deliveries", tags=["webhooks"])
async def list_deliveries(caller: CurrentCaller, webhook_id: FromPath[uuid.UUID]) -> DeliveryList:
    """The latest deliveries, newest first, with every attempt's status code or error."""
    rows = await webhooks.deliveries_of(caller=caller, webhook_id=webhook_id)
    return DeliveryList(
        items=[
            DeliveryRead(
                id=row["id"],
                event_id=row["event"],
                event_type=row["event_type"],
                status=row["status"],
                attempts=[
                    AttemptRead(at=a["at"], status_code=a["status_code"], error=a["error"])
                    for a in row["attempts"]
                ],
                created_at=row["created_at"],
                delivered_at=row["delivered_at"],
                next_attempt_at=row["next_attempt_at"] if row["status"] == "pending" else None,
            )
            for row in rows
        ]
    )


#: Route handlers of this module, registered by ``api/app.py``.
HANDLERS: list = [add_webhook, list_webhooks, remove_webhook, list_deliveries]
