"""The outcome report frozen as it stood when the case was closed (version 1), and a new
version each time a correction changes it afterwards; every version is kept. Each new
version is what the return organisation submits next (``models.outcomes.review``).

The hooks are called by the writers of cases, reports and payments, inside their own
transaction, so that a closure or a correction, its frozen copy and the review it restarts
commit together."""

from __future__ import annotations

import uuid

import msgspec

from models import clock, database
from models.cases.records import case_row
from models.cases.tables import CaseRow, Status
from models.organisations import Caller
from models.outcomes.report import OutcomeReport, build
from models.outcomes.tables import FrozenOutcomeReport, OutcomeReview, ReviewStatus
from models.outcomes.versions import AMENDMENT, CLOSURE, latest_of, seal, store, unseal

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
        await _review_anew(case_id, version=1)


async def amend_if_closed(case: CaseRow, caller: Caller | None) -> None:
    """After a report or payment was written, with the case's row as locked by that
    write's transaction: if the case is closed and its report no longer reads as the
    latest version kept, keep it as a new, amended version. An open case costs nothing;
    a write that changed nothing adds nothing."""
    if case["status"] not in CLOSED:
        return
    case_id = case["id"]
    report = await build(case)
    latest = await latest_of(case_id)
    if latest is not None and unseal(latest, as_type=OutcomeReport) == report:
        return
    # A case closed before reports were frozen has no version 1 of its closure.
    version = latest["version"] + 1 if latest else 1
    await store(case_id, report, version=version, reason=AMENDMENT, caller=caller)
    await _review_anew(case_id, version=version)


async def _review_anew(case_id: uuid.UUID, *, version: int) -> None:
    """A new version waits to be submitted: the review starts again for it, the steps
    before it kept in the history. A returned report stays returned, whatever its
    corrections add, until it is submitted again: the correction asked for stays open."""
    now = clock.now()
    review = await OutcomeReview.select(OutcomeReview.status).where(OutcomeReview.id == case_id)
    if not review:
        await OutcomeReview(
            id=case_id, case=case_id, status=ReviewStatus.not_submitted, version=version, since=now
        ).save()
    elif review[0]["status"] != ReviewStatus.returned:
        await OutcomeReview.update(
            {
                OutcomeReview.status: ReviewStatus.not_submitted,
                OutcomeReview.version: version,
                OutcomeReview.since: now,
                OutcomeReview.submitted_at: None,
                OutcomeReview.accepted_at: None,
            }
        ).where(OutcomeReview.id == case_id)


async def erase_closure_notes(case_id: uuid.UUID) -> None:
    """The person's data is erased: the closure note goes from every frozen version too;
    the figures stay, as they stay in the case."""
    rows = await FrozenOutcomeReport.select(
        FrozenOutcomeReport.id, FrozenOutcomeReport.case, FrozenOutcomeReport.body
    ).where(FrozenOutcomeReport.case == case_id)
    for row in rows:
        report = unseal(row, as_type=OutcomeReport)
        if report.closure_note is None:
            continue
        cleared = msgspec.structs.replace(report, closure_note=None)
        await FrozenOutcomeReport.update(
            {FrozenOutcomeReport.body: seal(row["id"], case_id, cleared)}
        ).where(FrozenOutcomeReport.id == row["id"])
