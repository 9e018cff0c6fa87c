"""Delta sync for phones: everything in the caller's reach that changed after a point in
the change sequence (``models.changes``), never by wall-clock time (phones' clocks are
wrong)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from models import audit, database, sealing
from models.cases.reach import within_reach
from models.cases.records import CaseRecord, complete, persons_read
from models.cases.tables import Case
from models.changes import ReachLoss
from models.database import Row
from models.followup.tables import Payment, Report
from models.organisations import Caller
from models.tasks import Task, tasks_for


@dataclass
class SyncPage:
    cases: list[CaseRecord] = field(default_factory=list)
    reports: list[Row] = field(default_factory=list)
    payments: list[Row] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    #: Cases that left the caller's reach: the phone must forget them.
    removed: list[uuid.UUID] = field(default_factory=list)
    #: The change number to ask from next time.
    next: int = 0
    more: bool = False


async def changes_since(*, caller: Caller, since: int, limit: int, grace_days: int) -> SyncPage:
    """At most ``limit`` changes after ``since``, oldest first, from every kind of record."""
    fetch = limit + 1
    async with database.snapshot():  # one moment for every kind, or a change could slip
        cases = (
            await Case.select()
            .where(within_reach(caller), Case.change_seq > since)
            .order_by(Case.change_seq)
            .limit(fetch)
        )
        reports = (
            await Report.select()
            .where(within_reach(caller, Report.case, stories=False), Report.change_seq > since)
            .order_by(Report.change_seq)
            .limit(fetch)
        )
        payments = (
            await Payment.select()
            .where(within_reach(caller, Payment.case, stories=False), Payment.change_seq > since)
            .order_by(Payment.change_seq)
            .limit(fetch)
        )
        losses = (
            await ReachLoss.select()
            .where(ReachLoss.organisation == caller.organisation_id, ReachLoss.change_seq > since)
            .order_by(ReachLoss.change_seq)
            .limit(fetch)
        )

    merged = sorted(
        [(row["change_seq"], "case", row) for row in cases]
        + [(row["change_seq"], "report", row) for row in reports]
        + [(row["change_seq"], "payment", row) for row in payments]
        + [(row["change_seq"], "removed", row) for row in losses],
        key=lambda change: change[0],
    )
    taken = merged[:limit]
    page = SyncPage(next=taken[-1][0] if taken else since, more=len(merged) > limit)
    chosen = {
        kind: [row for _, k, row in taken if k == kind]
        for kind in ("case", "report", "payment", "removed")
    }

    page.cases = await complete([sealing.open_row(Case, row) for row in chosen["case"]], caller)
    page.reports = [sealing.open_row(Report, row) for row in chosen["report"]]
    page.payments = [sealing.open_row(Payment, row) for row in chosen["payment"]]
    followed = {row["case"] for row in page.reports + page.payments}
    await audit.record_each(
        caller, {"case.read": persons_read(page.cases), "case.followup_read": sorted(followed)}
    )
    present = {record.id for record in page.cases}
    page.removed = list(
        dict.fromkeys(row["case"] for row in chosen["removed"] if row["case"] not in present)
    )

    touched = {row["case"] for row in page.reports} - present
    extra = await Case.select().where(Case.id.is_in(list(touched))) if touched else []
    cases = [r.case for r in page.cases] + extra
    page.tasks = await tasks_for(cases, caller=caller, grace_days=grace_days)
    return page
