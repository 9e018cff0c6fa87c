"""The person's data erased: what follow-up keeps of them goes too."""

from __future__ import annotations

import uuid

from models import attachments, changes, sealing
from models.followup.tables import Payment, Report


async def erase_followup(case_id: uuid.UUID) -> None:
    """Empty the sealed columns of the case's reports and payments (needs, narratives,
    notes, justifications, reasons) and delete its receipts; dates, answers and amounts
    stay for the figures. Each changed record takes a change number of its own, so that
    phones replace what they hold."""
    named = {
        row["receipt"]
        for row in await Payment.select(Payment.receipt).where(
            Payment.case == case_id, Payment.receipt.is_not_null()
        )
    }
    for table in (Report, Payment):
        await sealing.erase(table, case_id=case_id)
        for row in await table.select(table.id).where(table.case == case_id):
            await table.update({table.change_seq: await changes.next_number()}).where(
                table.id == row["id"]
            )
    if named:
        await Payment.update({Payment.receipt: None}).where(Payment.case == case_id)
        still = await Payment.select(Payment.receipt).where(Payment.receipt.is_in(list(named)))
        await attachments.forget(list(named - {row["receipt"] for row in still}))
