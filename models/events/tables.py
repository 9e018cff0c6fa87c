"""The outbox of events, the organisations' webhooks, and each delivery."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import UUID, Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from models.organisations import Organisation


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


class Webhook(Table):
    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    url = Text()
    #: Comma-separated event types.
    events = Text()
    #: Sealed: the key of the HMAC signature.
    secret = Text()
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
