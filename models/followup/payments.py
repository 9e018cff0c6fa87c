"""Support payments: paid inside the window, in the plan's categories; payments to a
relative, or above the plan's budget, wait for the return organisation's approval."""

from __future__ import annotations

import uuid

from models import audit, changes, clock, database, hooks, outbox, sealing
from models.cases.money import from_hundredths, is_currency, to_hundredths
from models.cases.reach import require
from models.cases.records import Row, reachable_case
from models.cases.tables import BudgetLine
from models.client_ids import fingerprint
from models.errors import Conflict, Forbidden, NotFound
from models.followup.commands import PaymentCreate
from models.followup.keeping import keep_once
from models.followup.receipts import usable_as_receipt
from models.followup.rules import inside_support_window, over_budget, require_followed_up
from models.followup.tables import Payment, PaymentStatus, Recipient
from models.organisations import Caller


def _facts(payment: Row) -> dict[str, object]:
    """What a payment's events tell: no note, justification or reason."""
    return {
        "payment_id": payment["id"],
        "category": payment["category"],
        "amount": from_hundredths(payment["amount_hundredths"]),
        "currency": payment["currency"],
        "status": payment["status"],
    }


#: Spent (every payment not rejected, pending ones too) and planned, of one category in
#: one currency, in one statement.
_SPENT_AND_PLANNED = (
    f"SELECT (SELECT COALESCE(SUM(amount_hundredths), 0) FROM {Payment._meta.tablename} "  # noqa: S608 - table names
    'WHERE "case" = {} AND category = {} AND currency = {} AND status <> {}) AS spent, '
    f"(SELECT COALESCE(SUM(amount_hundredths), 0) FROM {BudgetLine._meta.tablename} "
    'WHERE "case" = {} AND category = {} AND currency = {}) AS planned'
)


async def _takes_over_budget(case_id: uuid.UUID, data: PaymentCreate) -> bool:
    """Would this payment take its category (in its currency) above the plan's budget?"""
    kind = (case_id, data.category, data.currency)
    (row,) = await Payment.raw(_SPENT_AND_PLANNED, *kind, PaymentStatus.rejected.value, *kind)
    return over_budget(
        spent=int(row["spent"]), planned=int(row["planned"]), amount=to_hundredths(data.amount)
    )


async def _check(caller: Caller, case: Row, data: PaymentCreate) -> None:
    checks = inside_support_window("paid_on", data.paid_on, case)
    if to_hundredths(data.amount) <= 0:
        checks.errors.append(("amount", "must be more than 0"))
    if not is_currency(data.currency):
        checks.errors.append(("currency", "must be an ISO 4217 currency code"))
    if data.recipient is Recipient.relative and not data.relative_justification:
        checks.errors.append(
            (
                "relative_justification",
                "a payment to a relative needs the assessment that justifies it",
            )
        )
    if data.receipt_id is not None and not await usable_as_receipt(caller, data.receipt_id):
        checks.errors.append(("receipt_id", "must be an attachment your organisation uploaded"))
    checks.check()


async def record_payment(
    *, caller: Caller, case_id: uuid.UUID, data: PaymentCreate
) -> tuple[Row, bool]:
    """Record a payment (partner or return org); ``(payment, created)``."""
    async with database.transaction():
        case, roles = await reachable_case(caller, case_id, lock=True)
        require("record_payment", roles)
        require_followed_up(case)
        await _check(caller, case, data)
        beyond_budget = await _takes_over_budget(case_id, data)
        waits = beyond_budget or data.recipient is Recipient.relative
        values = {
            "id": data.id,
            "case": case_id,
            "month": data.month,
            "category": data.category,
            "amount_hundredths": to_hundredths(data.amount),
            "currency": data.currency,
            "paid_on": data.paid_on,
            "recipient": data.recipient,
            "method": data.method,
            "receipt": data.receipt_id,
            "note": data.note,
            "relative_justification": data.relative_justification,
            "rejection_reason": None,
            "status": PaymentStatus.pending_approval if waits else PaymentStatus.recorded,
            "over_budget": beyond_budget,
            "decided_by": None,
            "decided_at": None,
            "organisation": caller.organisation_id,
            "recorded_by": caller.user_id,
            "recorded_at": clock.now(),
            "fingerprint": fingerprint(data),
        }
        events = [("payment.recorded", _facts(values))]
        if waits:
            events.append(("payment.pending_approval", _facts(values)))
        return await keep_once(
            Payment, values, case=case, caller=caller, action="payment.recorded", events=events
        )


async def payments_of(*, caller: Caller, case_id: uuid.UUID) -> list[Row]:
    _, roles = await reachable_case(caller, case_id)
    require("read_followup", roles)
    rows = (
        await Payment.select().where(Payment.case == case_id).order_by(Payment.paid_on, Payment.id)
    )
    await audit.record(caller, "case.payments_read", [case_id])
    return [sealing.open_row(Payment, row) for row in rows]


async def _decide(
    *,
    caller: Caller,
    case_id: uuid.UUID,
    payment_id: uuid.UUID,
    to: PaymentStatus,
    reason: str | None,
) -> Row:
    async with database.transaction():
        case, roles = await reachable_case(caller, case_id, lock=True)
        require("decide_payment", roles)
        payment = await database.for_update(
            Payment.select().where(Payment.id == payment_id, Payment.case == case_id).first()
        )
        if payment is None:
            raise NotFound("no such payment")
        payment = sealing.open_row(Payment, payment)
        if payment["status"] == to and (
            to is PaymentStatus.approved or payment["rejection_reason"] == reason
        ):
            return payment  # the same decision sent again
        if payment["status"] != PaymentStatus.pending_approval:
            raise Conflict(
                f"the payment is {payment['status']}; only a payment waiting for approval is decided"
            )
        if payment["recorded_by"] == caller.user_id:
            raise Forbidden("a payment is decided by another person than the one who recorded it")
        sealed = sealing.seal(
            Payment, {"rejection_reason": reason}, row_id=payment_id, case_id=case_id
        )
        await Payment.update(
            {
                Payment.status: to,
                Payment.decided_by: caller.user_id,
                Payment.decided_at: clock.now(),
                Payment.rejection_reason: sealed["rejection_reason"],
                Payment.change_seq: await changes.next_number(),
            }
        ).where(Payment.id == payment_id)
        await audit.record(caller, f"payment.{to.value}", [case_id])
        await outbox.emit(
            f"payment.{to.value}",
            case_id=case_id,
            case_reference=case["reference"],
            data=_facts(payment | {"status": to}),
        )
        await hooks.followup_changed(case, caller)
        stored = await Payment.select().where(Payment.id == payment_id).first()
        return sealing.open_row(Payment, stored)


async def approve_payment(*, caller: Caller, case_id: uuid.UUID, payment_id: uuid.UUID) -> Row:
    return await _decide(
        caller=caller,
        case_id=case_id,
        payment_id=payment_id,
        to=PaymentStatus.approved,
        reason=None,
    )


async def reject_payment(
    *, caller: Caller, case_id: uuid.UUID, payment_id: uuid.UUID, reason: str
) -> Row:
    return await _decide(
        caller=caller,
        case_id=case_id,
        payment_id=payment_id,
        to=PaymentStatus.rejected,
        reason=reason,
    )
