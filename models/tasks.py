"""Open tasks, computed from the data (no job needs to have run): for each case in
reintegration, one monthly report per month of support that has none yet; for each closed
case whose outcome report was returned, its correction, for the return organisation and
the partner, until the report is submitted again."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from piccolo.columns.combination import Or, Where

from models import audit, clock
from models.cases.reach import within_reach
from models.cases.rules import MONTHS_OF_SUPPORT
from models.cases.tables import Case, Status
from models.followup.due import month_due_on, month_is_due
from models.followup.progress import months_reported
from models.organisations import Caller, OrganisationKind
from models.outcomes.review import corrections_of, returned_cases


@dataclass(frozen=True)
class MonthlyReportTask:
    case_id: uuid.UUID
    case_reference: str
    month: int
    due_on: date
    overdue: bool
    kind: str = "monthly_report"


@dataclass(frozen=True)
class CorrectionTask:
    """Correct the outcome report as its reviewer asked, then submit it again."""

    case_id: uuid.UUID
    case_reference: str
    #: The version returned, and when.
    version: int
    returned_at: datetime
    #: What to correct; None once the person's data was erased.
    comment: str | None
    kind: str = "outcome_correction"


Task = MonthlyReportTask | CorrectionTask

#: Kinds of organisation that correct returned reports: on every case they reach, their
#: role is the return organisation's or the partner's.
CORRECTORS = frozenset({OrganisationKind.return_org, OrganisationKind.partner})


def monthly_report_tasks(
    case: dict, reported: set[int], *, today: date, grace_days: int
) -> list[MonthlyReportTask]:
    return [
        MonthlyReportTask(
            case_id=case["id"],
            case_reference=case["reference"],
            month=month,
            due_on=month_due_on(case["arrived_on"], month),
            overdue=month_is_due(case["arrived_on"], month, today=today, grace_days=grace_days),
        )
        for month in MONTHS_OF_SUPPORT
        if month not in reported
    ]


async def _corrections(cases: list[dict], caller: Caller) -> list[CorrectionTask]:
    """The corrections asked of these cases, if the caller corrects; reading their
    comments is audited."""
    closed = [case for case in cases if case["status"] in (Status.completed, Status.closed_early)]
    if caller.kind not in CORRECTORS or not closed:
        return []
    asked = await corrections_of([case["id"] for case in closed])
    await audit.record(caller, "case.outcome_review_read", list(asked))
    return [
        CorrectionTask(
            case_id=case["id"],
            case_reference=case["reference"],
            version=correction.version,
            returned_at=correction.returned_at,
            comment=correction.comment,
        )
        for case in closed
        if (correction := asked.get(case["id"]))
    ]


async def tasks_for(cases: list[dict], *, caller: Caller, grace_days: int) -> list[Task]:
    """The caller's open tasks of these cases (within its reach), in four queries at most."""
    active = [case for case in cases if case["status"] == Status.reintegration]
    reported = await months_reported([case["id"] for case in active])
    today = clock.today()
    monthly: list[Task] = [
        task
        for case in active
        for task in monthly_report_tasks(
            case, reported[case["id"]], today=today, grace_days=grace_days
        )
    ]
    return monthly + await _corrections(cases, caller)


async def open_tasks(
    *, caller: Caller, grace_days: int, after: tuple[date, uuid.UUID] | None, limit: int
) -> tuple[list[Task], tuple[date, uuid.UUID] | None]:
    """The caller's open tasks, a page of cases at a time (by arrival, then id)."""

    async def cases_after(condition: Where | Or) -> list[dict]:
        query = Case.select(Case.id, Case.reference, Case.status, Case.arrived_on).where(
            within_reach(caller, stories=False), condition
        )
        if after is not None:
            arrived_on, case_id = after
            query = query.where(
                (Case.arrived_on > arrived_on)
                | ((Case.arrived_on == arrived_on) & (Case.id > case_id))
            )
        return await query.order_by(Case.arrived_on, Case.id).limit(limit + 1)

    cases = await cases_after(Case.status == Status.reintegration)
    if caller.kind in CORRECTORS:
        # The few cases returned for correction, merged in the same order: the query of the
        # cases in reintegration stays the one its indexes serve.
        returned = await cases_after(Case.id.is_in(returned_cases()))
        cases = sorted(cases + returned, key=lambda case: (case["arrived_on"], case["id"]))
    page, more = cases[:limit], len(cases) > limit
    following = (page[-1]["arrived_on"], page[-1]["id"]) if more else None
    return await tasks_for(page, caller=caller, grace_days=grace_days), following
