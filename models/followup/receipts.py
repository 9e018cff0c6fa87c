"""Receipts as payments name them: who may read one, and which may be named.

A receipt is read by the organisation that uploaded it, and by whoever reaches a case that
has a payment naming it (reports and payments reach; a centre's reach for stories does
not)."""

from __future__ import annotations

import uuid

from models import audit
from models.attachments import Attachment, read_content
from models.cases.reach import within_reach
from models.database import Row
from models.errors import NotFound
from models.followup.tables import Payment
from models.organisations import Caller


async def reaches_through_payments(caller: Caller, attachment_id: uuid.UUID) -> bool:
    """The payment path of ``reaches``: the caller reaches a case (reports and payments
    reach, stories do not) that has a payment whose receipt is this attachment."""
    found = (
        await Payment.select(Payment.id)
        .where(Payment.receipt == attachment_id, within_reach(caller, Payment.case, stories=False))
        .first()
    )
    return found is not None


async def reaches(caller: Caller, attachment: Row) -> bool:
    """May the caller read this attachment? The uploading organisation may, and whoever
    reaches a case with a payment that names it as its receipt."""
    if attachment["organisation"] == caller.organisation_id:
        return True
    return await reaches_through_payments(caller, attachment["id"])


async def get_attachment(*, caller: Caller, attachment_id: uuid.UUID) -> Row:
    """The attachment's row; "not found" outside reach exactly as for a missing id."""
    row = await Attachment.select().where(Attachment.id == attachment_id).first()
    if row is None or not await reaches(caller, row):
        raise NotFound("no such attachment")
    return row


async def download(*, caller: Caller, attachment: Row) -> bytes:
    """The bytes of a receipt the caller reaches, its reading audited: an entry for each
    case with a payment that names the receipt, or one without a case while no payment
    names it (then only its uploader reads it)."""
    cases = await Payment.select(Payment.case).where(Payment.receipt == attachment["id"]).distinct()
    await audit.record(caller, "receipt.read", [row["case"] for row in cases] or [None])
    return await read_content(attachment)


async def usable_as_receipt(caller: Caller, attachment_id: uuid.UUID) -> bool:
    """May a payment the caller records name this attachment as its receipt? Only an
    attachment that exists and that the caller's organisation uploaded."""
    found = (
        await Attachment.select(Attachment.id)
        .where(Attachment.id == attachment_id, Attachment.organisation == caller.organisation_id)
        .first()
    )
    return found is not None
