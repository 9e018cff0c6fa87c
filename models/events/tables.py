"""The organisations' webhooks, and each delivery of an event to one of them."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import UUID, Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from models.organisations import Organisation
from models.outbox import Event


class Webhook(Table):
    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    url = Text()
    #: Comma-separated event types.
    events = Text()
    #: Sealed: the key of the HMAC signature.
    secret = Text(secret=True)
    created_at = Timestamptz()
    active = Boolean(default=True)


class DeliveryStatus(StrEnum):
    pending = "pending"
    delivered = "delivered"
    failed = "failed"
    #: Its webhook was removed before it was delivered.
    cancelled = "cancelled"


class Delivery(Table):
    id = UUID(primary_key=True)
    webhook = ForeignKey(references=Webhook, null=False, index=True)
    event = ForeignKey(references=Event, null=False, index=True)
    status = Varchar(length=10, choices=DeliveryStatus, index=True)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(index=True)
    last_status_code = Integer(null=True, default=None)
    last_error = Text(null=True, default=None)
    created_at = Timestamptz()
    delivered_at = Timestamptz(null=True, default=None)


class DeliveryAttempt(Table):
    id = UUID(primary_key=True)
    delivery = ForeignKey(references=Delivery, null=False, index=True)
    at = Timestamptz()
    status_code = Integer(null=True, default=None)
    error = Text(null=True, default=None)
