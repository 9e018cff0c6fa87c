"""The outcome report frozen as it stood when the case was closed (version 1), and a new
version each time a correction changes it afterwards; every version is kept.

The hooks are called by the writers of cases, reports and payments, inside their own
transaction, so that a closure or a correction and its frozen copy commit together."""

from __future__ import annotations

import uuid

import msgspec

from models import database, vault
from models.cases.records import Row, case_row
from models.cases.tables import Status
from models.organisations import Caller
from models.outcomes.report import OutcomeReport, build
from models.outcomes.tables import FrozenOutcomeReport
from models.outcomes.versions import AMENDMENT, CLOSURE, context, latest_of, seal, store, unseal

CLOSED = (Status.completed, Status.closed_early)


async def freeze_on_closure(case_id: uuid.UUID, caller: Caller | None) -> None:
    """Keep the report of a case just closed as version 1. Closing again with the same
    data, or a version already kept, changes nothing."""
    async with database.transaction():
        case = await case_row(case_id, lock=True)
        if case is None or case["status"] not in CLOSED:
            return
        if await latest_of(case_id) is not None:
            return
        await store(case_id, await build(case), version=1, reason=CLOSURE, caller=caller)


async def amend_if_closed(case: Row, caller: Caller | None) -> None:
    """After a report or payment was written, with the case's row as locked by that
    write's transaction: if the case is closed and its report no longer reads as the
    latest version kept, keep it as a new, amended version. An open case costs nothing;
    a write that changed nothing adds nothing."""
    if case["status"] not in CLOSED:
        return
    case_id = case["id"]
    report = await build(case)
    latest = await latest_of(case_id)
    if latest is not None and unseal(case_id, latest["body"], as_type=OutcomeReport) == report:
        return
    # A case closed before reports were frozen has no version 1 of its closure.
    version = latest["version"] + 1 if latest else 1
    await store(case_id, report, version=version, reason=AMENDMENT, caller=caller)


async def erase_closure_notes(case_id: uuid.UUID) -> None:
    """The person's data is erased: the closure note goes from every frozen version too;
    the figures stay, as they stay in the case."""
    rows = await FrozenOutcomeReport.select(FrozenOutcomeReport.id, FrozenOutcomeReport.body).where(
        FrozenOutcomeReport.case == case_id
    )
    for row in rows:
        report = unseal(case_id, row["body"], as_type=OutcomeReport)
        if report.closure_note is None:
            continue
        cleared = msgspec.structs.replace(report, closure_note=None)
        await FrozenOutcomeReport.update({FrozenOutcomeReport.body: seal(case_id, cleared)}).where(
            FrozenOutcomeReport.id == row["id"]
        )


async def reseal_frozen(batch_size: int = 500) -> int:
    """Seal again, with the current key, every frozen body sealed with an older one (key
    rotation drops the old keys afterwards). Returns how many were resealed."""
    box = vault.current()
    resealed = 0
    after = None
    while True:
        query = (
            FrozenOutcomeReport.select(
                FrozenOutcomeReport.id, FrozenOutcomeReport.case, FrozenOutcomeReport.body
            )
            .order_by(FrozenOutcomeReport.id)
            .limit(batch_size)
        )
        if after is not None:
            query = query.where(FrozenOutcomeReport.id > after)
        rows = await query
        if not rows:
            return resealed
        after = rows[-1]["id"]
        async with database.transaction():
            for row in rows:
                if box.is_current(row["body"]):
                    continue
                case_id = row["case"]
                text = box.open(row["body"], context=context(case_id))
                await FrozenOutcomeReport.update(
                    {FrozenOutcomeReport.body: box.seal(text, context=context(case_id))}
                ).where(FrozenOutcomeReport.id == row["id"])
                resealed += 1
