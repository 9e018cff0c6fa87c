"""Open tasks, computed from the data (no job needs to have run): for each case in
reintegration, one monthly report per month of support that has none yet."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from piccolo.query import Select

from models import clock
from models.cases import rules
from models.cases.reach import within_reach
from models.cases.records import Row
from models.cases.tables import Case, Status
from models.followup.tables import Report
from models.organisations import Caller


@dataclass(frozen=True)
class Task:
    kind: str
    case_id: uuid.UUID
    case_reference: str
    month: int
    due_on: date
    overdue: bool


def month_due_on(arrived_on: date, month: int) -> date:
    """Month ``month`` of support ends the day before the same date ``month`` months on."""
    return rules.add_months(arrived_on, month) - timedelta(days=1)


def monthly_report_tasks(
    case: Row, reported: set[int], *, today: date, grace_days: int
) -> list[Task]:
    return [
        Task(
            kind="monthly_report",
            case_id=case["id"],
            case_reference=case["reference"],
            month=month,
            due_on=(due := month_due_on(case["arrived_on"], month)),
            overdue=today > due + timedelta(days=grace_days),
        )
        for month in range(1, rules.SUPPORT_MONTHS + 1)
        if month not in reported
    ]


async def months_reported(cases: list[uuid.UUID] | Select) -> dict[uuid.UUID, set[int]]:
    """The months with a report, of a few cases by id or of all those a query selects
    (a sweep's: its ids would overflow the engines' parameter limits)."""
    reported: dict[uuid.UUID, set[int]] = defaultdict(set)
    if isinstance(cases, Select) or cases:
        rows = (
            await Report.select(Report.case, Report.month)
            .distinct()
            .where(Report.case.is_in(cases))
        )
        for row in rows:
            reported[row["case"]].add(row["month"])
    return reported


async def tasks_for(cases: list[Row], *, grace_days: int, today: date | None = None) -> list[Task]:
    """The open tasks of these cases (those in reintegration), in two queries at most."""
    active = [case for case in cases if case["status"] == Status.reintegration]
    reported = await months_reported([case["id"] for case in active])
    today = today or clock.today()
    return [
        task
        for case in active
        for task in monthly_report_tasks(
            case, reported[case["id"]], today=today, grace_days=grace_days
        )
    ]


async def open_tasks(
    *, caller: Caller, grace_days: int, after: tuple[date, uuid.UUID] | None, limit: int
) -> tuple[list[Task], tuple[date, uuid.UUID] | None]:
    """The caller's open tasks, a page of cases at a time (by arrival, then id)."""
    query = Case.select(Case.id, Case.reference, Case.status, Case.arrived_on).where(
        within_reach(caller, stories=False), Case.status == Status.reintegration
    )
    if after is not None:
        arrived_on, case_id = after
        query = query.where(
            (Case.arrived_on > arrived_on) | ((Case.arrived_on == arrived_on) & (Case.id > case_id))
        )
    cases = await query.order_by(Case.arrived_on, Case.id).limit(limit + 1)
    page, more = cases[:limit], len(cases) > limit
    following = (page[-1]["arrived_on"], page[-1]["id"]) if more else None
    return await tasks_for(page, grace_days=grace_days), following
